package radiomics

import (
	"math"
	"testing"
)

// The Laplacian of f = x^2 + 2y^2 + 3z^2 (mm) is 12 everywhere, so away
// from the border the scale-normalised LoG must return 12 sigma^2.
func TestLoGOfQuadratic(t *testing.T) {
	const tol = 1e-9
	size := [3]int{31, 29, 27}
	spacing := [3]float64{0.7, 0.9, 1.2}
	data := make([]float64, size[0]*size[1]*size[2])
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				px, py, pz := float64(x)*spacing[0], float64(y)*spacing[1], float64(z)*spacing[2]
				data[(z*size[1]+y)*size[0]+x] = px*px + 2*py*py + 3*pz*pz
			}
		}
	}
	for _, sigma := range []float64{1, 2} {
		out := logFilter(size, spacing, data, sigma)
		c := (13*size[1]+14)*size[0] + 15
		if want := 12 * sigma * sigma; math.Abs(out[c]-want) > tol*want {
			t.Errorf("sigma %v: LoG at the centre %v, want %v", sigma, out[c], want)
		}
	}
}

func TestLoGName(t *testing.T) {
	for sigma, want := range map[float64]string{1: "log-sigma-1-0-mm-3D", 2.5: "log-sigma-2-5-mm-3D", 0.75: "log-sigma-0-75-mm-3D"} {
		if got := logName(sigma); got != want {
			t.Errorf("logName(%v) = %q, want %q", sigma, got, want)
		}
	}
}

func TestPercentilesMatchSorting(t *testing.T) {
	x := make([]float64, 1001)
	for i := range x {
		x[i] = math.Mod(float64(i*7919), 1009) / 3
	}
	ps := []float64{10, 25, 50, 75, 90}
	got := percentiles(x, ps)
	sorted := append([]float64(nil), x...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for _, p := range ps {
		pos := p / 100 * float64(len(x)-1)
		k := int(pos)
		want := sorted[k] + (pos-float64(k))*(sorted[k+1]-sorted[k])
		if math.Abs(got[p]-want) > 1e-12 {
			t.Errorf("P%v = %v, want %v", p, got[p], want)
		}
	}
}
