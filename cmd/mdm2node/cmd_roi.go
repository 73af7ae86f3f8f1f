package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mdm2node/mdm2node/series/segwrite"
	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

func init() {
	register("roi", "write a DICOM SEG from a voxel box or an intensity threshold: roi -series DIR (-box ... | -threshold LOW,HIGH) -label NAME -out FILE", runROI)
}

// errROI is returned for invalid roi input: an unreadable series, a box
// outside the grid or a region without voxels.
var errROI = errors.New("roi")

func runROI(args []string) error {
	fs := flag.NewFlagSet("roi", flag.ContinueOnError)
	seriesDir := fs.String("series", "", "`folder` holding the instances of one single-frame CT or MR series (required)")
	boxFlag := fs.String("box", "", "voxel box `i0,j0,k0,i1,j1,k1`, both corners included; i is the column, j the row, k the slice counted from the lowest position along the slice normal")
	thresholdFlag := fs.String("threshold", "", "keep voxels with `LOW,HIGH` (inclusive) in modality units after Rescale Slope and Intercept (HU for CT); with -box only inside the box")
	label := fs.String("label", "", "Segment Label of the region, for example Tumour (required)")
	out := fs.String("out", "", "output SEG `file` (required)")
	allFrames := fs.Bool("all-frames", false, "write a frame for every slice, not only for slices with region voxels")
	seriesNumber := fs.Int("series-number", 900, "Series Number of the SEG")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case *seriesDir == "":
		return fmt.Errorf("missing -series folder")
	case *label == "":
		return fmt.Errorf("missing -label")
	case *out == "":
		return fmt.Errorf("missing -out file")
	case *boxFlag == "" && *thresholdFlag == "":
		return fmt.Errorf("give -box, -threshold or both")
	}

	// 1. Read the series and build the mask.
	s, err := readROISeries(*seriesDir)
	if err != nil {
		return err
	}
	box := [6]int{0, 0, 0, s.grid.Size[0] - 1, s.grid.Size[1] - 1, s.grid.Size[2] - 1}
	if *boxFlag != "" {
		if box, err = parseBox(*boxFlag, s.grid.Size); err != nil {
			return err
		}
	}
	var threshold *[2]float64
	if *thresholdFlag != "" {
		lo, hi, err := parseRange(*thresholdFlag)
		if err != nil {
			return err
		}
		threshold = &[2]float64{lo, hi}
	}
	mask := roiMask(s, box, threshold)

	// 2. Write the SEG.
	seg := segwrite.Segment{Label: *label, AlgorithmType: segwrite.AlgorithmManual}
	if threshold != nil {
		seg.AlgorithmType = segwrite.AlgorithmSemiautomatic
		seg.AlgorithmName = "mdm2node roi threshold"
		seg.Description = fmt.Sprintf("threshold %s", *thresholdFlag)
	}
	res, err := segwrite.WriteFile(*out, s.source(), mask, seg, segwrite.Options{
		SeriesNumber:       *seriesNumber,
		SeriesDescription:  "ROI " + *label,
		ContentLabel:       "ROI",
		ContentCreatorName: "MDM2NODE^ROI",
		AllFrames:          *allFrames,
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d voxels in %d frames of %d slices, SOP Instance UID %s\n", *out, res.Voxels, res.Frames, s.grid.Size[2], res.SOPInstanceUID)
	return nil
}

// roiSeries is a single-frame series read by the roi command: its grid, its
// voxel values in modality units and the identity of each slice.
type roiSeries struct {
	grid      volume.Geometry
	values    []float32
	header    *dicom.Dataset
	instances []segwrite.Instance
	seriesUID string
	frameUID  string
	thickness float64
}

func (s *roiSeries) source() segwrite.Source {
	return segwrite.Source{
		Header:              s.header,
		SeriesInstanceUID:   s.seriesUID,
		FrameOfReferenceUID: s.frameUID,
		Instances:           s.instances,
		Geometry:            s.grid,
		SliceThickness:      s.thickness,
	}
}

// roiSlice is one parsed instance before sorting.
type roiSlice struct {
	ds       dicom.Dataset
	path     string
	position [3]float64
	distance float64
}

// Tolerances of the series reader: orientation cosines must agree to
// cosineTolerance, and slice gaps to the larger of gapToleranceMM and
// gapToleranceShare of the gap.
const (
	cosineTolerance   = 1e-4
	gapToleranceMM    = 0.01
	gapToleranceShare = 0.02
)

// readROISeries reads every regular file of dir as a DICOM instance of one
// single-frame series, sorts the slices along the slice normal and decodes
// native little-endian pixel data. Hidden files are ignored.
func readROISeries(dir string) (*roiSeries, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errROI, err)
	}
	var slices []roiSlice
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		ds, err := dicom.ParseFile(path, nil, dicom.SkipProcessingPixelDataValue())
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errROI, path, err)
		}
		slices = append(slices, roiSlice{ds: ds, path: path})
	}
	if len(slices) == 0 {
		return nil, fmt.Errorf("%w: no files in %s", errROI, dir)
	}

	// 1. One series, one orientation, one matrix.
	first := &slices[0].ds
	s := &roiSeries{seriesUID: roiString(first, tag.SeriesInstanceUID), frameUID: roiString(first, tag.FrameOfReferenceUID)}
	if s.frameUID == "" {
		return nil, fmt.Errorf("%w: %s has no Frame of Reference UID, which a SEG needs", errROI, slices[0].path)
	}
	iop, err := roiFloats(first, tag.ImageOrientationPatient, 6)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errROI, slices[0].path, err)
	}
	spacing, err := roiFloats(first, tag.PixelSpacing, 2)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errROI, slices[0].path, err)
	}
	row := [3]float64{iop[0], iop[1], iop[2]}
	col := [3]float64{iop[3], iop[4], iop[5]}
	normal := [3]float64{row[1]*col[2] - row[2]*col[1], row[2]*col[0] - row[0]*col[2], row[0]*col[1] - row[1]*col[0]}
	rows, cols := roiInt(first, tag.Rows), roiInt(first, tag.Columns)
	for i := range slices {
		sl := &slices[i]
		if uid := roiString(&sl.ds, tag.SeriesInstanceUID); uid != s.seriesUID {
			return nil, fmt.Errorf("%w: %s belongs to series %s, not %s", errROI, sl.path, uid, s.seriesUID)
		}
		o, err := roiFloats(&sl.ds, tag.ImageOrientationPatient, 6)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errROI, sl.path, err)
		}
		for a := range o {
			if math.Abs(o[a]-iop[a]) > cosineTolerance {
				return nil, fmt.Errorf("%w: %s has orientation %v, not %v", errROI, sl.path, o, iop)
			}
		}
		if roiInt(&sl.ds, tag.Rows) != rows || roiInt(&sl.ds, tag.Columns) != cols {
			return nil, fmt.Errorf("%w: %s has another matrix than %d x %d", errROI, sl.path, cols, rows)
		}
		p, err := roiFloats(&sl.ds, tag.ImagePositionPatient, 3)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errROI, sl.path, err)
		}
		sl.position = [3]float64{p[0], p[1], p[2]}
		sl.distance = normal[0]*p[0] + normal[1]*p[1] + normal[2]*p[2]
	}

	// 2. Sort along the normal and check that the slices are evenly spaced.
	sort.Slice(slices, func(a, b int) bool { return slices[a].distance < slices[b].distance })
	gap := 1.0
	if len(slices) > 1 {
		gap = slices[1].distance - slices[0].distance
	}
	for i := 1; i < len(slices); i++ {
		d := slices[i].distance - slices[i-1].distance
		if !(d > 0) || math.Abs(d-gap) > math.Max(gapToleranceMM, gapToleranceShare*gap) {
			return nil, fmt.Errorf("%w: uneven or repeated slice positions (gap %g mm after %s, expected %g mm)", errROI, d, slices[i-1].path, gap)
		}
	}
	if len(slices) == 1 {
		if t, err := roiFloats(first, tag.SliceThickness, 1); err == nil && t[0] > 0 {
			gap = t[0]
		}
	}
	s.grid = volume.Geometry{
		Size:    [3]int{cols, rows, len(slices)},
		Spacing: [3]float64{spacing[1], spacing[0], gap},
		Origin:  slices[0].position,
		Axes:    [3][3]float64{row, col, normal},
	}
	if err := s.grid.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", errROI, err)
	}
	if t, err := roiFloats(first, tag.SliceThickness, 1); err == nil {
		s.thickness = t[0]
	}

	// 3. Pixel data in modality units, and the slice identities.
	s.values = make([]float32, s.grid.Len())
	frame := rows * cols
	for k, sl := range slices {
		if err := decodeROISlice(&sl.ds, s.values[k*frame:(k+1)*frame]); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errROI, sl.path, err)
		}
		s.instances = append(s.instances, segwrite.Instance{
			SOPClassUID:    roiString(&sl.ds, tag.SOPClassUID),
			SOPInstanceUID: roiString(&sl.ds, tag.SOPInstanceUID),
		})
	}
	header := dicom.Dataset{}
	for _, e := range slices[0].ds.Elements {
		if e.Tag != tag.PixelData {
			header.Elements = append(header.Elements, e)
		}
	}
	s.header = &header
	return s, nil
}

