package segwrite

import "errors"

var (
	// ErrSource is returned when the description of the referenced series is
	// incomplete or invalid (missing UIDs, one instance per slice expected).
	ErrSource = errors.New("segwrite: invalid source series")

	// ErrMask is returned when the mask's grid differs from the source grid
	// or when the mask is empty and frames are written only for slices that
	// contain region voxels.
	ErrMask = errors.New("segwrite: invalid mask")

	// ErrSegment is returned when the segment description is incomplete.
	ErrSegment = errors.New("segwrite: invalid segment")

	// ErrEncode is returned when a data element cannot be built or written.
	ErrEncode = errors.New("segwrite: encoding failed")
)
