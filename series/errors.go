package series

import "errors"

// Errors returned by this package. Each is wrapped with the file, tag or
// series involved, so test with errors.Is.
var (
	// ErrParse is returned when a file is not a readable DICOM data set.
	ErrParse = errors.New("series: cannot parse DICOM file")
	// ErrMissingAttribute is returned when an attribute needed to decode
	// pixels or geometry is absent or malformed.
	ErrMissingAttribute = errors.New("series: missing or invalid attribute")
	// ErrUnsupportedTransferSyntax is returned for pixel data in a transfer
	// syntax this package cannot decode.
	ErrUnsupportedTransferSyntax = errors.New("series: unsupported transfer syntax")
	// ErrUnsupportedPixels is returned for pixel layouts outside the scope of
	// this package: colour images, float pixel data, unusual bit depths.
	ErrUnsupportedPixels = errors.New("series: unsupported pixel data")
	// ErrCorruptPixels is returned when compressed or native pixel data is
	// truncated or inconsistent with the image attributes.
	ErrCorruptPixels = errors.New("series: corrupt pixel data")

	// ErrEmptySeries is returned when a volume is requested from no files.
	ErrEmptySeries = errors.New("series: no image instances")
	// ErrMixedSeries is returned when the instances belong to different
	// series or frames of reference.
	ErrMixedSeries = errors.New("series: instances from different series")
	// ErrMixedOrientation is returned when slices have different image
	// orientations.
	ErrMixedOrientation = errors.New("series: mixed image orientations")
	// ErrMixedMatrix is returned when slices have different rows, columns
	// or pixel spacing.
	ErrMixedMatrix = errors.New("series: mixed matrix sizes")
	// ErrDuplicateSlice is returned when two slices share one position
	// along the slice normal.
	ErrDuplicateSlice = errors.New("series: duplicate slice position")
	// ErrMissingSlice is returned when a gap between neighbouring slices is
	// a multiple of the usual spacing, so slices are missing.
	ErrMissingSlice = errors.New("series: missing slices")
	// ErrUnevenSpacing is returned when slice spacing varies beyond the
	// tolerance without being a whole multiple of the usual spacing.
	ErrUnevenSpacing = errors.New("series: uneven slice spacing")
	// ErrGantryTilt is returned when the slice positions do not advance
	// along the normal of the image plane (tilted CT gantry or sheared
	// stack).
	ErrGantryTilt = errors.New("series: slices not stacked along the plane normal (gantry tilt)")

	// ErrRegion is returned when a SEG or RTSTRUCT cannot be read as a
	// region on the reference volume.
	ErrRegion = errors.New("series: invalid region object")
	// ErrRegionReference is returned when a region references instances or
	// positions that are not in the reference series.
	ErrRegionReference = errors.New("series: region references images not in the series")
	// ErrRegionOffGrid is returned when RTSTRUCT contours lie off the image
	// grid of the reference series.
	ErrRegionOffGrid = errors.New("series: contour off the image grid")
	// ErrRegionLabel is returned when no segment or ROI can be chosen: none
	// matches the label patterns and there is more than one.
	ErrRegionLabel = errors.New("series: no unique region label")
	// ErrEmptyRegion is returned when the chosen region has no voxel on the
	// reference grid.
	ErrEmptyRegion = errors.New("series: empty region")
)
