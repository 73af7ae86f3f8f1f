package series

import (
	"fmt"
	"math"

	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// segMask reads the chosen segment of a DICOM Segmentation (PS3.3 C.8.20)
// onto the grid of ref. Each frame is placed on the slice it references in
// its Derivation Image Sequence > Source Image Sequence, or else, when the
// SEG shares ref's Frame of Reference, on the slice at its Plane Position.
// FRACTIONAL frames are thresholded: a voxel is inside when its value is at
// least half of Maximum Fractional Value (0062,000E), the usual reading of a
// probability or occupancy map as a binary region.
func segMask(inst *instance, ref *Series, patterns []string, tol Tolerances) (*Region, error) {
	ds := inst.ds
	g := ref.Volume.Geometry

	// 1. Choose the segment.
	segments := ds.items(tag.SegmentSequence)
	if len(segments) == 0 {
		return nil, fmt.Errorf("%w: no Segment Sequence (0062,0002)", ErrRegion)
	}
	labels := make([]string, len(segments))
	numbers := make([]int, len(segments))
	for i, s := range segments {
		labels[i] = s.str(tag.SegmentLabel)
		numbers[i], _ = s.int(tag.SegmentNumber)
	}
	chosen, why, err := chooseLabel(labels, patterns)
	if err != nil {
		return nil, err
	}
	segNumber := numbers[chosen]

	// 2. Decode the frames and read the threshold.
	frames, f, err := decodeFrames(inst)
	if err != nil {
		return nil, err
	}
	if f.rows != g.Size[1] || f.cols != g.Size[0] {
		return nil, fmt.Errorf("%w: SEG frames are %dx%d, the series is %dx%d", ErrRegion, f.cols, f.rows, g.Size[0], g.Size[1])
	}
	threshold := int32(1)
	if ds.str(tag.SegmentationType) == "FRACTIONAL" {
		maxFrac, ok := ds.int(tag.MaximumFractionalValue)
		if !ok || maxFrac <= 0 {
			return nil, fmt.Errorf("%w: FRACTIONAL SEG without Maximum Fractional Value (0062,000E)", ErrRegion)
		}
		threshold = int32((maxFrac + 1) / 2)
	}
	sameFrame := ds.str(tag.FrameOfReferenceUID) != "" && ds.str(tag.FrameOfReferenceUID) == ref.Info.FrameOfReferenceUID

	// 3. Place each frame of the chosen segment.
	shared := ds.item(tag.SharedFunctionalGroupsSequence)
	perFrame := ds.items(tag.PerFrameFunctionalGroupsSequence)
	if len(perFrame) != len(frames) {
		return nil, fmt.Errorf("%w: %d Per-frame Functional Groups items for %d frames", ErrRegion, len(perFrame), len(frames))
	}
	mask := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	n := g.Size[0] * g.Size[1]
	for i, item := range perFrame {
		num, ok := item.item(tag.SegmentIdentificationSequence).int(tag.ReferencedSegmentNumber)
		if !ok {
			num, ok = shared.item(tag.SegmentIdentificationSequence).int(tag.ReferencedSegmentNumber)
		}
		if !ok {
			return nil, fmt.Errorf("%w: frame %d has no Referenced Segment Number (0062,000B)", ErrRegion, i+1)
		}
		if num != segNumber {
			continue
		}
		k, err := segFrameSlice(item, ref, sameFrame, tol)
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", i+1, err)
		}
		dst := mask.Data[k*n : (k+1)*n]
		for p, v := range frames[i] {
			if v >= threshold {
				dst[p] = 1
			}
		}
	}
	return &Region{Mask: mask, Label: labels[chosen], Reason: why}, nil
}

// segFrameSlice returns the slice index of ref that one SEG frame lies on.
func segFrameSlice(item attrs, ref *Series, sameFrame bool, tol Tolerances) (int, error) {
	var referenced []string
	for _, der := range item.items(tag.DerivationImageSequence) {
		for _, src := range der.items(tag.SourceImageSequence) {
			uid := src.str(tag.ReferencedSOPInstanceUID)
			frame, _ := src.int(tag.ReferencedFrameNumber)
			if k := sliceIndex(ref, uid, frame); k >= 0 {
				if err := checkSEGFramePosition(item, ref, k, tol); err != nil {
					return 0, err
				}
				return k, nil
			}
			referenced = append(referenced, uid)
		}
	}
	pos := item.item(tag.PlanePositionSequence).floats(tag.ImagePositionPatient)
	if len(pos) == 3 && sameFrame {
		g := ref.Volume.Geometry
		c := voxelCoords(g, vec3{pos[0], pos[1], pos[2]})
		k := int(math.Round(c[2]))
		if k >= 0 && k < g.Size[2] && math.Abs(c[0])*g.Spacing[0] <= tol.SpacingToleranceMm &&
			math.Abs(c[1])*g.Spacing[1] <= tol.SpacingToleranceMm &&
			math.Abs(c[2]-float64(k))*g.Spacing[2] <= tol.SpacingToleranceMm {
			return k, nil
		}
		return 0, fmt.Errorf("%w: position %v is not a slice of the series (referenced instances %v)", ErrRegionReference, pos, referenced)
	}
	if len(referenced) == 0 {
		return 0, fmt.Errorf("%w: no source image reference and no plane position in the series' frame of reference", ErrRegionReference)
	}
	return 0, fmt.Errorf("%w: referenced instances %v are not in the series", ErrRegionReference, referenced)
}

// checkSEGFramePosition rejects a frame whose Plane Position differs from
// the position of the slice it references, because the SEG pixels would
// then lie on another in-plane grid than the series.
func checkSEGFramePosition(item attrs, ref *Series, k int, tol Tolerances) error {
	pos := item.item(tag.PlanePositionSequence).floats(tag.ImagePositionPatient)
	if len(pos) != 3 {
		return nil
	}
	d := norm(sub(vec3{pos[0], pos[1], pos[2]}, ref.Slices[k].Position))
	if d > tol.SpacingToleranceMm {
		return fmt.Errorf("%w: frame position %v is %.3f mm from the referenced slice at %v", ErrRegion, pos, d, ref.Slices[k].Position)
	}
	return nil
}
