package sr

import "errors"

var (
	// ErrInvalidResult is returned when a Result has a value out of range, a
	// missing field or a class that disagrees with its likelihood and
	// threshold.
	ErrInvalidResult = errors.New("sr: invalid result")

	// ErrInvalidSource is returned when a Source has no instances, an invalid
	// UID or a value that does not fit its value representation.
	ErrInvalidSource = errors.New("sr: invalid source")

	// ErrInvalidOptions is returned when Options has an invalid UID or a
	// value that does not fit its value representation.
	ErrInvalidOptions = errors.New("sr: invalid options")
)
