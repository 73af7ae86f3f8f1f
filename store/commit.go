package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxGroupCommit bounds the instances indexed in one bbolt transaction.
const maxGroupCommit = 256

// commitRequest is one renamed instance for the committer to make durable:
// an fsync of its series folder, then its index entry.
type commitRequest struct {
	rec       *InstanceRecord
	header    *Header
	seriesDir string
	done      chan commitResult
}

type commitResult struct {
	replaced *InstanceRecord
	err      error
}

// committer runs group commits until requests is closed. It takes every
// request already waiting, fsyncs each of their folders once and indexes
// them all in one transaction, so concurrent associations share the fsyncs.
// A lone request is committed at once: nothing waits for company, unlike
// bbolt's DB.Batch, which delays every call by MaxBatchDelay.
func (s *Store) committer() {
	defer close(s.committerDone)
	for first := range s.commits {
		group := []*commitRequest{first}
	drain:
		for len(group) < maxGroupCommit {
			select {
			case req, ok := <-s.commits:
				if !ok {
					break drain
				}
				group = append(group, req)
			default:
				break drain
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup fsyncs the group's folders and indexes the group in one
// transaction. When the transaction fails, every request gets the error.
func (s *Store) commitGroup(group []*commitRequest) {
	// 1. Folder fsyncs make the renames durable, once per folder.
	synced := map[string]error{}
	for _, req := range group {
		if _, done := synced[req.seriesDir]; !done {
			synced[req.seriesDir] = syncDir(req.seriesDir)
		}
	}

	// 2. One transaction for the instances whose folder is durable.
	results := make([]commitResult, len(group))
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, req := range group {
			if err := synced[req.seriesDir]; err != nil {
				results[i].err = fmt.Errorf("store: fsync %s: %w", req.seriesDir, err)
				continue
			}
			replaced, err := putInstance(tx, req.rec, req.header)
			if err != nil {
				return err
			}
			results[i].replaced = replaced
		}
		return nil
	})
	if err == nil {
		s.changes.Add(1)
	}
	for i, req := range group {
		if err != nil {
			results[i] = commitResult{err: fmt.Errorf("store: index SOP instance %s: %w", req.rec.SOPInstanceUID, err)}
		}
		req.done <- results[i]
	}
}

// commit hands a renamed instance to the committer and waits until it is
// durable and indexed.
func (s *Store) commit(rec *InstanceRecord, h *Header, seriesDir string) (*InstanceRecord, error) {
	req := &commitRequest{rec: rec, header: h, seriesDir: seriesDir, done: make(chan commitResult, 1)}
	s.commits <- req
	res := <-req.done
	return res.replaced, res.err
}
