package radiomics

import "errors"

var (
	// ErrEmptyMask is returned when the mask has no voxel inside the image,
	// or none left after re-segmentation.
	ErrEmptyMask = errors.New("radiomics: mask region is empty")
	// ErrSmallMask is returned when the region spans fewer dimensions or
	// voxels than minimumROIDimensions or minimumROISize require.
	ErrSmallMask = errors.New("radiomics: mask region too small")
	// ErrGeometry is returned when image and mask are not on the same grid.
	ErrGeometry = errors.New("radiomics: image and mask geometry differ")
	// ErrNaN is returned when the image holds NaN or infinite values in the
	// part used for the calculation.
	ErrNaN = errors.New("radiomics: image contains NaN or infinite values")
	// ErrSettings is returned for an invalid or unsupported setting.
	ErrSettings = errors.New("radiomics: invalid settings")
)
