package deep

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/series/volume"
)

// dicomSlice is one single-frame image read for the real-data tests.
type dicomSlice struct {
	pos        [3]float64
	row, col   [3]float64 // direction cosines of increasing column and row index
	spacing    [2]float64 // between columns, between rows
	rows, cols int
	hu         []float32
}

// readSlice reads the geometry and rescaled pixels of one image. Meta-less
// files (no preamble and no File Meta) are parsed as Implicit VR Little
// Endian, which suyashkumar/dicom infers from the first bytes.
func readSlice(t *testing.T, path string, noMeta bool) dicomSlice {
	t.Helper()
	var ds dicom.Dataset
	var err error
	if noMeta {
		f, ferr := os.Open(path)
		if ferr != nil {
			t.Fatal(ferr)
		}
		defer f.Close()
		st, _ := f.Stat()
		ds, err = dicom.Parse(f, st.Size(), nil, dicom.SkipMetadataReadOnNewParserInit())
	} else {
		ds, err = dicom.ParseFile(path, nil)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	str := func(tg tag.Tag) []string {
		e, err := ds.FindElementByTag(tg)
		if err != nil {
			return nil
		}
		return dicom.MustGetStrings(e.Value)
	}
	floats := func(tg tag.Tag) []float64 {
		var out []float64
		for _, s := range str(tg) {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				t.Fatalf("%s: %v: %v", path, tg, err)
			}
			out = append(out, v)
		}
		return out
	}
	ints := func(tg tag.Tag) int {
		e, err := ds.FindElementByTag(tg)
		if err != nil {
			t.Fatalf("%s: %v: %v", path, tg, err)
		}
		return dicom.MustGetInts(e.Value)[0]
	}

	var s dicomSlice
	s.rows, s.cols = ints(tag.Rows), ints(tag.Columns)
	ipp, iop, ps := floats(tag.ImagePositionPatient), floats(tag.ImageOrientationPatient), floats(tag.PixelSpacing)
	if len(ipp) != 3 || len(iop) != 6 || len(ps) != 2 {
		t.Fatalf("%s: position %v orientation %v spacing %v", path, ipp, iop, ps)
	}
	copy(s.pos[:], ipp)
	copy(s.row[:], iop[:3])
	copy(s.col[:], iop[3:])
	// PixelSpacing is row spacing (between rows), then column spacing.
	s.spacing = [2]float64{ps[1], ps[0]}
	slope, intercept := 1.0, 0.0
	if v := floats(tag.RescaleSlope); len(v) == 1 {
		slope = v[0]
	}
	if v := floats(tag.RescaleIntercept); len(v) == 1 {
		intercept = v[0]
	}
	signed := ints(tag.PixelRepresentation) == 1

	pe, err := ds.FindElementByTag(tag.PixelData)
	if err != nil {
		t.Fatalf("%s: pixel data: %v", path, err)
	}
	info := dicom.MustGetPixelDataInfo(pe.Value)
	if len(info.Frames) != 1 {
		t.Fatalf("%s: %d frames, want 1", path, len(info.Frames))
	}
	nf, err := info.Frames[0].GetNativeFrame()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s.hu = make([]float32, s.rows*s.cols)
	for y := 0; y < s.rows; y++ {
		for x := 0; x < s.cols; x++ {
			px, err := nf.GetPixel(x, y)
			if err != nil {
				t.Fatalf("%s: pixel (%d, %d): %v", path, x, y, err)
			}
			v := px[0]
			if signed {
				v = int(int16(uint16(v)))
			}
			s.hu[y*s.cols+x] = float32(float64(v)*slope + intercept)
		}
	}
	return s
}

