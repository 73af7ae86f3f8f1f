package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxGroupCommit bounds the instances indexed in one bbolt transaction.
const maxGroupCommit = 256

// commitRequest is one renamed instance for the committer to make durable:
// an fsync of its series folder and its index entry.
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
// Groups run one after the other, so a group starts only when the folder
// fsyncs of the one before it have ended.
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
// transaction, both at once: every request waits for both, so neither order
// matters for what a Success promises. The transaction also records the
// group's SOP Instance UIDs under pendingKey, so that a crash before the
// folder fsyncs end leaves Open a short list to check for index entries
// whose renamed file did not survive (reconcilePending). When the
// transaction fails, every request gets the error. When a folder fsync
// fails, its requests get the error and lose their new index entries.
func (s *Store) commitGroup(group []*commitRequest) {
	// 1. Fsync each folder once, in the background.
	synced := map[string]error{}
	for _, req := range group {
		synced[req.seriesDir] = nil
	}
	syncsDone := make(chan struct{})
	go func() {
		defer close(syncsDone)
		for dir := range synced {
			synced[dir] = syncDir(dir)
		}
	}()

	// 2. Meanwhile, one transaction for the whole group.
	results := make([]commitResult, len(group))
	err := s.db.Update(func(tx *bolt.Tx) error {
		uids := make([]string, len(group))
		for i, req := range group {
			replaced, err := putInstance(tx, req.rec, req.header)
			if err != nil {
				return err
			}
			results[i].replaced = replaced
			uids[i] = req.rec.SOPInstanceUID
		}
		return putPending(tx, uids)
	})
	<-syncsDone
	if err != nil {
		for i, req := range group {
			results[i] = commitResult{err: fmt.Errorf("store: index SOP instance %s: %w", req.rec.SOPInstanceUID, err)}
			req.done <- results[i]
		}
		return
	}
	s.changes.Add(1)

	// 3. Take out the instances whose folder fsync failed, because their
	// sinks remove the new files. A replacing instance keeps its new entry,
	// because its sink keeps the new file.
	// NOTE: if this transaction fails too, the entries stay. Open drops them
	// only when the process stops before the next group replaces the
	// pending list.
	var failed []*InstanceRecord
	for i, req := range group {
		if serr := synced[req.seriesDir]; serr != nil {
			results[i] = commitResult{err: fmt.Errorf("store: fsync %s: %w", req.seriesDir, serr)}
			if results[i].replaced == nil {
				failed = append(failed, req.rec)
			}
		}
	}
	if len(failed) > 0 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, rec := range failed {
				if err := removeInstance(tx, rec.SOPInstanceUID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			uids := make([]string, len(failed))
			for i, rec := range failed {
				uids[i] = rec.SOPInstanceUID
			}
			s.log.Error("failed to remove index entries after a failed folder fsync, so they name files that were removed",
				"sop_instance_uids", uids, "err", err)
		}
	}
	for i, req := range group {
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
