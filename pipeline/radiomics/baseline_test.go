package radiomics

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/series/volume"
)

// baselineTolerance is PyRadiomics' own pass criterion for its regression
// baseline: |1 - value/baseline| < 3 %, and exactly 0 when the baseline is 0.
const baselineTolerance = 0.03

// baselineColumns are the brain1 columns of the PyRadiomics regression
// baseline (PyRadiomics repository, data/baseline/baseline_<class>.csv,
// unchanged since PyRadiomics 2.2.0) that the shared data can reproduce,
// with the settings recorded in each column's
// diagnostics_Configuration_Settings row.
var baselineColumns = []struct {
	column string
	set    func(s *Settings)
}{
	{"brain1", func(s *Settings) { s.VoxelArrayShift = 2000; s.MinimumROIDimensions = 1 }},
	{"brain1_2d", func(s *Settings) { s.Force2D = true }},
	{"brain1_FBN", func(s *Settings) { s.BinCount = 64 }},
	{"brain1_combined", func(s *Settings) { s.WeightingNorm = "no_weighting" }},
	{"brain1_flatRegion", func(s *Settings) { s.ResegmentRange = []float64{0}; s.BinWidth = 5000 }},
	{"brain1_normalization", func(s *Settings) { s.Normalize = true; s.NormalizeScale = 100; s.BinWidth = 5 }},
	{"brain1_resampling", func(s *Settings) { s.ResampledPixelSpacing = []float64{2, 2, 2}; s.Interpolator = "sitkBSpline" }},
	{"brain1_resegmentation", func(s *Settings) { s.ResegmentRange = []float64{-3, 3}; s.ResegmentMode = "sigma" }},
}

// readBaseline returns, per column, the feature values of one baseline CSV.
func readBaseline(t *testing.T, class string) map[string]map[string]string {
	t.Helper()
	path := testutil.SharedPath(t, "reference/radiomics/pyradiomics/baseline/baseline_"+class+".csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, col := range rows[0][1:] {
		out[col] = map[string]string{}
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[0], "original_") {
			continue
		}
		for i, col := range rows[0][1:] {
			out[col][r[0]] = r[i+1]
		}
	}
	return out
}

func loadBrain1(t testing.TB) (*volume.Volume, *volume.Mask) {
	t.Helper()
	dir := testutil.SharedPath(t, "reference/radiomics/pyradiomics/images")
	fi, err := os.Open(filepath.Join(dir, "brain1_image.nrrd"))
	if err != nil {
		t.Fatal(err)
	}
	defer fi.Close()
	img, err := volume.ReadNRRD(fi)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := os.Open(filepath.Join(dir, "brain1_label.nrrd"))
	if err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	m, err := volume.ReadNRRDMask(fm, 1)
	if err != nil {
		t.Fatal(err)
	}
	return img, m
}

func relativeDiff(got, want float64) float64 {
	if want == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(1 - got/want)
}

func TestPyRadiomicsBaselineBrain1(t *testing.T) {
	img, mask := loadBrain1(t)
	for _, class := range []string{"firstorder", "shape", "glcm", "glrlm", "glszm", "gldm", "ngtdm"} {
		base := readBaseline(t, class)
		for _, bc := range baselineColumns {
			want, ok := base[bc.column]
			if !ok || len(want) == 0 || want["original_"+class+"_"+classes[class].active[0]] == "" {
				continue
			}
			t.Run(class+"/"+bc.column, func(t *testing.T) {
				p := Params{Setting: DefaultSettings(), ImageType: map[string]ImageType{"Original": {}},
					FeatureClass: map[string][]string{class: nil}}
				bc.set(&p.Setting)
				res, err := Extract(context.Background(), img, mask, p)
				if err != nil {
					t.Fatal(err)
				}
				worst, worstName := 0.0, ""
				defer func() { t.Logf("largest relative difference %.2g (%s)", worst, worstName) }()
				for name, ws := range want {
					if ws == "" {
						continue
					}
					w, err := strconv.ParseFloat(ws, 64)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					got, ok := res.Value(name)
					if !ok {
						t.Errorf("%s missing", name)
						continue
					}
					d := relativeDiff(got, w)
					if d > worst {
						worst, worstName = d, name
					}
					if !(d < baselineTolerance) {
						t.Errorf("%s = %.8g, baseline %.8g (relative difference %.3g)", name, got, w, d)
					}
				}
			})
		}
	}
}
