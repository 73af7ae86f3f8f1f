package radiomics

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// waveletTolerance is the largest absolute difference accepted between
// swt3 and PyWavelets on values of order 1000 (rounding only).
const waveletTolerance = 1e-9

// pywtScript computes the eight bands the way PyRadiomics calls PyWavelets:
// odd axes extended by one wrapped voxel, pywt.swtn with coif1 at level 1
// over numpy axes (2, 1, 0), key letters a -> L and d -> H in x, y, z order,
// extension removed. It reads a float64 array (z, y, x) from argv[1] and
// writes the bands in the order of argv[5:] to argv[2].
const pywtScript = `
import sys, numpy as np, pywt
nz, ny, nx = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
a = np.fromfile(sys.argv[1], dtype='<f8').reshape(nz, ny, nx)
pad = [(0, s % 2) for s in a.shape]
p = np.pad(a, pad, 'wrap')
res = pywt.swtn(p, 'coif1', level=1, start_level=0, axes=(2, 1, 0))[0]
out = []
for band in sys.argv[6:]:
    key = band.replace('L', 'a').replace('H', 'd')
    out.append(res[key][:nz, :ny, :nx])
np.concatenate([o.ravel() for o in out]).astype('<f8').tofile(sys.argv[2])
`

func TestWaveletMatchesPyWavelets(t *testing.T) {
	py := testutil.RequirePython(t, "pywt", "numpy")
	for _, size := range [][3]int{{7, 6, 5}, {8, 8, 4}, {3, 9, 2}} {
		n := size[0] * size[1] * size[2]
		data := make([]float64, n)
		for i := range data {
			// A deterministic pattern with structure on every axis.
			x, y, z := i%size[0], (i/size[0])%size[1], i/(size[0]*size[1])
			data[i] = 1000*math.Sin(float64(3*x+5*y*y+7*z)) + float64(x*y-z*z)
		}
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.f64"), filepath.Join(dir, "out.f64")
		buf := make([]byte, 8*n)
		for i, v := range data {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		if err := os.WriteFile(in, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-c", pywtScript, in, out, strconv.Itoa(size[2]), strconv.Itoa(size[1]), strconv.Itoa(size[0])}
		args = append(args, waveletBands...)
		if b, err := exec.Command(py, args...).CombinedOutput(); err != nil {
			t.Fatalf("pywt: %v\n%s", err, b)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 8*n*len(waveletBands) {
			t.Fatalf("pywt wrote %d bytes, want %d", len(raw), 8*n*len(waveletBands))
		}
		got := swt3(size, data)
		if want := []string{"LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"}; !equalStrings(waveletBands, want) {
			t.Fatalf("band order %v, want PyRadiomics' %v", waveletBands, want)
		}
		for b, band := range waveletBands {
			worst := 0.0
			for i := 0; i < n; i++ {
				want := math.Float64frombits(binary.LittleEndian.Uint64(raw[8*(b*n+i):]))
				worst = math.Max(worst, math.Abs(got[band][i]-want))
			}
			if worst > waveletTolerance {
				t.Errorf("size %v band %s: largest difference from pywt %.3g", size, band, worst)
			}
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// With force2D along z the transform runs over x and y only and gives four
// bands named by their x and y filters; they must equal pywt.swtn over
// numpy axes (2, 1).
func TestWavelet2DMatchesPyWavelets(t *testing.T) {
	py := testutil.RequirePython(t, "pywt", "numpy")
	size := [3]int{7, 6, 3}
	n := size[0] * size[1] * size[2]
	data := make([]float64, n)
	for i := range data {
		data[i] = 500 * math.Cos(float64(i*i%97)) // deterministic, unstructured
	}
	s := DefaultSettings()
	s.Force2D = true
	axes := waveletAxes(&s)
	names := bandNames(len(axes))
	if !equalStrings(names, []string{"LH", "HL", "HH", "LL"}) {
		t.Fatalf("2D band names %v", names)
	}
	const script = `
import sys, numpy as np, pywt
nz, ny, nx = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
a = np.fromfile(sys.argv[1], dtype='<f8').reshape(nz, ny, nx)
p = np.pad(a, [(0, s % 2) for s in a.shape], 'wrap')
res = pywt.swtn(p, 'coif1', level=1, start_level=0, axes=(2, 1))[0]
out = [res[b.replace('L', 'a').replace('H', 'd')][:nz, :ny, :nx].ravel() for b in sys.argv[6:]]
np.concatenate(out).astype('<f8').tofile(sys.argv[2])
`
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.f64"), filepath.Join(dir, "out.f64")
	buf := make([]byte, 8*n)
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	if err := os.WriteFile(in, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-c", script, in, out, strconv.Itoa(size[2]), strconv.Itoa(size[1]), strconv.Itoa(size[0])}, names...)
	if b, err := exec.Command(py, args...).CombinedOutput(); err != nil {
		t.Fatalf("pywt: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil || len(raw) != 8*n*len(names) {
		t.Fatalf("pywt output: %d bytes, %v", len(raw), err)
	}
	got := swt(size, data, axes)
	for b, band := range names {
		for i := 0; i < n; i++ {
			want := math.Float64frombits(binary.LittleEndian.Uint64(raw[8*(b*n+i):]))
			if math.Abs(got[band][i]-want) > waveletTolerance {
				t.Fatalf("band %s voxel %d: %v, pywt %v", band, i, got[band][i], want)
			}
		}
	}
}
