package series

import (
	"fmt"
	"math"
	"sort"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// SliceRef identifies the image behind slice k of a volume, so that SEG
// and RTSTRUCT references can be resolved.
type SliceRef struct {
	SOPInstanceUID string
	// Frame is the 1-based frame number in a multi-frame object, 0 for a
	// single-frame instance.
	Frame int
	// Position is the Image Position (Patient) of the slice in millimetres.
	Position [3]float64
}

// Series is an assembled image series.
type Series struct {
	Volume *volume.Volume
	Info   SeriesInfo
	// Slices holds, for each slice index k of Volume, the image it came
	// from.
	Slices []SliceRef
}

// Tolerances of volume assembly; see config.VolumeTolerances.
type Tolerances = config.VolumeTolerances

// DefaultTolerances returns the built-in tolerances of config.yaml.
func DefaultTolerances() Tolerances { return config.Default().Series.Volume }

// LoadVolume assembles the image files of one series into a volume with the
// default tolerances. See LoadSeries.
func LoadVolume(files []string) (*volume.Volume, SeriesInfo, error) {
	s, err := LoadSeries(files, DefaultTolerances())
	if err != nil {
		return nil, SeriesInfo{}, err
	}
	return s.Volume, s.Info, nil
}

// LoadSeries reads, decodes and stacks the files of one series: single-frame
// images, or one or more multi-frame objects, in any order. Slices are
// sorted along the plane normal (row direction x column direction), so that
// Axes[2] of the result is that normal and Origin is the position of the
// first slice. Values are Rescale Slope * stored value + Rescale Intercept.
//
// It returns an error wrapping ErrMixedSeries, ErrMixedOrientation,
// ErrMixedMatrix, ErrDuplicateSlice, ErrMissingSlice, ErrUnevenSpacing or
// ErrGantryTilt when the slices do not form a regular grid, and a decoding
// error (ErrUnsupportedTransferSyntax, ErrCorruptPixels, ...) naming the
// file otherwise.
func LoadSeries(files []string, tol Tolerances) (*Series, error) {
	if len(files) == 0 {
		return nil, ErrEmptySeries
	}

	// 1. Decode every frame of every file.
	var slices []slice
	var info SeriesInfo
	seriesUID, forUID := "", ""
	for i, path := range files {
		inst, err := readInstance(path)
		if err != nil {
			return nil, err
		}
		uid := inst.ds.str(tag.SeriesInstanceUID)
		fr := inst.ds.str(tag.FrameOfReferenceUID)
		if i == 0 {
			info = InfoFromHeader(inst.ds)
			info.Frames, info.Instances = 0, len(files)
			seriesUID, forUID = uid, fr
		} else if uid != seriesUID || fr != forUID {
			return nil, fmt.Errorf("%w: %s has series %s, frame of reference %s; %s has %s, %s",
				ErrMixedSeries, path, uid, fr, files[0], seriesUID, forUID)
		}
		s, err := slicesOf(inst)
		if err != nil {
			return nil, err
		}
		slices = append(slices, s...)
	}
	info.Frames = len(slices)

	vol, refs, err := stackSlices(slices, tol)
	if err != nil {
		return nil, err
	}
	return &Series{Volume: vol, Info: info, Slices: refs}, nil
}

// stackSlices sorts the slices along their plane normal and fills a volume,
// after checking that they form a regular grid. It reorders slices.
func stackSlices(slices []slice, tol Tolerances) (*volume.Volume, []SliceRef, error) {
	// 2. Check the slices share one plane orientation and matrix.
	first := slices[0]
	for _, s := range slices[1:] {
		if s.rows != first.rows || s.cols != first.cols {
			return nil, nil, fmt.Errorf("%w: %s is %dx%d, %s is %dx%d", ErrMixedMatrix, s.path, s.cols, s.rows, first.path, first.cols, first.rows)
		}
		if math.Abs(s.pixelSpacing[0]-first.pixelSpacing[0]) > tol.SpacingToleranceMm/10 || math.Abs(s.pixelSpacing[1]-first.pixelSpacing[1]) > tol.SpacingToleranceMm/10 {
			return nil, nil, fmt.Errorf("%w: %s has pixel spacing %v, %s has %v", ErrMixedMatrix, s.path, s.pixelSpacing, first.path, first.pixelSpacing)
		}
		for a := 0; a < 6; a++ {
			if math.Abs(s.orientation[a]-first.orientation[a]) > tol.OrientationTolerance {
				return nil, nil, fmt.Errorf("%w: %s has %v, %s has %v", ErrMixedOrientation, s.path, s.orientation, first.path, first.orientation)
			}
		}
	}
	row := unit(vec3{first.orientation[0], first.orientation[1], first.orientation[2]})
	col := unit(vec3{first.orientation[3], first.orientation[4], first.orientation[5]})
	normal := unit(cross(row, col))
	if math.Abs(dot(row, col)) > tol.OrientationTolerance || norm(cross(row, col)) == 0 {
		return nil, nil, fmt.Errorf("%w: %s: row and column directions %v are not orthogonal", ErrMixedOrientation, first.path, first.orientation)
	}

	// 3. Sort along the normal and check the gaps.
	sort.SliceStable(slices, func(i, j int) bool { return dot(slices[i].position, normal) < dot(slices[j].position, normal) })
	spacing, err := sliceSpacing(slices, normal, tol)
	if err != nil {
		return nil, nil, err
	}

	// 4. Every slice must sit on the normal through the first one.
	for _, s := range slices[1:] {
		d := sub(s.position, slices[0].position)
		off := sub(d, scale(normal, dot(d, normal)))
		if norm(off) > tol.SpacingToleranceMm {
			return nil, nil, fmt.Errorf("%w: %s is %.3f mm off the normal through the first slice (tolerance %g mm)",
				ErrGantryTilt, s.path, norm(off), tol.SpacingToleranceMm)
		}
	}

	// 5. Fill the volume in modality units.
	geom := volume.Geometry{
		Size:    [3]int{first.cols, first.rows, len(slices)},
		Spacing: [3]float64{first.pixelSpacing[1], first.pixelSpacing[0], spacing},
		Origin:  slices[0].position,
		Axes:    [3][3]float64{row, col, normal},
	}
	vol := &volume.Volume{Geometry: geom, Data: make([]float32, geom.Len())}
	refs := make([]SliceRef, len(slices))
	n := first.rows * first.cols
	for k, s := range slices {
		dst := vol.Data[k*n : (k+1)*n]
		for i, v := range s.stored {
			dst[i] = float32(s.slope*float64(v) + s.intercept)
		}
		refs[k] = SliceRef{SOPInstanceUID: s.sopInstanceUID, Frame: s.frame, Position: s.position}
	}
	if err := vol.Check(); err != nil {
		return nil, nil, err
	}
	return vol, refs, nil
}

// defaultSingleSliceSpacing is the slice spacing in millimetres given to a
// one-slice volume whose header has neither Spacing Between Slices nor
// Slice Thickness. Any positive value keeps the geometry valid.
const defaultSingleSliceSpacing = 1.0

// sliceSpacing returns the median gap between sorted slices after checking
// every gap against it.
func sliceSpacing(slices []slice, normal vec3, tol Tolerances) (float64, error) {
	if len(slices) == 1 {
		if slices[0].thickness > 0 {
			return slices[0].thickness, nil
		}
		return defaultSingleSliceSpacing, nil
	}
	gaps := make([]float64, len(slices)-1)
	for i := range gaps {
		gaps[i] = dot(slices[i+1].position, normal) - dot(slices[i].position, normal)
		if gaps[i] < tol.SpacingToleranceMm {
			return 0, fmt.Errorf("%w: %s and %s are %.4f mm apart along the normal",
				ErrDuplicateSlice, slices[i].describe(), slices[i+1].describe(), gaps[i])
		}
	}
	sorted := append([]float64(nil), gaps...)
	sort.Float64s(sorted)
	median := sorted[len(sorted)/2]
	for i, g := range gaps {
		if math.Abs(g-median) <= tol.SpacingToleranceMm {
			continue
		}
		if m := math.Round(g / median); m >= 2 && math.Abs(g-m*median) <= tol.SpacingToleranceMm*m {
			return 0, fmt.Errorf("%w: gap of %.3f mm between %s and %s, about %d missing at spacing %.3f mm",
				ErrMissingSlice, g, slices[i].describe(), slices[i+1].describe(), int(m)-1, median)
		}
		return 0, fmt.Errorf("%w: gap of %.3f mm between %s and %s, usual spacing %.3f mm (tolerance %g mm)",
			ErrUnevenSpacing, g, slices[i].describe(), slices[i+1].describe(), median, tol.SpacingToleranceMm)
	}
	return median, nil
}

func (s slice) describe() string {
	if s.frame > 0 {
		return fmt.Sprintf("%s frame %d", s.path, s.frame)
	}
	return s.path
}