// readSeries reads the files matching pattern as one volume, slices sorted
// along the slice normal.
func readSeries(t *testing.T, pattern string, noMeta bool) *volume.Volume {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) < 2 {
		t.Fatalf("%s: %d files, %v", pattern, len(paths), err)
	}
	var slices []dicomSlice
	for _, p := range paths {
		slices = append(slices, readSlice(t, p, noMeta))
	}
	first := slices[0]
	normal := [3]float64{
		first.row[1]*first.col[2] - first.row[2]*first.col[1],
		first.row[2]*first.col[0] - first.row[0]*first.col[2],
		first.row[0]*first.col[1] - first.row[1]*first.col[0],
	}
	along := func(s dicomSlice) float64 { return s.pos[0]*normal[0] + s.pos[1]*normal[1] + s.pos[2]*normal[2] }
	sort.Slice(slices, func(i, j int) bool { return along(slices[i]) < along(slices[j]) })
	dz := along(slices[1]) - along(slices[0])

	g := volume.Geometry{
		Size:    [3]int{first.cols, first.rows, len(slices)},
		Spacing: [3]float64{first.spacing[0], first.spacing[1], dz},
		Origin:  slices[0].pos,
		Axes:    [3][3]float64{first.row, first.col, normal},
	}
	v := &volume.Volume{Geometry: g}
	for _, s := range slices {
		if s.rows != first.rows || s.cols != first.cols {
			t.Fatalf("%s: slices of different sizes", pattern)
		}
		v.Data = append(v.Data, s.hu...)
	}
	if err := v.Check(); err != nil {
		t.Fatal(err)
	}
	return v
}

// discMask marks a disc of the given radius in pixels around (cx, cy) on
// each slice listed in radii.
func discMask(g volume.Geometry, cx, cy int, radii map[int]int) *volume.Mask {
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for k, r := range radii {
		for j := cy - r; j <= cy+r; j++ {
			for i := cx - r; i <= cx+r; i++ {
				if (i-cx)*(i-cx)+(j-cy)*(j-cy) <= r*r {
					m.Data[g.Index(i, j, k)] = 1
				}
			}
		}
	}
	return m
}

// bilinearAt samples slice k of img at fractional column x and row y,
// computed directly from the four neighbours.
func bilinearAt(img *volume.Volume, x, y float64, k int) float64 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	x1, y1 := min(x0+1, img.Size[0]-1), min(y0+1, img.Size[1]-1)
	v := func(i, j int) float64 { return float64(img.Data[img.Index(i, j, k)]) }
	return (1-fy)*((1-fx)*v(x0, y0)+fx*v(x1, y0)) + fy*((1-fx)*v(x0, y1)+fx*v(x1, y1))
}

func TestRealCTSeries(t *testing.T) {
	dir := testutil.SharedPath(t, "testdata/dicom/egsnrc/DICOM")
	img := readSeries(t, filepath.Join(dir, "*.ct"), true)
	if img.Size != [3]int{512, 512, 10} {
		t.Fatalf("size %v, want 512 x 512 x 10", img.Size)
	}
	// A disc region around the image centre, largest (radius 60) on slice 5.
	mask := discMask(img.Geometry, 256, 256, map[int]int{4: 40, 5: 60, 6: 50})
	pre := Preprocess{MarginMM: 10, NeighbourSlices: 1, CTWindow: [2]float64{-160, 240}, MRPercentiles: [2]float64{0.5, 99.5}}
	crops, err := pre.Crops(img, mask, "CT")
	if err != nil {
		t.Fatal(err)
	}
	if len(crops) != 3 || crops[1].Slice != 5 {
		t.Fatalf("crops %+v, want slices 4, 5, 6", crops)
	}
	mx := int(math.Ceil(10 / img.Spacing[0]))
	my := int(math.Ceil(10 / img.Spacing[1]))
	c := crops[1]
	if c.X0 != 196-mx || c.X1 != 317+mx || c.Y0 != 196-my || c.Y1 != 317+my {
		t.Errorf("box %+v, want columns %d..%d and rows %d..%d", c, 196-mx, 316+mx, 196-my, 316+my)
	}

	ext := tinyExtractor()
	input, err := Tensor(img, crops[1:2], ext)
	if err != nil {
		t.Fatal(err)
	}
	// Output pixel (x, y) samples the box at ((x+0.5)*w/S - 0.5,
	// (y+0.5)*h/S - 0.5). Check a grid of pixels against a direct bilinear
	// sample of the rescaled DICOM pixels.
	s := ext.InputSize
	w, h := float64(c.X1-c.X0), float64(c.Y1-c.Y0)
	for y := 0; y < s; y += 5 {
		for x := 0; x < s; x += 5 {
			sx := float64(c.X0) + (float64(x)+0.5)*w/float64(s) - 0.5
			sy := float64(c.Y0) + (float64(y)+0.5)*h/float64(s) - 0.5
			want := bilinearWindowed(img, sx, sy, c.Slice, -160, 240)
			for ch := 0; ch < 3; ch++ {
				got := float64(input[(ch*s+y)*s+x])*ImageNetStd[ch] + ImageNetMean[ch]
				if math.Abs(got-want) > preprocessTolerance {
					t.Errorf("channel %d pixel (%d, %d): windowed value %v, want %v", ch, x, y, got, want)
				}
			}
		}
	}

	sess := openTiny(t, ext)
	f, err := sess.Features(img, mask, "CT", pre)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("feature %d is %v", i, v)
		}
	}
}

