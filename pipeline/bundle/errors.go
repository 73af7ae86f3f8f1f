package bundle

import "errors"

var (
	// ErrUnknownVersion is returned when a file is not a model bundle of
	// a version this build reads.
	ErrUnknownVersion = errors.New("bundle: unknown bundle format or version")
	// ErrExtractorMismatch is returned when the bundle's deep feature
	// extractor differs from the configured one.
	ErrExtractorMismatch = errors.New("bundle: deep feature extractor does not match the bundle")
	// ErrFeatureMismatch is returned when the features given to Score lack
	// features the model was trained on.
	ErrFeatureMismatch = errors.New("bundle: features do not match the model")
	// ErrNonFinite is returned when a feature value is NaN or infinite.
	ErrNonFinite = errors.New("bundle: feature value is NaN or infinite")
	// ErrNoModel is returned when a named model is not in the bundle.
	ErrNoModel = errors.New("bundle: no such model")
	// ErrInvalid is returned when a bundle's contents are inconsistent.
	ErrInvalid = errors.New("bundle: invalid bundle")
)
