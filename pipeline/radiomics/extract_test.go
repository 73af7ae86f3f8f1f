package radiomics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/series/volume"
)

// synthetic returns a deterministic CT-like image of the given size with a
// box-shaped region from lo to hi (inclusive) and some texture in it.
func synthetic(size, lo, hi [3]int) (*volume.Volume, *volume.Mask) {
	g := volume.Geometry{Size: size, Spacing: [3]float64{0.8, 0.8, 2.5},
		Axes: [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}
	v := &volume.Volume{Geometry: g, Data: make([]float32, g.Len())}
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				i := g.Index(x, y, z)
				v.Data[i] = float32(-100 + 80*math.Sin(float64(x)/3) + 60*math.Cos(float64(y*z)/7) + float64((x*7+y*13+z*17)%23))
				if x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1] && z >= lo[2] && z <= hi[2] && (x+y)%11 != 0 {
					m.Data[i] = 1
				}
			}
		}
	}
	return v, m
}

func TestExtractDefaultParamsGives851Features(t *testing.T) {
	img, mask := synthetic([3]int{40, 36, 16}, [3]int{10, 8, 4}, [3]int{25, 24, 10})
	res, err := Extract(context.Background(), img, mask, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Names) != 851 {
		t.Errorf("%d features, want 851", len(res.Names))
	}
	want := FeatureNames(DefaultParams())
	if len(want) != len(res.Names) {
		t.Fatalf("FeatureNames gives %d names, Extract %d", len(want), len(res.Names))
	}
	for i := range want {
		if res.Names[i] != want[i] {
			t.Fatalf("feature %d is %q, FeatureNames says %q", i, res.Names[i], want[i])
		}
	}
	for _, n := range []string{"original_firstorder_Mean", "wavelet-LHL_glcm_Contrast", "wavelet-LLL_ngtdm_Busyness", "original_shape_Sphericity"} {
		if _, ok := res.Value(n); !ok {
			t.Errorf("%s missing", n)
		}
	}
	for i, v := range res.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s = %v", res.Names[i], v)
		}
	}
	if res.VoxelCount != mask.Count() {
		t.Errorf("voxel count %d, mask has %d", res.VoxelCount, mask.Count())
	}
	if want := [6]int{10, 8, 4, 16, 17, 7}; res.BoundingBox != want {
		t.Errorf("bounding box %v, want %v", res.BoundingBox, want)
	}
}

// Wavelet features computed on the cropped working box must equal those of
// a transform of the whole image, cropped afterwards as PyRadiomics does.
func TestWaveletCropMatchesWholeImage(t *testing.T) {
	for _, c := range []struct{ lo, hi [3]int }{
		{[3]int{10, 8, 4}, [3]int{25, 24, 10}}, // inside
		{[3]int{0, 8, 0}, [3]int{12, 24, 6}},   // touching the image border
	} {
		img, mask := synthetic([3]int{41, 36, 17}, c.lo, c.hi)
		p := Params{Setting: DefaultSettings(), ImageType: map[string]ImageType{"Wavelet": {}},
			FeatureClass: map[string][]string{"firstorder": nil, "glcm": nil}}
		res, err := Extract(context.Background(), img, mask, p)
		if err != nil {
			t.Fatal(err)
		}
		full := make([]float64, len(img.Data))
		for i, v := range img.Data {
			full[i] = float64(v)
		}
		in := make([]bool, len(mask.Data))
		for i, v := range mask.Data {
			in[i] = v != 0
		}
		r, _ := regionBounds(img.Size, in)
		bands := swt3(img.Size, full)
		for _, band := range waveletBands {
			b := &box{size: r.size(), spacing: img.Spacing, data: cropFloat(img.Size, bands[band], r), in: cropBool(img.Size, in, r)}
			want, err := imageFeatures(b, &p)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range want {
				got, ok := res.Value("wavelet-" + band + "_" + k)
				if !ok {
					continue
				}
				if math.Abs(got-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Errorf("region %v: wavelet-%s_%s = %v, whole-image transform gives %v", c, band, k, got, w)
				}
			}
		}
	}
}

