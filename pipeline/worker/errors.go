package worker

import "errors"

// Errors returned by this package, wrapped with the role, file or study
// involved; test with errors.Is.
var (
	// ErrRole is returned when a job or a study folder lacks a role, or a
	// role has no image files or no region file.
	ErrRole = errors.New("worker: missing or incomplete series role")
	// ErrFeatures is returned when the features of a role cannot be
	// computed.
	ErrFeatures = errors.New("worker: feature extraction failed")
	// ErrScore is returned when the model bundle cannot score the study.
	ErrScore = errors.New("worker: scoring failed")
	// ErrReport is returned when the Structured Report cannot be built or
	// stored.
	ErrReport = errors.New("worker: report failed")
	// ErrDelivery is returned when the report cannot be queued for
	// delivery.
	ErrDelivery = errors.New("worker: delivery failed")
	// ErrCohort is returned for a cohort folder or manifest that cannot be
	// read.
	ErrCohort = errors.New("worker: invalid cohort")
)
