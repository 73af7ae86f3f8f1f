package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
)

// Events receives the pipeline runs for the audit log. Methods must return
// quickly.
type Events interface {
	PipelineCompleted(job *pipeline.Job, out pipeline.Outcome)
	PipelineFailed(job *pipeline.Job, reason string)
}

// Run takes jobs from q one at a time until ctx ends, processes each with
// Process and records the result: Complete with the outcome, or Fail with
// the error's text as the reason, which leaves the study failed. events may
// be nil.
//
// A job interrupted because ctx ended is neither completed nor failed, so
// the queue offers it again after a restart. A Complete or Fail that fails is
// logged, and Run goes on with the next job. Run returns nil when ctx ends,
// and an error when Next fails.
func Run(ctx context.Context, q pipeline.JobQueue, d Deps, events Events) error {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for {
		job, err := q.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("worker: next job: %w", err)
		}
		log.Info("pipeline started", "job", job.ID, "study_uid", job.StudyUID, "version", job.Version)
		out, err := processSafely(ctx, job, d)
		if ctx.Err() != nil {
			log.Info("pipeline interrupted by shutdown", "job", job.ID, "study_uid", job.StudyUID)
			return nil
		}
		if err != nil {
			reason := err.Error()
			log.Error("pipeline failed", "job", job.ID, "study_uid", job.StudyUID, "err", err)
			if ferr := q.Fail(job.ID, reason); ferr != nil {
				log.Error("recording the failure failed", "job", job.ID, "study_uid", job.StudyUID, "err", ferr)
				continue
			}
			if events != nil {
				events.PipelineFailed(job, reason)
			}
			continue
		}
		if cerr := q.Complete(job.ID, out); cerr != nil {
			log.Error("recording the outcome failed", "job", job.ID, "study_uid", job.StudyUID, "err", cerr)
			continue
		}
		log.Info("pipeline completed", "job", job.ID, "study_uid", job.StudyUID, "likelihood", out.Likelihood,
			"class", out.Class, "sr", out.SR.SOPInstanceUID, "total", TotalDuration(out))
		if events != nil {
			events.PipelineCompleted(job, out)
		}
	}
}

// errPanic marks a job whose processing panicked, so that one malformed
// study fails alone instead of stopping the node.
var errPanic = errors.New("worker: internal error")

func processSafely(ctx context.Context, job *pipeline.Job, d Deps) (out pipeline.Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			if d.Logger != nil {
				d.Logger.Error("pipeline panicked", "job", job.ID, "panic", p, "stack", string(debug.Stack()))
			}
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	return Process(ctx, job, d)
}

// TotalDuration returns the sum of the stage durations of out.
func TotalDuration(out pipeline.Outcome) time.Duration {
	var sum time.Duration
	for _, s := range out.Stages {
		sum += s.Duration
	}
	return sum
}
