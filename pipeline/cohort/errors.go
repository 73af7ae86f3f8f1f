package cohort

import "errors"

var (
	// ErrMissingColumn is returned when a required column is absent.
	ErrMissingColumn = errors.New("cohort: required column missing")
	// ErrDuplicateID is returned when a study appears twice in one file.
	ErrDuplicateID = errors.New("cohort: duplicate study")
	// ErrUnknownLabel is returned for a label other than lipoma or WDLPS.
	ErrUnknownLabel = errors.New("cohort: unknown label (want lipoma or WDLPS)")
	// ErrUnknownCohort is returned for a cohort other than train or validation.
	ErrUnknownCohort = errors.New("cohort: unknown cohort (want train or validation)")
	// ErrFeatureName is returned for a feature name without a known modality
	// prefix, or a duplicate feature name.
	ErrFeatureName = errors.New("cohort: invalid feature name")
	// ErrFormat is returned for a malformed CSV file or value.
	ErrFormat = errors.New("cohort: malformed file")
	// ErrMissingStudy is returned when a study of the manifest has no row in
	// the feature table.
	ErrMissingStudy = errors.New("cohort: study missing from the feature table")
)
