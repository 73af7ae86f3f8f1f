package radiomics

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/series/volume"
)

// matrixTolerance is PyRadiomics' criterion for its matrix baselines
// (tests/test_matrices.py): largest absolute difference below 1e-3.
const matrixTolerance = 1e-3

// originalTexture crops img to the mask's bounding box and discretises it
// with s, as the baseline tests of PyRadiomics do.
func originalTexture(t *testing.T, img *volume.Volume, mask *volume.Mask, s *Settings) *texture {
	t.Helper()
	in := make([]bool, len(mask.Data))
	for i, v := range mask.Data {
		in[i] = v != 0
	}
	data := make([]float64, len(img.Data))
	for i, v := range img.Data {
		data[i] = float64(v)
	}
	r, ok := regionBounds(img.Size, in)
	if !ok {
		t.Fatal("empty mask")
	}
	b := &box{size: r.size(), spacing: img.Spacing, data: cropFloat(img.Size, data, r), in: cropBool(img.Size, in, r)}
	q, err := discretize(b, s)
	if err != nil {
		t.Fatal(err)
	}
	return newTexture(b, q, 1)
}

// readMatrix reads a baseline matrix in long format (indices..., value) into
// a map keyed by the index tuple.
func readMatrix(t *testing.T, name string) map[[3]int]float64 {
	t.Helper()
	f, err := os.Open(testutil.SharedPath(t, "reference/radiomics/pyradiomics/baseline_matrices/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[[3]int]float64{}
	for _, r := range rows[1:] {
		var k [3]int
		for i := 0; i < len(r)-1; i++ {
			k[i], err = strconv.Atoi(r[i])
			if err != nil {
				t.Fatal(err)
			}
		}
		v, err := strconv.ParseFloat(r[len(r)-1], 64)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// compareMatrix checks got against want over the union of their keys.
func compareMatrix(t *testing.T, got, want map[[3]int]float64) {
	t.Helper()
	worst, at := 0.0, [3]int{}
	for k, v := range want {
		if d := math.Abs(got[k] - v); d > worst {
			worst, at = d, k
		}
	}
	for k, v := range got {
		if d := math.Abs(want[k] - v); d > worst {
			worst, at = d, k
		}
	}
	t.Logf("largest absolute difference %.3g", worst)
	if worst >= matrixTolerance {
		t.Errorf("largest difference %.4g at %v (got %v, baseline %v)", worst, at, got[at], want[at])
	}
}

// denseColumns keeps the non-empty size columns of size matrices (all
// angles together), as the baseline arrays do, keyed (level, column, angle).
func denseColumns(mats []*sizeMatrix) map[[3]int]float64 {
	cols := mats[0].cols
	used := make([]bool, cols)
	for _, m := range mats {
		for k, v := range m.p {
			if v != 0 {
				used[k%cols] = true
			}
		}
	}
	newCol := make([]int, cols)
	c := 0
	for j := range used {
		newCol[j] = c
		if used[j] {
			c++
		}
	}
	out := map[[3]int]float64{}
	for a, m := range mats {
		for k, v := range m.p {
			if v != 0 {
				out[[3]int{k / cols, newCol[k%cols], a}] = v
			}
		}
	}
	return out
}

func TestTextureMatricesBrain1(t *testing.T) {
	img, mask := loadBrain1(t)
	s := DefaultSettings()
	tex := originalTexture(t, img, mask, &s)

	t.Run("glcm", func(t *testing.T) {
		mats, _ := glcmMatrices(tex, &s)
		n := len(tex.levels)
		got := map[[3]int]float64{}
		for a, p := range mats {
			var sum float64
			for _, v := range p {
				sum += v
			}
			for k, v := range p {
				if v != 0 {
					got[[3]int{k / n, k % n, a}] = v / sum
				}
			}
		}
		compareMatrix(t, got, readMatrix(t, "brain1_glcm.csv"))
	})
	t.Run("glrlm", func(t *testing.T) {
		mats, _ := glrlmMatrices(tex, &s)
		compareMatrix(t, denseColumns(mats), readMatrix(t, "brain1_glrlm.csv"))
	})
	t.Run("glszm", func(t *testing.T) {
		compareMatrix(t, denseColumns([]*sizeMatrix{glszmMatrix(tex, &s)}), readMatrix(t, "brain1_glszm.csv"))
	})
	t.Run("gldm", func(t *testing.T) {
		compareMatrix(t, denseColumns([]*sizeMatrix{gldmMatrix(tex, &s)}), readMatrix(t, "brain1_gldm.csv"))
	})
	t.Run("ngtdm", func(t *testing.T) {
		n, sum := ngtdmMatrix(tex, &s)
		got := map[[3]int]float64{}
		for i := range n {
			for c, v := range []float64{n[i], sum[i], float64(tex.levels[i])} {
				if v != 0 {
					got[[3]int{i, c, 0}] = v
				}
			}
		}
		compareMatrix(t, got, readMatrix(t, "brain1_ngtdm.csv"))
	})
}
