package deep

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/mdm2node/mdm2node/series/volume"
)

// gridTolerance is the largest difference, in millimetres and direction
// cosines, between an image's and its mask's grids that still counts as
// the same grid.
const gridTolerance = 1e-3

// Preprocess configures how a region becomes network input.
type Preprocess struct {
	// MarginMM widens the region's bounding box on each side, in
	// millimetres, converted to whole pixels per axis (rounded up).
	MarginMM float64
	// NeighbourSlices adds up to this many slices on each side of the
	// largest cross-section; features are averaged over the slices used.
	// Only slices that contain region voxels are used.
	NeighbourSlices int
	// CTWindow is the [lower, upper] window in Hounsfield units for CT.
	CTWindow [2]float64
	// MRPercentiles are the [lower, upper] percentiles (0 to 100) of the
	// intensities inside the box that set the window for MR and any other
	// modality.
	MRPercentiles [2]float64
}

// Validate checks the ranges of the options.
func (p Preprocess) Validate() error {
	switch {
	case !(p.MarginMM >= 0) || math.IsInf(p.MarginMM, 0):
		return fmt.Errorf("%w: margin %v mm must be finite and non-negative", ErrExtractor, p.MarginMM)
	case p.NeighbourSlices < 0:
		return fmt.Errorf("%w: neighbour slices %d must be non-negative", ErrExtractor, p.NeighbourSlices)
	case !(p.CTWindow[0] < p.CTWindow[1]):
		return fmt.Errorf("%w: CT window %v must have lower < upper", ErrExtractor, p.CTWindow)
	case !(p.MRPercentiles[0] >= 0 && p.MRPercentiles[0] < p.MRPercentiles[1] && p.MRPercentiles[1] <= 100):
		return fmt.Errorf("%w: MR percentiles %v must satisfy 0 <= lower < upper <= 100", ErrExtractor, p.MRPercentiles)
	}
	return nil
}

// Crop is the part of an image that becomes one network input.
type Crop struct {
	// Slice is the slice index k.
	Slice int
	// X0, Y0 (inclusive) and X1, Y1 (exclusive) bound the box in columns
	// (i) and rows (j).
	X0, Y0, X1, Y1 int
	// Clipped reports that the margin reached past the image border and the
	// box was cut at the border.
	Clipped bool
	// Lower and Upper are the intensity window mapped to [0, 1].
	Lower, Upper float64
}

// Crops returns the crops of the region in mask on img, ordered by slice
// index. The largest cross-section is the slice k with the most region
// voxels (the lowest index on a tie). Up to NeighbourSlices slices on each
// side join it when they contain region voxels. Every crop uses the region's
// bounding box on the largest cross-section, widened by the margin and cut
// at the image border, and the window computed on that slice. Modality "CT"
// uses CTWindow, and any other modality uses MRPercentiles.
//
// An empty region is ErrEmptyRegion. A mask on another grid or a non-finite
// intensity in the box is ErrInput.
func (p Preprocess) Crops(img *volume.Volume, mask *volume.Mask, modality string) ([]Crop, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("%w: image: %v", ErrInput, err)
	}
	if err := mask.Check(); err != nil {
		return nil, fmt.Errorf("%w: mask: %v", ErrInput, err)
	}
	if !img.SameGrid(mask.Geometry, gridTolerance) {
		return nil, fmt.Errorf("%w: the mask's grid (size %v) differs from the image's (size %v)", ErrInput, mask.Size, img.Size)
	}
	nx, ny, nz := img.Size[0], img.Size[1], img.Size[2]

	// 1. Count region voxels per slice and pick the largest cross-section.
	counts := make([]int, nz)
	best := -1
	for k := 0; k < nz; k++ {
		counts[k] = countNonZero(mask.Data[k*nx*ny : (k+1)*nx*ny])
		if counts[k] > 0 && (best < 0 || counts[k] > counts[best]) {
			best = k
		}
	}
	if best < 0 {
		return nil, ErrEmptyRegion
	}

	// 2. Bounding box on that slice, widened by the margin and cut at the
	// image border.
	x0, y0, x1, y1 := nx, ny, -1, -1
	plane := mask.Data[best*nx*ny : (best+1)*nx*ny]
	for j := 0; j < ny; j++ {
		for i, v := range plane[j*nx : (j+1)*nx] {
			if v != 0 {
				x0, x1 = min(x0, i), max(x1, i)
				y0, y1 = min(y0, j), max(y1, j)
			}
		}
	}
	mx := int(math.Ceil(p.MarginMM/img.Spacing[0] - 1e-9))
	my := int(math.Ceil(p.MarginMM/img.Spacing[1] - 1e-9))
	box := Crop{Slice: best, X0: x0 - mx, Y0: y0 - my, X1: x1 + 1 + mx, Y1: y1 + 1 + my}
	if box.X0 < 0 || box.Y0 < 0 || box.X1 > nx || box.Y1 > ny {
		box.Clipped = true
		box.X0, box.Y0 = max(box.X0, 0), max(box.Y0, 0)
		box.X1, box.Y1 = min(box.X1, nx), min(box.Y1, ny)
	}

	// 3. The intensity window.
	if modality == "CT" {
		box.Lower, box.Upper = p.CTWindow[0], p.CTWindow[1]
	} else {
		vals := boxValues(img, box)
		for _, v := range vals {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%w: non-finite intensity in slice %d", ErrInput, best)
			}
		}
		box.Lower = percentile(vals, p.MRPercentiles[0])
		box.Upper = percentile(vals, p.MRPercentiles[1])
	}

	// 4. The slices: the largest cross-section and its neighbours with
	// region voxels.
	var crops []Crop
	for k := max(best-p.NeighbourSlices, 0); k <= min(best+p.NeighbourSlices, nz-1); k++ {
		if counts[k] == 0 {
			continue
		}
		c := box
		c.Slice = k
		crops = append(crops, c)
	}
	return crops, nil
}

// countNonZero returns the number of non-zero bytes in b. It skips 8 bytes
// at a time where all are zero, which makes counting a mostly empty mask
// several times faster than a byte loop.
func countNonZero(b []uint8) int {
	n := 0
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			for _, v := range b[:8] {
				if v != 0 {
					n++
				}
			}
		}
		b = b[8:]
	}
	for _, v := range b {
		if v != 0 {
			n++
		}
	}
	return n
}

// boxValues returns the intensities of img inside the crop, row by row.
func boxValues(img *volume.Volume, c Crop) []float32 {
	vals := make([]float32, 0, (c.X1-c.X0)*(c.Y1-c.Y0))
	for j := c.Y0; j < c.Y1; j++ {
		vals = append(vals, img.Data[img.Index(c.X0, j, c.Slice):img.Index(c.X1, j, c.Slice)]...)
	}
	return vals
}

// percentile returns the q-th percentile (0 to 100) of vals by linear
// interpolation between the order statistics at rank q/100*(n-1), NumPy's
// default method. vals is sorted in place; it must not be empty.
func percentile(vals []float32, q float64) float64 {
	slices.Sort(vals)
	r := q / 100 * float64(len(vals)-1)
	lo := int(math.Floor(r))
	hi := min(lo+1, len(vals)-1)
	f := r - float64(lo)
	return float64(vals[lo])*(1-f) + float64(vals[hi])*f
}
