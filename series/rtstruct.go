package series

import (
	"fmt"
	"math"
	"sort"

	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// rtstructMask rasterises the chosen ROI of an RT Structure Set (PS3.3
// C.8.8.5 and C.8.8.6) on the grid of ref. Each CLOSED_PLANAR contour is
// placed on the slice its Contour Image Sequence references, or else on
// the slice at its plane position. All contours of one slice are filled
// together with the even-odd rule, so a contour inside another cuts a hole.
// A voxel is inside when its centre is inside.
func rtstructMask(inst *instance, ref *Series, patterns []string, tol Tolerances) (*Region, error) {
	ds := inst.ds
	g := ref.Volume.Geometry

	// 1. Choose the ROI.
	rois := ds.items(tag.StructureSetROISequence)
	if len(rois) == 0 {
		return nil, fmt.Errorf("%w: no Structure Set ROI Sequence (3006,0020)", ErrRegion)
	}
	labels := make([]string, len(rois))
	for i, r := range rois {
		labels[i] = r.str(tag.ROIName)
	}
	chosen, why, err := chooseLabel(labels, patterns)
	if err != nil {
		return nil, err
	}
	roiNumber, _ := rois[chosen].int(tag.ROINumber)
	roiFrame := rois[chosen].str(tag.ReferencedFrameOfReferenceUID)

	// 2. Collect the contours of the ROI per slice, in voxel coordinates.
	var contours []attrs
	for _, rc := range ds.items(tag.ROIContourSequence) {
		if n, _ := rc.int(tag.ReferencedROINumber); n == roiNumber {
			contours = append(contours, rc.items(tag.ContourSequence)...)
		}
	}
	perSlice := map[int][][][2]float64{}
	for ci, c := range contours {
		if t := c.str(tag.ContourGeometricType); t != "CLOSED_PLANAR" {
			continue
		}
		poly, k, err := contourOnGrid(c, ref, roiFrame, tol)
		if err != nil {
			return nil, fmt.Errorf("ROI %q contour %d: %w", labels[chosen], ci+1, err)
		}
		perSlice[k] = append(perSlice[k], poly)
	}

	// 3. Fill each slice with the even-odd rule.
	mask := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	n := g.Size[0] * g.Size[1]
	for k, polys := range perSlice {
		fillEvenOdd(mask.Data[k*n:(k+1)*n], g.Size[0], g.Size[1], polys)
	}
	return &Region{Mask: mask, Label: labels[chosen], Reason: why}, nil
}

// contourOnGrid converts a contour to in-plane voxel coordinates and finds
// its slice: the image its Contour Image Sequence references, or else, when
// the ROI is in the series' Frame of Reference, the slice at its plane
// position. Some exporters write a Frame of Reference UID of their own while
// referencing the right images, so a referenced image is trusted first.
func contourOnGrid(c attrs, ref *Series, roiFrame string, tol Tolerances) ([][2]float64, int, error) {
	g := ref.Volume.Geometry
	data := c.floats(tag.ContourData)
	if len(data) < 9 || len(data)%3 != 0 {
		return nil, 0, fmt.Errorf("%w: Contour Data (3006,0050) with %d values", ErrRegion, len(data))
	}
	poly := make([][2]float64, len(data)/3)
	var kSum float64
	kMin, kMax := math.Inf(1), math.Inf(-1)
	for p := range poly {
		v := voxelCoords(g, vec3{data[3*p], data[3*p+1], data[3*p+2]})
		// Points may lie on the outer edge of the outermost voxels.
		if v[0] < -0.5 || v[0] > float64(g.Size[0])-0.5 || v[1] < -0.5 || v[1] > float64(g.Size[1])-0.5 {
			return nil, 0, fmt.Errorf("%w: point (%g, %g, %g) mm is outside the %dx%d image", ErrRegionOffGrid,
				data[3*p], data[3*p+1], data[3*p+2], g.Size[0], g.Size[1])
		}
		poly[p] = [2]float64{v[0], v[1]}
		kSum += v[2]
		kMin, kMax = math.Min(kMin, v[2]), math.Max(kMax, v[2])
	}
	if (kMax-kMin)*g.Spacing[2] > tol.SpacingToleranceMm {
		return nil, 0, fmt.Errorf("%w: contour spans %.3f mm along the slice normal, not in one image plane", ErrRegionOffGrid, (kMax-kMin)*g.Spacing[2])
	}

	kf := kSum / float64(len(poly))
	for _, im := range c.items(tag.ContourImageSequence) {
		frame, _ := im.int(tag.ReferencedFrameNumber)
		if k := sliceIndex(ref, im.str(tag.ReferencedSOPInstanceUID), frame); k >= 0 {
			if math.Abs(kf-float64(k))*g.Spacing[2] > tol.SpacingToleranceMm {
				return nil, 0, fmt.Errorf("%w: contour plane at slice coordinate %.3f, but it references slice %d", ErrRegionOffGrid, kf, k)
			}
			return poly, k, nil
		}
	}
	if roiFrame != "" && roiFrame != ref.Info.FrameOfReferenceUID {
		return nil, 0, fmt.Errorf("%w: contour references no image of the series and its ROI is in frame of reference %s, the series in %s",
			ErrRegionReference, roiFrame, ref.Info.FrameOfReferenceUID)
	}
	k := int(math.Round(kf))
	if k < 0 || k >= g.Size[2] || math.Abs(kf-float64(k))*g.Spacing[2] > tol.SpacingToleranceMm {
		return nil, 0, fmt.Errorf("%w: contour plane at slice coordinate %.3f is not a slice of the series (0 to %d)", ErrRegionOffGrid, kf, g.Size[2]-1)
	}
	return poly, k, nil
}

// fillEvenOdd toggles every pixel of a cols x rows slice whose centre lies
// inside a polygon, so that overlapping polygons cancel (even-odd rule). A
// centre is inside when a ray towards +x crosses the boundary an odd number
// of times. An edge counts when one end is above the centre's row and the
// other is not.
func fillEvenOdd(dst []uint8, cols, rows int, polys [][][2]float64) {
	toggle := make([]uint8, len(dst))
	var xs []float64
	for _, poly := range polys {
		for j := 0; j < rows; j++ {
			y := float64(j)
			xs = xs[:0]
			for e := range poly {
				a, b := poly[e], poly[(e+1)%len(poly)]
				if (a[1] > y) != (b[1] > y) {
					xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
			sort.Float64s(xs)
			// Pixel i is inside when an odd number of crossings lie to its
			// right, that is between crossings 2m and 2m+1 from the left.
			for m := 0; m+1 < len(xs); m += 2 {
				lo := int(math.Ceil(xs[m]))
				if lo < 0 {
					lo = 0
				}
				for i := lo; i < cols && float64(i) < xs[m+1]; i++ {
					toggle[j*cols+i] ^= 1
				}
			}
		}
	}
	for i, v := range toggle {
		if v != 0 {
			dst[i] ^= 1
		}
	}
}
