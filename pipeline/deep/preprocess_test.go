package deep

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/series/volume"
)

// preprocessTolerance is the largest absolute difference allowed between
// the float32 network input and the float64 values the tests compute.
const preprocessTolerance = 1e-5

func testPreprocess() Preprocess {
	return Preprocess{MarginMM: 2, CTWindow: [2]float64{-160, 240}, MRPercentiles: [2]float64{0, 100}}
}

// syntheticIntensity is the synthetic image: linear in column i and row j,
// so that bilinear interpolation reproduces it exactly, and offset by slice.
func syntheticIntensity(i, j, k float64) float64 { return -100 + 5*i + 3*j + 40*k }

// syntheticCase returns a 40 x 30 x 5 image with spacing 0.5 x 0.8 x 2 mm
// and a region on slices 1 to 3. Its largest cross-section is on slice 2,
// columns 10..17 and rows 8..13 (48 voxels), with smaller boxes on slices 1
// and 3.
func syntheticCase() (*volume.Volume, *volume.Mask) {
	g := volume.Geometry{
		Size:    [3]int{40, 30, 5},
		Spacing: [3]float64{0.5, 0.8, 2},
		Axes:    [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
	}
	img := &volume.Volume{Geometry: g, Data: make([]float32, g.Len())}
	mask := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for k := 0; k < g.Size[2]; k++ {
		for j := 0; j < g.Size[1]; j++ {
			for i := 0; i < g.Size[0]; i++ {
				img.Data[g.Index(i, j, k)] = float32(syntheticIntensity(float64(i), float64(j), float64(k)))
			}
		}
	}
	boxes := map[int][4]int{1: {12, 9, 15, 12}, 2: {10, 8, 17, 13}, 3: {11, 10, 14, 11}}
	for k, b := range boxes {
		for j := b[1]; j <= b[3]; j++ {
			for i := b[0]; i <= b[2]; i++ {
				mask.Data[g.Index(i, j, k)] = 1
			}
		}
	}
	return img, mask
}

func TestCropsSynthetic(t *testing.T) {
	img, mask := syntheticCase()
	// Margin 2 mm is ceil(2/0.5) = 4 columns and ceil(2/0.8) = 3 rows, so
	// the box on slice 2 is columns 6..21 and rows 5..16, half-open below.
	box := Crop{Slice: 2, X0: 6, Y0: 5, X1: 22, Y1: 17}
	ct := box
	ct.Lower, ct.Upper = -160, 240
	// For MR with percentiles 0 and 100 the window is the box's minimum and
	// maximum: the intensity at (6, 5, 2) and at (21, 16, 2).
	mr := box
	mr.Lower, mr.Upper = syntheticIntensity(6, 5, 2), syntheticIntensity(21, 16, 2)
	at := func(c Crop, k int) Crop { c.Slice = k; return c }

	cases := []struct {
		name       string
		modality   string
		neighbours int
		want       []Crop
	}{
		{"CT largest slice", "CT", 0, []Crop{ct}},
		{"MR percentiles", "MR", 0, []Crop{mr}},
		{"CT one neighbour", "CT", 1, []Crop{at(ct, 1), ct, at(ct, 3)}},
		// Slices 0 and 4 have no region voxels and are left out.
		{"CT five neighbours", "CT", 5, []Crop{at(ct, 1), ct, at(ct, 3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pre := testPreprocess()
			pre.NeighbourSlices = c.neighbours
			got, err := pre.Crops(img, mask, c.modality)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("crops\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestTensorSynthetic(t *testing.T) {
	img, mask := syntheticCase()
	ext := tinyExtractor() // 32 x 32 input, ImageNet normalisation
	crops, err := testPreprocess().Crops(img, mask, "CT")
	if err != nil {
		t.Fatal(err)
	}
	input, err := Tensor(img, crops, ext)
	if err != nil {
		t.Fatal(err)
	}
	s := ext.InputSize
	if len(input) != 3*s*s {
		t.Fatalf("%d values, want %d", len(input), 3*s*s)
	}

	// The box spans 16 columns and 12 rows, all inside the CT window, so the
	// windowed box is linear. Bilinear resizing therefore samples it exactly
	// at column 6 + clamp((x+0.5)*16/32 - 0.5, 0, 15) and row
	// 5 + clamp((y+0.5)*12/32 - 0.5, 0, 11).
	clamp := func(v, hi float64) float64 { return math.Min(math.Max(v, 0), hi) }
	for ch := 0; ch < 3; ch++ {
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				col := 6 + clamp((float64(x)+0.5)*16/32-0.5, 15)
				row := 5 + clamp((float64(y)+0.5)*12/32-0.5, 11)
				hu := syntheticIntensity(col, row, 2)
				want := ((hu+160)/400 - ImageNetMean[ch]) / ImageNetStd[ch]
				got := float64(input[(ch*s+y)*s+x])
				if math.Abs(got-want) > preprocessTolerance {
					t.Fatalf("channel %d pixel (%d, %d): %v, want %v", ch, x, y, got, want)
				}
			}
		}
	}

	// NHWC holds the same values interleaved.
	ext.Layout = LayoutNHWC
	nhwc, err := Tensor(img, crops, ext)
	if err != nil {
		t.Fatal(err)
	}
	for ch := 0; ch < 3; ch++ {
		for p := 0; p < s*s; p++ {
			if nhwc[3*p+ch] != input[ch*s*s+p] {
				t.Fatalf("NHWC channel %d pixel %d: %v, NCHW %v", ch, p, nhwc[3*p+ch], input[ch*s*s+p])
			}
		}
	}
}

func TestTensorWindowClamps(t *testing.T) {
	img, mask := syntheticCase()
	pre := testPreprocess()
	pre.CTWindow = [2]float64{0, 10} // most of the box lies outside
	crops, err := pre.Crops(img, mask, "CT")
	if err != nil {
		t.Fatal(err)
	}
	ext := tinyExtractor()
	input, err := Tensor(img, crops, ext)
	if err != nil {
		t.Fatal(err)
	}
	s := ext.InputSize
	// Pixel (0, 0) samples the box corner (6, 5): -100+30+15+80 = 25 HU,
	// above the window, so 1. No value may leave [0, 1] before
	// normalisation.
	if got, want := float64(input[0]), (1-ImageNetMean[0])/ImageNetStd[0]; math.Abs(got-want) > preprocessTolerance {
		t.Errorf("pixel (0, 0): %v, want %v", got, want)
	}
	for ch := 0; ch < 3; ch++ {
		lo, hi := -ImageNetMean[ch]/ImageNetStd[ch], (1-ImageNetMean[ch])/ImageNetStd[ch]
		for _, v := range input[ch*s*s : (ch+1)*s*s] {
			if float64(v) < lo-preprocessTolerance || float64(v) > hi+preprocessTolerance {
				t.Fatalf("channel %d value %v outside [%v, %v]", ch, v, lo, hi)
			}
		}
	}
}

func TestResizeBilinear(t *testing.T) {
	// Reference values worked out by hand from the half-pixel rule.
	cases := []struct {
		name   string
		src    []float32
		w, h   int
		dw, dh int
		want   []float32
	}{
		// 2 -> 4: samples at -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
		{"upsample row", []float32{0, 4}, 2, 1, 4, 1, []float32{0, 1, 3, 4}},
		// 4 -> 2: samples at 0.5 and 2.5.
		{"downsample row", []float32{0, 2, 4, 6}, 4, 1, 2, 1, []float32{1, 5}},
		// 2 x 2 -> 1 x 1: sample at (0.5, 0.5), the mean of the four.
		{"centre", []float32{1, 2, 3, 6}, 2, 2, 1, 1, []float32{3}},
		{"identity", []float32{1, 2, 3, 4, 5, 6}, 3, 2, 3, 2, []float32{1, 2, 3, 4, 5, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := append([]float32(nil), c.src...)
			got := ResizeBilinear(src, c.w, c.h, c.dw, c.dh)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if fmt.Sprint(src) != fmt.Sprint(c.src) {
				t.Errorf("source changed to %v", src)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	// NumPy 1.26 np.percentile([4, 1, 3, 2], q) with the default linear
	// method gives 1, 1.015, 2.5 and 4 for q = 0, 0.5, 50 and 100.
	cases := []struct{ q, want float64 }{{0, 1}, {0.5, 1.015}, {50, 2.5}, {100, 4}}
	for _, c := range cases {
		got := percentile([]float32{4, 1, 3, 2}, c.q)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("percentile %v: %v, want %v", c.q, got, c.want)
		}
	}
}

func TestPreprocessValidate(t *testing.T) {
	img, mask := syntheticCase()
	cases := []struct {
		name   string
		change func(*Preprocess)
	}{
		{"negative margin", func(p *Preprocess) { p.MarginMM = -1 }},
		{"NaN margin", func(p *Preprocess) { p.MarginMM = math.NaN() }},
		{"negative neighbours", func(p *Preprocess) { p.NeighbourSlices = -1 }},
		{"inverted CT window", func(p *Preprocess) { p.CTWindow = [2]float64{100, -100} }},
		{"percentile above 100", func(p *Preprocess) { p.MRPercentiles = [2]float64{1, 101} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pre := testPreprocess()
			c.change(&pre)
			if _, err := pre.Crops(img, mask, "MR"); !errors.Is(err, ErrExtractor) {
				t.Errorf("error %v, want ErrExtractor", err)
			}
		})
	}
}

func TestCropsNonFiniteMR(t *testing.T) {
	img, mask := syntheticCase()
	img.Data[img.Index(12, 10, 2)] = float32(math.NaN())
	if _, err := testPreprocess().Crops(img, mask, "MR"); !errors.Is(err, ErrInput) {
		t.Errorf("error %v, want ErrInput", err)
	}
}

// BenchmarkPreprocess measures the preprocessing of one region apart from
// the network, on a 512 x 512 x 40 CT with a region on 5 slices, for
// ResNet50's 224 x 224 input. crops-ms/region is Crops, which scans the
// whole mask once per region. tensor-ms/image is Tensor (window, resize,
// normalise) per image: 1 image per region with neighbours=0, 5 with
// neighbours=2. Not run in CI:
//
//	go test ./pipeline/deep -run '^$' -bench Preprocess
func BenchmarkPreprocess(b *testing.B) {
	g := volume.Geometry{
		Size:    [3]int{512, 512, 40},
		Spacing: [3]float64{0.7, 0.7, 3},
		Axes:    [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
	}
	img := &volume.Volume{Geometry: g, Data: make([]float32, g.Len())}
	for i := range img.Data {
		img.Data[i] = float32(-1000 + i%1400)
	}
	// The region is largest on slice 20 (60 x 50 voxels) and 50 x 40 voxels
	// on slices 18, 19, 21 and 22.
	mask := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for k := 18; k <= 22; k++ {
		x0, y0, x1, y1 := 225, 205, 275, 245
		if k == 20 {
			x0, y0, x1, y1 = 220, 200, 280, 250
		}
		for j := y0; j < y1; j++ {
			for i := x0; i < x1; i++ {
				mask.Data[g.Index(i, j, k)] = 1
			}
		}
	}
	ext, err := Preset("resnet50")
	if err != nil {
		b.Fatal(err)
	}
	for _, neighbours := range []int{0, 2} {
		b.Run(fmt.Sprintf("neighbours=%d", neighbours), func(b *testing.B) {
			pre := testPreprocess()
			pre.NeighbourSlices = neighbours
			images := 0
			var cropTime, tensorTime time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				crops, err := pre.Crops(img, mask, "CT")
				if err != nil {
					b.Fatal(err)
				}
				cropped := time.Now()
				if _, err := Tensor(img, crops, ext); err != nil {
					b.Fatal(err)
				}
				cropTime += cropped.Sub(start)
				tensorTime += time.Since(cropped)
				images += len(crops)
			}
			b.ReportMetric(float64(cropTime.Microseconds())/1000/float64(b.N), "crops-ms/region")
			b.ReportMetric(float64(tensorTime.Microseconds())/1000/float64(images), "tensor-ms/image")
		})
	}
}

func TestCountNonZero(t *testing.T) {
	cases := []struct {
		name string
		data []uint8
		want int
	}{
		{"empty", nil, 0},
		{"short tail", []uint8{0, 3, 0}, 1},
		{"zero words", make([]uint8, 24), 0},
		{"all set", []uint8{1, 1, 1, 1, 1, 1, 1, 1, 255, 1, 1}, 11},
		{"word and tail", []uint8{0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 2},
	}
	for _, c := range cases {
		if got := countNonZero(c.data); got != c.want {
			t.Errorf("%s: countNonZero = %d, want %d", c.name, got, c.want)
		}
	}
}
