// Package volume defines the image volume and region mask that the series
// package assembles from DICOM and that the feature extractors consume.
//
// Coordinates follow DICOM's patient coordinate system (LPS, millimetres).
// Voxel (i, j, k) is column i, row j, slice k; its centre is at
// Origin + i*Spacing[0]*Axes[0] + j*Spacing[1]*Axes[1] + k*Spacing[2]*Axes[2].
package volume

import (
	"errors"
	"fmt"
	"math"
)

// ErrGeometry is returned when a volume or mask has inconsistent dimensions
// or when a mask's grid differs from its image's grid.
var ErrGeometry = errors.New("volume: inconsistent geometry")

// Geometry is the voxel grid shared by a volume and its mask.
type Geometry struct {
	// Size is the number of columns (i), rows (j) and slices (k).
	Size [3]int
	// Spacing is the distance in millimetres between neighbouring voxel
	// centres along i, j and k.
	Spacing [3]float64
	// Origin is the patient position in millimetres of the centre of voxel
	// (0, 0, 0).
	Origin [3]float64
	// Axes holds the unit direction cosines of increasing i, j and k in
	// patient coordinates. For an axial series Axes[2] is the slice normal.
	Axes [3][3]float64
}

// Len returns the number of voxels.
func (g Geometry) Len() int { return g.Size[0] * g.Size[1] * g.Size[2] }

// Index returns the offset of voxel (i, j, k) in a Data slice: i varies
// fastest, then j, then k.
func (g Geometry) Index(i, j, k int) int { return (k*g.Size[1]+j)*g.Size[0] + i }

// Position returns the patient coordinates in millimetres of the centre of
// voxel (i, j, k).
func (g Geometry) Position(i, j, k float64) [3]float64 {
	var p [3]float64
	for a := 0; a < 3; a++ {
		p[a] = g.Origin[a] + i*g.Spacing[0]*g.Axes[0][a] + j*g.Spacing[1]*g.Axes[1][a] + k*g.Spacing[2]*g.Axes[2][a]
	}
	return p
}

// SameGrid reports whether g and o describe the same voxel grid, with
// positions and directions equal within tol (millimetres for positions and
// spacings, cosine units for directions).
func (g Geometry) SameGrid(o Geometry, tol float64) bool {
	if g.Size != o.Size {
		return false
	}
	for a := 0; a < 3; a++ {
		if math.Abs(g.Spacing[a]-o.Spacing[a]) > tol || math.Abs(g.Origin[a]-o.Origin[a]) > tol {
			return false
		}
		for b := 0; b < 3; b++ {
			if math.Abs(g.Axes[a][b]-o.Axes[a][b]) > tol {
				return false
			}
		}
	}
	return true
}

// Validate checks that the sizes and spacings are positive.
func (g Geometry) Validate() error {
	for a := 0; a < 3; a++ {
		if g.Size[a] <= 0 {
			return fmt.Errorf("%w: size %v", ErrGeometry, g.Size)
		}
		if !(g.Spacing[a] > 0) {
			return fmt.Errorf("%w: spacing %v", ErrGeometry, g.Spacing)
		}
	}
	return nil
}

// Volume is a scalar image on a grid, in modality units after Rescale Slope
// and Intercept (Hounsfield units for CT).
type Volume struct {
	Geometry
	// Data holds Len() values in Index order.
	Data []float32
}

// Mask is a region on a grid: a voxel belongs to the region when its value
// is non-zero.
type Mask struct {
	Geometry
	// Data holds Len() values in Index order, 1 inside the region and 0
	// outside.
	Data []uint8
}

// Check returns an error wrapping ErrGeometry unless len(v.Data) matches the
// geometry.
func (v *Volume) Check() error {
	if err := v.Validate(); err != nil {
		return err
	}
	if len(v.Data) != v.Len() {
		return fmt.Errorf("%w: %d values for size %v", ErrGeometry, len(v.Data), v.Size)
	}
	return nil
}

// Check returns an error wrapping ErrGeometry unless len(m.Data) matches the
// geometry.
func (m *Mask) Check() error {
	if err := m.Validate(); err != nil {
		return err
	}
	if len(m.Data) != m.Len() {
		return fmt.Errorf("%w: %d values for size %v", ErrGeometry, len(m.Data), m.Size)
	}
	return nil
}

// Count returns the number of voxels inside the region.
func (m *Mask) Count() int {
	n := 0
	for _, v := range m.Data {
		if v != 0 {
			n++
		}
	}
	return n
}