// decodeROISlice decodes native 8- or 16-bit little-endian pixel data of one
// frame into out, applying Rescale Slope and Intercept.
func decodeROISlice(ds *dicom.Dataset, out []float32) error {
	if ts := roiString(ds, tag.TransferSyntaxUID); ts == "1.2.840.10008.1.2.2" {
		return fmt.Errorf("big-endian transfer syntax not supported")
	}
	e, err := ds.FindElementByTag(tag.PixelData)
	if err != nil {
		return fmt.Errorf("no pixel data")
	}
	info, ok := e.Value.GetValue().(dicom.PixelDataInfo)
	if !ok || info.IsEncapsulated || !info.IntentionallyUnprocessed {
		return fmt.Errorf("compressed (encapsulated) pixel data not supported")
	}
	if n := roiInt(ds, tag.SamplesPerPixel); n != 1 {
		return fmt.Errorf("%d samples per pixel, want 1", n)
	}

	bits, stored, signed := roiInt(ds, tag.BitsAllocated), roiInt(ds, tag.BitsStored), roiInt(ds, tag.PixelRepresentation) == 1
	if stored <= 0 || stored > bits {
		stored = bits
	}
	slope, intercept := 1.0, 0.0
	if v, err := roiFloats(ds, tag.RescaleSlope, 1); err == nil {
		slope = v[0]
	}
	if v, err := roiFloats(ds, tag.RescaleIntercept, 1); err == nil {
		intercept = v[0]
	}

	raw := info.UnprocessedValueData
	if len(raw) < len(out)*bits/8 {
		return fmt.Errorf("%d bytes of pixel data for %d pixels of %d bits", len(raw), len(out), bits)
	}

	shift := uint(32 - stored)
	for i := range out {
		var u uint32
		switch bits {
		case 8:
			u = uint32(raw[i])
		case 16:
			u = uint32(binary.LittleEndian.Uint16(raw[2*i:]))
		default:
			return fmt.Errorf("bits allocated %d not supported", bits)
		}
		var v int64
		if signed {
			v = int64(int32(u<<shift) >> shift)
		} else {
			v = int64(u & (1<<uint(stored) - 1))
		}
		out[i] = float32(float64(v)*slope + intercept)
	}
	return nil
}

