package learn

import "errors"

var (
	// ErrOneClass is returned when the labels hold a single class.
	ErrOneClass = errors.New("learn: labels hold a single class; both lipoma (0) and WDLPS (1) are needed")

	// ErrTooFewSamples is returned when a class has fewer samples than the
	// number of folds, or a method gets fewer samples than it needs.
	ErrTooFewSamples = errors.New("learn: too few samples")

	// ErrNonFinite is returned when an input holds NaN or an infinity.
	ErrNonFinite = errors.New("learn: value is NaN or infinite")

	// ErrConstantFeature is returned when a feature has the same value in
	// every training sample, so it carries no information.
	ErrConstantFeature = errors.New("learn: feature is constant over the training samples")

	// ErrShape is returned when matrix rows, labels or names disagree in length.
	ErrShape = errors.New("learn: inconsistent dimensions")

	// ErrInvalidParam is returned for a hyper-parameter or option out of range.
	ErrInvalidParam = errors.New("learn: invalid parameter")

	// ErrLabel is returned when a label is neither 0 nor 1.
	ErrLabel = errors.New("learn: label is neither 0 nor 1")

	// ErrNotConverged is returned when an iterative fit stops before its
	// convergence criterion holds.
	ErrNotConverged = errors.New("learn: fit did not converge")

	// ErrSeparation is returned when logistic regression meets complete or
	// quasi-complete separation, so the maximum-likelihood estimate does not
	// exist.
	ErrSeparation = errors.New("learn: classes are separated; the logistic maximum-likelihood estimate does not exist")

	// ErrSingular is returned when a matrix that must be inverted is singular.
	ErrSingular = errors.New("learn: matrix is singular")
)
