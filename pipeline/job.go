package pipeline

import (
	"context"
	"time"
)

// Roles of the three series a study needs, as they appear in jobs, the store
// and the configuration.
const (
	RoleCT   = "ct"
	RoleT1WI = "t1wi"
	RoleT2FS = "t2fs"
)

// RoleInput is the series and region chosen for one role of a study.
type RoleInput struct {
	Role      string   // RoleCT, RoleT1WI or RoleT2FS
	SeriesUID string   // Series Instance UID of the image series
	Files     []string // paths of the series' instance files in the store
	// RegionFile is the path of the SEG or RTSTRUCT instance that holds the
	// tumour region on this series.
	RegionFile string
	// RegionLabel is the segment or ROI label chosen in RegionFile.
	RegionLabel string
	// Reason explains why this series and region were chosen.
	Reason string
}

// SRRef identifies a Structured Report already written for a study.
type SRRef struct {
	StudyUID, SeriesUID, SOPClassUID, SOPInstanceUID string
}

// Job is one version of a study that is ready for processing.
type Job struct {
	ID       uint64
	StudyUID string
	// Version starts at 1 and grows each time data arriving after a report
	// makes the study ready again.
	Version int
	Roles   []RoleInput
	// CallingAE is the AE title that sent the study's last instance, a
	// candidate destination for the result.
	CallingAE string
	Enqueued  time.Time
	// Previous is the SR of the previous version, nil for version 1.
	Previous *SRRef
}

// Outcome is the result the worker reports for a finished job.
type Outcome struct {
	SR         SRRef
	Likelihood float64
	Class      string // "lipoma" or "wdlps"
	// Stages holds the duration of each named stage (for example
	// "radiomics", "deep", "score", "report") in processing order.
	Stages []Stage
}

// Stage is the name and duration of one pipeline step.
type Stage struct {
	Name     string
	Duration time.Duration
}

// JobQueue is the persistent queue of ready studies. The store implements
// it; the pipeline worker consumes it.
type JobQueue interface {
	// Next blocks until a job is available and marks its study
	// "processing", or returns ctx.Err() when ctx ends. A job taken but
	// neither completed nor failed before a restart is offered again.
	Next(ctx context.Context) (*Job, error)
	// Complete marks the job's study "reported" and records the outcome.
	Complete(id uint64, outcome Outcome) error
	// Fail marks the job's study "failed" with the reason.
	Fail(id uint64, reason string) error
}
