package deep

import "errors"

var (
	// ErrLibrary is returned when the ONNX Runtime shared library is missing,
	// is not ONNX Runtime, or is too old for the binding's C API level.
	ErrLibrary = errors.New("deep: ONNX Runtime library unusable")
	// ErrChecksum is returned when a model file's SHA-256 differs from the
	// extractor description.
	ErrChecksum = errors.New("deep: model file checksum mismatch")
	// ErrModel is returned when a model file cannot be read or its inputs and
	// outputs do not match the extractor description.
	ErrModel = errors.New("deep: unusable model file")
	// ErrExtractor is returned when an extractor description is incomplete or
	// inconsistent.
	ErrExtractor = errors.New("deep: invalid extractor description")
	// ErrEmptyRegion is returned when a region mask has no voxel inside.
	ErrEmptyRegion = errors.New("deep: empty region")
	// ErrInput is returned when an image or mask is unusable: inconsistent
	// geometry, a mask on another grid, or non-finite intensities.
	ErrInput = errors.New("deep: invalid input")
	// ErrClosed is returned by a Session used after Close.
	ErrClosed = errors.New("deep: session closed")
)