func TestExtractBadInput(t *testing.T) {
	p := DefaultParams()
	size := [3]int{20, 18, 8}
	lo, hi := [3]int{5, 5, 2}, [3]int{12, 12, 5}

	t.Run("empty mask", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		clear(mask.Data)
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrEmptyMask) {
			t.Errorf("error %v, want ErrEmptyMask", err)
		}
	})
	t.Run("one voxel", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		clear(mask.Data)
		mask.Data[mask.Index(6, 6, 3)] = 1
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrSmallMask) {
			t.Errorf("error %v, want ErrSmallMask", err)
		}
	})
	t.Run("mask outside image", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		mask.Origin = [3]float64{500, 500, 500}
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrGeometry) {
			t.Errorf("error %v, want ErrGeometry", err)
		}
	})
	t.Run("different grid", func(t *testing.T) {
		img, _ := synthetic(size, lo, hi)
		_, mask := synthetic([3]int{20, 18, 9}, lo, hi)
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrGeometry) {
			t.Errorf("error %v, want ErrGeometry", err)
		}
	})
	t.Run("short data", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		img.Data = img.Data[:10]
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrGeometry) {
			t.Errorf("error %v, want ErrGeometry", err)
		}
	})
	t.Run("NaN in image", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		img.Data[img.Index(8, 8, 3)] = float32(math.NaN())
		if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrNaN) {
			t.Errorf("error %v, want ErrNaN", err)
		}
	})
	t.Run("constant image", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		for i := range img.Data {
			img.Data[i] = 40
		}
		res, err := Extract(context.Background(), img, mask, p)
		if err != nil {
			t.Fatal(err)
		}
		// PyRadiomics' defined values for a single grey level.
		want := map[string]float64{
			"original_firstorder_Variance": 0, "original_firstorder_Skewness": 0, "original_firstorder_Kurtosis": 0,
			"original_firstorder_Entropy": 0, "original_glcm_Correlation": 1, "original_glcm_Imc1": 0,
			"original_glcm_Imc2": 0, "original_glcm_MCC": 1, "original_ngtdm_Coarseness": 1e6,
			"original_ngtdm_Contrast": 0, "original_ngtdm_Busyness": 0, "original_ngtdm_Strength": 0,
		}
		for n, w := range want {
			got, _ := res.Value(n)
			if math.Abs(got-w) > 1e-12 {
				t.Errorf("%s = %v, want %v", n, got, w)
			}
		}
		for i, v := range res.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s = %v", res.Names[i], v)
			}
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Extract(ctx, img, mask, p); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
	t.Run("too many grey levels", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		q := p
		q.Setting.BinWidth = 0.001
		if _, err := Extract(context.Background(), img, mask, q); !errors.Is(err, ErrSettings) {
			t.Errorf("error %v, want ErrSettings", err)
		}
	})
	t.Run("re-segmentation leaves nothing", func(t *testing.T) {
		img, mask := synthetic(size, lo, hi)
		q := p
		q.Setting.ResegmentRange = []float64{5000}
		if _, err := Extract(context.Background(), img, mask, q); !errors.Is(err, ErrEmptyMask) {
			t.Errorf("error %v, want ErrEmptyMask", err)
		}
	})
}

func TestReadParams(t *testing.T) {
	const yml = `
imageType:
  Original: {}
  LoG:
    sigma: [1.0, 2.5]
  Wavelet: {}
featureClass:
  firstorder: [Mean, StandardDeviation]
  glcm:
setting:
  binWidth: 10
  voxelArrayShift: 1000
  label: 2
`
	p, err := ReadParams(strings.NewReader(yml))
	if err != nil {
		t.Fatal(err)
	}
	if p.Setting.BinWidth != 10 || p.Setting.Label != 2 || p.Setting.PadDistance != 5 || !p.Setting.SymmetricalGLCM {
		t.Errorf("settings %+v", p.Setting)
	}
	names := FeatureNames(p)
	if want := (1 + 2 + 8) * (2 + 24); len(names) != want {
		t.Errorf("%d names, want %d", len(names), want)
	}
	for _, n := range []string{"log-sigma-1-0-mm-3D_firstorder_StandardDeviation", "log-sigma-2-5-mm-3D_glcm_Idmn", "wavelet-HHH_firstorder_Mean"} {
		found := false
		for _, m := range names {
			found = found || m == n
		}
		if !found {
			t.Errorf("%s missing", n)
		}
	}

	for _, bad := range []string{
		"setting:\n  binWidth: -1\n",
		"setting:\n  resegmentMode: fancy\n",
		"setting:\n  nosuchsetting: 1\n",
		"featureClass:\n  glcm: [NoSuchFeature]\n",
		"imageType:\n  Gradient: {}\n",
		"imageType:\n  Wavelet: {wavelet: haar}\n",
	} {
		if _, err := ReadParams(strings.NewReader(bad)); !errors.Is(err, ErrSettings) {
			t.Errorf("%q: error %v, want ErrSettings", bad, err)
		}
	}
}

func TestExtractForce2DWaveletNames(t *testing.T) {
	img, mask := synthetic([3]int{30, 28, 10}, [3]int{8, 8, 2}, [3]int{20, 20, 7})
	p := Params{Setting: DefaultSettings(), ImageType: map[string]ImageType{"Wavelet": {}},
		FeatureClass: map[string][]string{"firstorder": {"Mean"}}}
	p.Setting.Force2D = true
	res, err := Extract(context.Background(), img, mask, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"wavelet-LH_firstorder_Mean", "wavelet-HL_firstorder_Mean", "wavelet-HH_firstorder_Mean", "wavelet-LL_firstorder_Mean"}
	if len(res.Names) != len(want) {
		t.Fatalf("names %v, want %v", res.Names, want)
	}
	for i := range want {
		if res.Names[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, res.Names[i], want[i])
		}
	}
	if names := FeatureNames(p); len(names) != 4 || names[0] != want[0] {
		t.Errorf("FeatureNames %v", names)
	}
}
