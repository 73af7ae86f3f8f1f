package series

import (
	"fmt"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// slice is one decoded image frame with its plane geometry.
type slice struct {
	path           string
	sopInstanceUID string
	// frame is the 1-based frame number within a multi-frame object, 0
	// for a single-frame instance.
	frame       int
	orientation [6]float64
	position    vec3
	// pixelSpacing is (0028,0030): row spacing, then column spacing.
	pixelSpacing [2]float64
	rows, cols   int
	slope        float64
	intercept    float64
	stored       []int32
	// thickness is Spacing Between Slices or Slice Thickness, 0 if absent,
	// used only for a single-slice volume.
	thickness float64
}

// slicesOf decodes every frame of an instance and attaches its geometry. A
// single-frame image has it at the top level. An Enhanced or Legacy
// Converted Enhanced image has it in the Per-frame and Shared Functional
// Groups (PS3.3 C.7.6.16: Plane Position, Plane Orientation, Pixel Measures
// and Pixel Value Transformation macros).
func slicesOf(inst *instance) ([]slice, error) {
	frames, f, err := decodeFrames(inst)
	if err != nil {
		return nil, err
	}
	ds := inst.ds
	sop := ds.str(tag.SOPInstanceUID)
	shared := ds.item(tag.SharedFunctionalGroupsSequence)
	perFrame := ds.items(tag.PerFrameFunctionalGroupsSequence)
	multi := shared != nil || len(perFrame) > 0
	if multi && len(perFrame) != len(frames) {
		return nil, fmt.Errorf("%w: %s: %d Per-frame Functional Groups items for %d frames",
			ErrMissingAttribute, inst.path, len(perFrame), len(frames))
	}
	if !multi && len(frames) != 1 {
		return nil, fmt.Errorf("%w: %s: %d frames without Per-frame Functional Groups Sequence (5200,9230)", ErrMissingAttribute, inst.path, len(frames))
	}

	out := make([]slice, len(frames))
	for k, data := range frames {
		// Each macro is looked up in the frame's own item, then in the
		// shared item, then at the top level.
		levels := []attrs{ds}
		if multi {
			levels = []attrs{perFrame[k], shared, ds}
		}
		s := slice{path: inst.path, sopInstanceUID: sop, rows: f.rows, cols: f.cols, stored: data, slope: 1}
		if multi {
			s.frame = k + 1
		}
		iop, ok := lookup(levels, tag.PlaneOrientationSequence, tag.ImageOrientationPatient, 6)
		if !ok {
			return nil, fmt.Errorf("%w: %s: frame %d: Image Orientation (Patient) (0020,0037)", ErrMissingAttribute, inst.path, k+1)
		}
		copy(s.orientation[:], iop)
		ipp, ok := lookup(levels, tag.PlanePositionSequence, tag.ImagePositionPatient, 3)
		if !ok {
			return nil, fmt.Errorf("%w: %s: frame %d: Image Position (Patient) (0020,0032)", ErrMissingAttribute, inst.path, k+1)
		}
		copy(s.position[:], ipp)
		ps, ok := lookup(levels, tag.PixelMeasuresSequence, tag.PixelSpacing, 2)
		if !ok || !(ps[0] > 0 && ps[1] > 0) {
			return nil, fmt.Errorf("%w: %s: frame %d: Pixel Spacing (0028,0030)", ErrMissingAttribute, inst.path, k+1)
		}
		copy(s.pixelSpacing[:], ps)
		if v, ok := lookup(levels, tag.PixelValueTransformationSequence, tag.RescaleSlope, 1); ok && v[0] != 0 {
			s.slope = v[0]
		}
		if v, ok := lookup(levels, tag.PixelValueTransformationSequence, tag.RescaleIntercept, 1); ok {
			s.intercept = v[0]
		}
		if v, ok := lookup(levels, tag.PixelMeasuresSequence, tag.SpacingBetweenSlices, 1); ok && v[0] > 0 {
			s.thickness = v[0]
		} else if v, ok := lookup(levels, tag.PixelMeasuresSequence, tag.SliceThickness, 1); ok && v[0] > 0 {
			s.thickness = v[0]
		}
		out[k] = s
	}
	return out, nil
}

// lookup finds attribute t with n values, in each level either inside the
// functional group macro seq or directly.
func lookup(levels []attrs, seq, t tag.Tag, n int) ([]float64, bool) {
	for _, lv := range levels {
		if lv == nil {
			continue
		}
		if v := lv.item(seq).floats(t); len(v) == n {
			return v, true
		}
		if v := lv.floats(t); len(v) == n {
			return v, true
		}
	}
	return nil, false
}
