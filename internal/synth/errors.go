package synth

import "errors"

var (
	// ErrParams is returned when generation parameters are out of range.
	ErrParams = errors.New("synth: invalid parameters")
	// ErrWrite is returned when a study's files cannot be encoded or
	// written.
	ErrWrite = errors.New("synth: writing failed")
)