// roiMask returns the mask of the voxels inside box (inclusive corners) and,
// when threshold is not nil, with a value in [threshold[0], threshold[1]].
func roiMask(s *roiSeries, box [6]int, threshold *[2]float64) *volume.Mask {
	g := s.grid
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for k := box[2]; k <= box[5]; k++ {
		for j := box[1]; j <= box[4]; j++ {
			for i := box[0]; i <= box[3]; i++ {
				idx := g.Index(i, j, k)
				if threshold != nil {
					v := float64(s.values[idx])
					if v < threshold[0] || v > threshold[1] {
						continue
					}
				}
				m.Data[idx] = 1
			}
		}
	}
	return m
}

// parseBox parses "i0,j0,k0,i1,j1,k1" and checks it against the grid size.
func parseBox(s string, size [3]int) ([6]int, error) {
	var box [6]int
	parts := strings.Split(s, ",")
	if len(parts) != 6 {
		return box, fmt.Errorf("%w: -box %q needs six integers i0,j0,k0,i1,j1,k1", errROI, s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return box, fmt.Errorf("%w: -box %q: %v", errROI, s, err)
		}
		box[i] = v
	}
	for a := 0; a < 3; a++ {
		if box[a] < 0 || box[a] > box[a+3] || box[a+3] >= size[a] {
			return box, fmt.Errorf("%w: -box %q outside the grid of %d x %d x %d voxels or with a corner after the other", errROI, s, size[0], size[1], size[2])
		}
	}
	return box, nil
}

// parseRange parses "LOW,HIGH".
func parseRange(s string) (float64, float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("%w: -threshold %q needs LOW,HIGH", errROI, s)
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err1 != nil || err2 != nil || lo > hi {
		return 0, 0, fmt.Errorf("%w: -threshold %q needs two numbers with LOW <= HIGH", errROI, s)
	}
	return lo, hi, nil
}

func roiString(ds *dicom.Dataset, t tag.Tag) string {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return ""
	}
	v, ok := e.Value.GetValue().([]string)
	if !ok || len(v) == 0 {
		return ""
	}
	return strings.TrimRight(v[0], " \x00")
}

func roiInt(ds *dicom.Dataset, t tag.Tag) int {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return 0
	}
	switch v := e.Value.GetValue().(type) {
	case []int:
		if len(v) > 0 {
			return v[0]
		}
	case []string:
		if len(v) > 0 {
			n, _ := strconv.Atoi(strings.TrimSpace(v[0]))
			return n
		}
	}
	return 0
}

// roiFloats returns the n values of a decimal string attribute.
func roiFloats(ds *dicom.Dataset, t tag.Tag, n int) ([]float64, error) {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return nil, fmt.Errorf("missing %s", tag.DebugString(t))
	}
	v, ok := e.Value.GetValue().([]string)
	if !ok || len(v) < n {
		return nil, fmt.Errorf("%s has %d values, want %d", tag.DebugString(t), len(v), n)
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimRight(v[i], "\x00")), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", tag.DebugString(t), err)
		}
		out[i] = f
	}
	return out, nil
}
