package stats

import "errors"

// The sentinel errors of the package. Functions wrap them with the offending
// value, so callers test with errors.Is.
var (
	// ErrEmpty is returned when an input has no elements.
	ErrEmpty = errors.New("stats: empty input")

	// ErrLength is returned when labels and scores (or other paired inputs)
	// differ in length.
	ErrLength = errors.New("stats: mismatched lengths")

	// ErrNaN is returned when a score, probability or parameter is NaN.
	ErrNaN = errors.New("stats: NaN value")

	// ErrOneClass is returned when the labels contain only positives or
	// only negatives, so that a statistic comparing the classes is undefined.
	ErrOneClass = errors.New("stats: labels contain one class only")

	// ErrTooFew is returned when a class has too few members for a variance
	// (DeLong needs at least two positives and two negatives).
	ErrTooFew = errors.New("stats: too few samples")

	// ErrRange is returned when a value lies outside its valid range, such
	// as a probability outside [0, 1] or a confidence level outside (0, 1).
	ErrRange = errors.New("stats: value out of range")
)
