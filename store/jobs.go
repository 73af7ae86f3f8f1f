package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	bolt "go.etcd.io/bbolt"
)

// JobStatus is where a job is in the queue.
type JobStatus string

// Job statuses.
const (
	// JobPending: queued, not yet taken by a worker.
	JobPending JobStatus = "pending"
	// JobTaken: returned by Next and neither completed nor failed. After a
	// restart it is pending again.
	JobTaken JobStatus = "taken"
	// JobDone: completed with an outcome.
	JobDone JobStatus = "done"
	// JobFailed: failed by the worker.
	JobFailed JobStatus = "failed"
	// JobWithdrawn: new data arrived for the study before a worker took the
	// job; the study is evaluated again.
	JobWithdrawn JobStatus = "withdrawn"
)

// ErrJobState is returned by Complete and Fail for a job that is not taken.
var ErrJobState = errors.New("store: job is not being processed")

// JobRecord is a stored job with its status.
type JobRecord struct {
	V        int               `json:"v"`
	Job      pipeline.Job      `json:"job"`
	Status   JobStatus         `json:"status"`
	Taken    time.Time         `json:"taken,omitempty"`
	Finished time.Time         `json:"finished,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	Outcome  *pipeline.Outcome `json:"outcome,omitempty"`
}

func jobKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

// enqueueJob stores job as pending in tx and returns its new ID.
func enqueueJob(tx *bolt.Tx, job *pipeline.Job) (uint64, error) {
	jobs, err := tx.CreateBucketIfNotExists(bucketJobs)
	if err != nil {
		return 0, err
	}
	pending, err := tx.CreateBucketIfNotExists(bucketJobsPending)
	if err != nil {
		return 0, err
	}
	id, err := jobs.NextSequence()
	if err != nil {
		return 0, err
	}
	job.ID = id
	rec := JobRecord{V: RecordVersion, Job: *job, Status: JobPending}
	if err := putJSON(jobs, jobKey(id), &rec); err != nil {
		return 0, err
	}
	return id, pending.Put(jobKey(id), nil)
}

// withdrawJob marks a pending job withdrawn. A job already taken is left
// alone.
func withdrawJob(tx *bolt.Tx, id uint64, now time.Time) error {
	jobs := tx.Bucket(bucketJobs)
	if jobs == nil {
		return nil
	}
	var rec JobRecord
	found, err := getJSON(jobs, jobKey(id), &rec)
	if err != nil || !found || rec.Status != JobPending {
		return err
	}
	rec.Status, rec.Finished, rec.Reason = JobWithdrawn, now, "new data arrived before processing"
	if err := putJSON(jobs, jobKey(id), &rec); err != nil {
		return err
	}
	if p := tx.Bucket(bucketJobsPending); p != nil {
		return p.Delete(jobKey(id))
	}
	return nil
}

// Job returns the stored record of job id.
func (ix *Index) Job(id uint64) (JobRecord, error) {
	var rec JobRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		found := false
		var err error
		if b != nil {
			found, err = getJSON(b, jobKey(id), &rec)
		}
		if err == nil && !found {
			err = fmt.Errorf("%w: job %d", ErrNotFound, id)
		}
		return err
	})
	return rec, err
}

// PendingJobs returns the jobs queued or taken, oldest first.
func (ix *Index) PendingJobs() ([]JobRecord, error) {
	var out []JobRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		p, jobs := tx.Bucket(bucketJobsPending), tx.Bucket(bucketJobs)
		if p == nil || jobs == nil {
			return nil
		}
		return p.ForEach(func(k, _ []byte) error {
			var rec JobRecord
			if _, err := getJSON(jobs, k, &rec); err != nil {
				return err
			}
			out = append(out, rec)
			return nil
		})
	})
	return out, err
}

// jobWakers holds, per open database, the channel that tells waiting Next
// calls that a job was queued. It lives outside Index so that the queue
// needs no field of its own there.
var jobWakers sync.Map // *bolt.DB -> chan struct{}

func (ix *Index) jobWaker() chan struct{} {
	ch, _ := jobWakers.LoadOrStore(ix.db, make(chan struct{}, 1))
	return ch.(chan struct{})
}

func (ix *Index) notifyJobs() {
	select {
	case ix.jobWaker() <- struct{}{}:
	default:
	}
}

// JobQueue is the persistent queue of ready studies in the index database.
// It implements pipeline.JobQueue.
type JobQueue struct {
	ix  *Index
	now func() time.Time
	// poll bounds how long Next sleeps between looks at the queue when no
	// wake-up comes (a job queued by another Index value on the same file).
	poll time.Duration
}

var _ pipeline.JobQueue = (*JobQueue)(nil)

// NewJobQueue returns the queue of ix. now is the clock (time.Now when nil).
// Jobs taken but neither completed nor failed before (a restart) are pending
// again, and their studies ready again, so that Next offers them first.
func NewJobQueue(ix *Index, now func() time.Time) (*JobQueue, error) {
	if now == nil {
		now = time.Now
	}
	q := &JobQueue{ix: ix, now: now, poll: time.Second}
	if err := q.recover(); err != nil {
		return nil, err
	}
	return q, nil
}

// recover puts taken jobs back to pending.
func (q *JobQueue) recover() error {
	now := q.now()
	requeued := false
	err := q.ix.db.Update(func(tx *bolt.Tx) error {
		p, jobs := tx.Bucket(bucketJobsPending), tx.Bucket(bucketJobs)
		if p == nil || jobs == nil {
			return nil
		}
		var keys [][]byte
		if err := p.ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			var rec JobRecord
			if _, err := getJSON(jobs, k, &rec); err != nil {
				return err
			}
			if rec.Status != JobTaken {
				continue
			}
			rec.Status, rec.Taken = JobPending, time.Time{}
			if err := putJSON(jobs, k, &rec); err != nil {
				return err
			}
			st, found, err := getStatus(tx, rec.Job.StudyUID)
			if err != nil {
				return err
			}
			if found && st.State == StateProcessing && st.JobID == rec.Job.ID {
				if err := changeState(&st, StateReady, "offered again: processing was interrupted by a restart", now); err != nil {
					return err
				}
				if err := putStatus(tx, &st); err != nil {
					return err
				}
			}
			requeued = true
		}
		return nil
	})
	if requeued {
		q.ix.notifyJobs()
	}
	q.ix.statusCounter().Add(1)
	return err
}

// Next blocks until a job is pending, marks it taken and its study
// processing, and returns it; or returns ctx.Err() when ctx ends. Jobs are
// taken in the order they were queued.
func (q *JobQueue) Next(ctx context.Context) (*pipeline.Job, error) {
	wake := q.ix.jobWaker()
	for {
		job, err := q.take()
		if err != nil || job != nil {
			return job, err
		}
		t := time.NewTimer(q.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// take takes the oldest pending job, or returns nil when there is none.
func (q *JobQueue) take() (*pipeline.Job, error) {
	var job *pipeline.Job
	now := q.now()
	err := q.ix.db.Update(func(tx *bolt.Tx) error {
		p, jobs := tx.Bucket(bucketJobsPending), tx.Bucket(bucketJobs)
		if p == nil || jobs == nil {
			return nil
		}
		c := p.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			var rec JobRecord
			if _, err := getJSON(jobs, k, &rec); err != nil {
				return err
			}
			if rec.Status != JobPending {
				continue
			}
			rec.Status, rec.Taken = JobTaken, now
			if err := putJSON(jobs, k, &rec); err != nil {
				return err
			}
			st, found, err := getStatus(tx, rec.Job.StudyUID)
			if err != nil {
				return err
			}
			if found && st.JobID == rec.Job.ID {
				if err := changeState(&st, StateProcessing, fmt.Sprintf("job %d (version %d) taken by the worker", rec.Job.ID, rec.Job.Version), now); err != nil {
					return err
				}
				if err := putStatus(tx, &st); err != nil {
					return err
				}
			}
			j := rec.Job
			job = &j
			return nil
		}
		return nil
	})
	if job != nil {
		q.ix.statusCounter().Add(1)
	}
	return job, err
}

// finish ends a taken job as done or failed and moves its study to to.
func (q *JobQueue) finish(id uint64, status JobStatus, to StudyState, reason string, outcome *pipeline.Outcome) error {
	now := q.now()
	defer q.ix.statusCounter().Add(1)
	return q.ix.db.Update(func(tx *bolt.Tx) error {
		jobs := tx.Bucket(bucketJobs)
		var rec JobRecord
		found := false
		var err error
		if jobs != nil {
			found, err = getJSON(jobs, jobKey(id), &rec)
		}
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: job %d", ErrNotFound, id)
		}
		if rec.Status != JobTaken {
			return fmt.Errorf("%w: job %d is %s", ErrJobState, id, rec.Status)
		}
		rec.Status, rec.Finished, rec.Reason, rec.Outcome = status, now, reason, outcome
		if err := putJSON(jobs, jobKey(id), &rec); err != nil {
			return err
		}
		if p := tx.Bucket(bucketJobsPending); p != nil {
			if err := p.Delete(jobKey(id)); err != nil {
				return err
			}
		}
		st, found, err := getStatus(tx, rec.Job.StudyUID)
		if err != nil || !found || st.JobID != id || st.State != StateProcessing {
			return err
		}
		if outcome != nil {
			o := *outcome
			st.Outcome = &o
		}
		if err := changeState(&st, to, reason, now); err != nil {
			return err
		}
		return putStatus(tx, &st)
	})
}

// Complete marks the job's study reported and records the outcome.
func (q *JobQueue) Complete(id uint64, outcome pipeline.Outcome) error {
	reason := fmt.Sprintf("job %d reported: SR %s", id, outcome.SR.SOPInstanceUID)
	if outcome.Class != "" {
		reason += fmt.Sprintf(", %s (likelihood %.3f)", outcome.Class, outcome.Likelihood)
	}
	reason += stageTimes(outcome.Stages)
	return q.finish(id, JobDone, StateReported, reason, &outcome)
}

// stageTimes formats the duration of each pipeline stage for a reason, for
// example "; stages: load 248ms, radiomics 1.741s", or "" without stages.
func stageTimes(stages []pipeline.Stage) string {
	if len(stages) == 0 {
		return ""
	}
	parts := make([]string, len(stages))
	for i, st := range stages {
		parts[i] = st.Name + " " + st.Duration.Round(time.Millisecond).String()
	}
	return "; stages: " + strings.Join(parts, ", ")
}

// Fail marks the job's study failed with the reason.
func (q *JobQueue) Fail(id uint64, reason string) error {
	if reason == "" {
		reason = "failed without a reason"
	}
	return q.finish(id, JobFailed, StateFailed, reason, nil)
}