// bilinearWindowed windows the four neighbours to [0, 1] and then
// interpolates, the order Tensor uses.
func bilinearWindowed(img *volume.Volume, x, y float64, k int, lower, upper float64) float64 {
	win := &volume.Volume{Geometry: img.Geometry, Data: make([]float32, img.Len())}
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	for j := y0; j <= min(y0+1, img.Size[1]-1); j++ {
		for i := x0; i <= min(x0+1, img.Size[0]-1); i++ {
			v := (float64(img.Data[img.Index(i, j, k)]) - lower) / (upper - lower)
			win.Data[img.Index(i, j, k)] = float32(math.Min(math.Max(v, 0), 1))
		}
	}
	return bilinearAt(win, x, y, k)
}

func TestRealMRSeries(t *testing.T) {
	dir := testutil.SharedPath(t, "testdata/dicom/dcm_qa_decubitus/HFS/3_t1_fl2d_sag")
	img := readSeries(t, filepath.Join(dir, "*.dcm"), false)
	if img.Size[2] != 35 {
		t.Fatalf("%d slices, want 35", img.Size[2])
	}
	cx, cy := img.Size[0]/2, img.Size[1]/2
	mask := discMask(img.Geometry, cx, cy, map[int]int{16: 20, 17: 30, 18: 20})
	pre := Preprocess{MarginMM: 5, CTWindow: [2]float64{-160, 240}, MRPercentiles: [2]float64{0.5, 99.5}}
	crops, err := pre.Crops(img, mask, "MR")
	if err != nil {
		t.Fatal(err)
	}
	if len(crops) != 1 || crops[0].Slice != 17 {
		t.Fatalf("crops %+v, want slice 17 only", crops)
	}

	// The window must leave out about 0.5 % of the box at each end: at most
	// ceil(0.005*n) values lie below the lower bound or above the upper one.
	c := crops[0]
	var box []float64
	for j := c.Y0; j < c.Y1; j++ {
		for i := c.X0; i < c.X1; i++ {
			box = append(box, float64(img.Data[img.Index(i, j, c.Slice)]))
		}
	}
	below, above := 0, 0
	for _, v := range box {
		if v < c.Lower {
			below++
		}
		if v > c.Upper {
			above++
		}
	}
	limit := int(math.Ceil(0.005 * float64(len(box))))
	if !(c.Lower < c.Upper) || below > limit || above > limit {
		t.Errorf("window [%v, %v]: %d below, %d above of %d values, want at most %d each", c.Lower, c.Upper, below, above, len(box), limit)
	}

	ext := tinyExtractor()
	input, err := Tensor(img, crops, ext)
	if err != nil {
		t.Fatal(err)
	}
	s := ext.InputSize
	x, y := s/2, s/3
	w, h := float64(c.X1-c.X0), float64(c.Y1-c.Y0)
	sx := float64(c.X0) + (float64(x)+0.5)*w/float64(s) - 0.5
	sy := float64(c.Y0) + (float64(y)+0.5)*h/float64(s) - 0.5
	want := bilinearWindowed(img, sx, sy, c.Slice, c.Lower, c.Upper)
	got := float64(input[(1*s+y)*s+x])*ImageNetStd[1] + ImageNetMean[1]
	if math.Abs(got-want) > preprocessTolerance {
		t.Errorf("pixel (%d, %d): windowed value %v, want %v", x, y, got, want)
	}
}
