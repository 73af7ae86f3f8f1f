package series

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// SOP Class UIDs of the region objects (PS3.4 Annex B).
const (
	sopSegmentation = "1.2.840.10008.5.1.4.1.1.66.4"
	sopRTStructure  = "1.2.840.10008.5.1.4.1.1.481.3"
)

// Region is a mask with the label it was chosen by.
type Region struct {
	Mask *volume.Mask
	// Label is the Segment Label or ROI Name of the chosen region.
	Label string
	// Reason explains how the label was chosen.
	Reason string
}

// LoadMask reads a DICOM Segmentation or RT Structure Set and rasterises
// the chosen segment or ROI on the grid of ref. The chosen region is the one
// whose label matches the first pattern in labelPatterns that matches
// exactly one label. When no pattern does, it is the only region, if there
// is one. Tolerances
// are those ref was assembled with.
//
// Errors wrap ErrRegionLabel (no unique choice, naming the labels),
// ErrRegionReference (frames or contours referencing images or a frame of
// reference that ref does not have), ErrRegionOffGrid (contours outside
// the grid), ErrEmptyRegion, or ErrRegion for other malformed objects.
func LoadMask(regionFile string, ref *Series, labelPatterns []string, tol Tolerances) (*Region, error) {
	inst, err := readInstance(regionFile)
	if err != nil {
		return nil, err
	}
	var region *Region
	switch cls := inst.ds.str(tag.SOPClassUID); cls {
	case sopSegmentation:
		region, err = segMask(inst, ref, labelPatterns, tol)
	case sopRTStructure:
		region, err = rtstructMask(inst, ref, labelPatterns, tol)
	default:
		return nil, fmt.Errorf("%w: %s: SOP Class %s is neither Segmentation nor RT Structure Set", ErrRegion, regionFile, cls)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", regionFile, err)
	}
	if region.Mask.Count() == 0 {
		return nil, fmt.Errorf("%w: %s: region %q has no voxel on the series grid", ErrEmptyRegion, regionFile, region.Label)
	}
	return region, nil
}

// chooseLabel returns the index of the chosen label and why.
func chooseLabel(labels []string, patterns []string) (int, string, error) {
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return 0, "", fmt.Errorf("%w: label pattern %q: %v", ErrRegionLabel, p, err)
		}
		found := -1
		count := 0
		for i, l := range labels {
			if re.MatchString(l) {
				found = i
				count++
			}
		}
		if count == 1 {
			return found, fmt.Sprintf("label %q matches pattern %q", labels[found], p), nil
		}
	}
	if len(labels) == 1 {
		return 0, fmt.Sprintf("only region %q", labels[0]), nil
	}
	quoted := make([]string, len(labels))
	for i, l := range labels {
		quoted[i] = fmt.Sprintf("%q", l)
	}
	return 0, "", fmt.Errorf("%w: %d regions [%s], none matched by exactly one of the label patterns %q",
		ErrRegionLabel, len(labels), strings.Join(quoted, ", "), patterns)
}

// sliceIndex finds the slice of ref showing the referenced instance (and
// frame, for multi-frame references), or -1.
func sliceIndex(ref *Series, sopUID string, frame int) int {
	for k, s := range ref.Slices {
		if s.SOPInstanceUID == sopUID && (frame == 0 || s.Frame == frame) {
			return k
		}
	}
	return -1
}

// voxelCoords returns the continuous voxel coordinates (i, j, k) of a
// patient position on the grid g.
func voxelCoords(g volume.Geometry, p vec3) vec3 {
	d := sub(p, g.Origin)
	return vec3{dot(d, g.Axes[0]) / g.Spacing[0], dot(d, g.Axes[1]) / g.Spacing[1], dot(d, g.Axes[2]) / g.Spacing[2]}
}

// ReferencedSeries returns the Series Instance UIDs that a SEG or RTSTRUCT
// file refers to, so that a region can be matched to its series before the
// volume is loaded. A SEG lists them in Referenced Series Sequence
// (0008,1115). An RTSTRUCT lists them in Referenced Frame of Reference
// Sequence (3006,0010) > RT Referenced Study Sequence (3006,0012) > RT
// Referenced Series Sequence (3006,0014).
func ReferencedSeries(regionFile string) ([]string, error) {
	ds, err := readHeader(regionFile)
	if err != nil {
		return nil, err
	}
	var uids []string
	add := func(uid string) {
		for _, u := range uids {
			if u == uid {
				return
			}
		}
		if uid != "" {
			uids = append(uids, uid)
		}
	}
	switch cls := ds.str(tag.SOPClassUID); cls {
	case sopSegmentation:
		for _, s := range ds.items(tag.ReferencedSeriesSequence) {
			add(s.str(tag.SeriesInstanceUID))
		}
	case sopRTStructure:
		for _, f := range ds.items(tag.ReferencedFrameOfReferenceSequence) {
			for _, st := range f.items(tag.RTReferencedStudySequence) {
				for _, s := range st.items(tag.RTReferencedSeriesSequence) {
					add(s.str(tag.SeriesInstanceUID))
				}
			}
		}
	default:
		return nil, fmt.Errorf("%w: %s: SOP Class %s is neither Segmentation nor RT Structure Set", ErrRegion, regionFile, cls)
	}
	if len(uids) == 0 {
		return nil, fmt.Errorf("%w: %s references no series", ErrRegion, regionFile)
	}
	return uids, nil
}
