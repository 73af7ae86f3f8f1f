package deep

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// referenceTolerance is the largest absolute difference allowed between
// ONNX Runtime's float32 outputs and the float64 plain-Go forward pass.
const referenceTolerance = 1e-5

// tinyWeights are the tiny CNN's initializers, decoded from the fixture
// file in the order the graph uses them.
type tinyWeights struct {
	conv1W, conv1B, conv2W, conv2B []float32
	fcW, fcB                       []float32 // only in the model with a head
}

func loadTinyWeights(t *testing.T, path string) tinyWeights {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := onnxgen.Inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	var all [][]float32
	for _, init := range info.Initializers {
		v, err := init.Floats()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, v)
	}
	if len(all) < 4 {
		t.Fatalf("%s has %d initializers, want at least 4", path, len(all))
	}
	w := tinyWeights{conv1W: all[0], conv1B: all[1], conv2W: all[2], conv2B: all[3]}
	if len(all) == 6 {
		w.fcW, w.fcB = all[4], all[5]
	}
	return w
}

// conv2d is a direct NCHW convolution of one image (c x h x w) with square
// kernels, stride and zero padding, in float64.
func conv2d(in []float64, c, h, w int, weight, bias []float32, cout, k, stride, pad int) ([]float64, int, int) {
	oh := (h+2*pad-k)/stride + 1
	ow := (w+2*pad-k)/stride + 1
	out := make([]float64, cout*oh*ow)
	for o := 0; o < cout; o++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				sum := float64(bias[o])
				for ci := 0; ci < c; ci++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := y*stride-pad+ky, x*stride-pad+kx
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							sum += in[(ci*h+iy)*w+ix] * float64(weight[((o*c+ci)*k+ky)*k+kx])
						}
					}
				}
				out[(o*oh+y)*ow+x] = sum
			}
		}
	}
	return out, oh, ow
}

func relu(v []float64) {
	for i := range v {
		v[i] = math.Max(v[i], 0)
	}
}

// maxPool2 is 2x2 max pooling with stride 2 and no padding.
func maxPool2(in []float64, c, h, w int) ([]float64, int, int) {
	oh, ow := h/2, w/2
	out := make([]float64, c*oh*ow)
	for ci := 0; ci < c; ci++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				m := math.Inf(-1)
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						m = math.Max(m, in[(ci*h+2*y+dy)*w+2*x+dx])
					}
				}
				out[(ci*oh+y)*ow+x] = m
			}
		}
	}
	return out, oh, ow
}

// tinyForward runs the tiny CNN on one 3 x 32 x 32 image and returns the
// pooled features and, when the weights have a head, the logits.
func tinyForward(w tinyWeights, img []float32) (pool, logits []float64) {
	s := onnxgen.TinySize
	x := make([]float64, len(img))
	for i, v := range img {
		x[i] = float64(v)
	}
	y, h, wd := conv2d(x, 3, s, s, w.conv1W, w.conv1B, 4, 3, 1, 1)
	relu(y)
	y, h, wd = maxPool2(y, 4, h, wd)
	y, h, wd = conv2d(y, 4, h, wd, w.conv2W, w.conv2B, 8, 3, 2, 1)
	relu(y)
	pool = make([]float64, 8)
	for c := range pool {
		for _, v := range y[c*h*wd : (c+1)*h*wd] {
			pool[c] += v
		}
		pool[c] /= float64(h * wd)
	}
	if w.fcW != nil {
		logits = make([]float64, onnxgen.TinyClasses)
		for o := range logits {
			logits[o] = float64(w.fcB[o])
			for c, v := range pool {
				logits[o] += float64(w.fcW[o*len(pool)+c]) * v
			}
		}
	}
	return pool, logits
}

// tinyInputs returns n deterministic 3 x 32 x 32 images with values in
// about [-2, 2], built from sines so that every pixel differs.
func tinyInputs(n int) []float32 {
	size := 3 * onnxgen.TinySize * onnxgen.TinySize
	out := make([]float32, n*size)
	for i := range out {
		out[i] = float32(2 * math.Sin(0.37*float64(i)+0.11*float64(i/size)))
	}
	return out
}

func TestTinyMatchesReference(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	w := loadTinyWeights(t, filepath.Join("testdata", "tiny_cnn.onnx"))
	const n = 4
	input := tinyInputs(n)
	size := len(input) / n

	rows, err := s.Run(input, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("got %d rows, want %d", len(rows), n)
	}
	for b, row := range rows {
		want, _ := tinyForward(w, input[b*size:(b+1)*size])
		for i := range want {
			if d := math.Abs(float64(row[i]) - want[i]); d > referenceTolerance {
				t.Errorf("image %d feature %d: ONNX Runtime %.8f, plain Go %.8f (difference %.2g)", b, i, row[i], want[i], d)
			}
		}
		nonZero := 0
		for _, v := range want {
			if v != 0 {
				nonZero++
			}
		}
		if nonZero < 2 {
			t.Errorf("image %d: only %d non-zero features; the comparison would be weak", b, nonZero)
		}
	}

	// The batch must not change the result of each image.
	for b := 0; b < n; b++ {
		one, err := s.Run(input[b*size:(b+1)*size], 1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range one[0] {
			if d := math.Abs(float64(one[0][i] - rows[b][i])); d > referenceTolerance {
				t.Errorf("image %d feature %d: batch of %d gives %v, alone %v", b, i, n, rows[b][i], one[0][i])
			}
		}
	}
}

func TestExposePoolMatchesReference(t *testing.T) {
	headPath := filepath.Join("testdata", "tiny_cnn_head.onnx")
	data, err := os.ReadFile(headPath)
	if err != nil {
		t.Fatal(err)
	}
	edited, name, err := onnxgen.ExposePool(data, onnxgen.TinyFeatures)
	if err != nil {
		t.Fatal(err)
	}
	if name != "pool" {
		t.Errorf("exposed %q, want the GlobalAveragePool output %q", name, "pool")
	}
	info, err := onnxgen.Inspect(edited)
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, o := range info.Outputs {
		outputs = append(outputs, o.Name)
	}
	if fmt.Sprint(outputs) != fmt.Sprint([]string{onnxgen.TinyLogits, "pool"}) {
		t.Errorf("outputs %v, want [logits pool]", outputs)
	}
	path := filepath.Join(t.TempDir(), "exposed.onnx")
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}

	ext := tinyExtractor()
	ext.File, ext.OutputName = path, name
	s := openTiny(t, ext)
	w := loadTinyWeights(t, headPath)
	input := tinyInputs(2)
	rows, err := s.Run(input, 2)
	if err != nil {
		t.Fatal(err)
	}
	size := len(input) / 2
	for b, row := range rows {
		want, _ := tinyForward(w, input[b*size:(b+1)*size])
		for i := range want {
			if d := math.Abs(float64(row[i]) - want[i]); d > referenceTolerance {
				t.Errorf("image %d feature %d: ONNX Runtime %.8f, plain Go %.8f", b, i, row[i], want[i])
			}
		}
	}

	// The logits stay available and match the reference head.
	logitsExt := ext
	logitsExt.OutputName, logitsExt.Features = onnxgen.TinyLogits, onnxgen.TinyClasses
	ls := openTiny(t, logitsExt)
	logits, err := ls.Run(input[:size], 1)
	if err != nil {
		t.Fatal(err)
	}
	_, want := tinyForward(w, input[:size])
	for i := range want {
		if d := math.Abs(float64(logits[0][i]) - want[i]); d > referenceTolerance {
			t.Errorf("logit %d: ONNX Runtime %.8f, plain Go %.8f", i, logits[0][i], want[i])
		}
	}

	// A second edit changes nothing.
	again, _, err := onnxgen.ExposePool(edited, onnxgen.TinyFeatures)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(edited) {
		t.Error("exposing an already exposed pool changed the model")
	}
}

func TestSplitBatch(t *testing.T) {
	cases := []struct {
		name              string
		fixedBatch, slots int
		n                 int
		want              []batchPart
	}{
		{"one run", 0, 1, 5, []batchPart{{0, 5}}},
		{"two runs, odd batch", 0, 2, 5, []batchPart{{0, 3}, {3, 2}}},
		{"more runs than images", 0, 3, 2, []batchPart{{0, 1}, {1, 1}}},
		{"fixed batch", 4, 1, 8, []batchPart{{0, 4}, {4, 4}}},
	}
	for _, c := range cases {
		s := &Session{fixedBatch: c.fixedBatch, slots: make(chan struct{}, c.slots)}
		if got := s.splitBatch(c.n); !slices.Equal(got, c.want) {
			t.Errorf("%s: splitBatch(%d) = %v, want %v", c.name, c.n, got, c.want)
		}
	}
}

// TestParallelRunsMatchSerial checks that splitting a batch over parallel
// runs, and concurrent Run calls, give the features of one serial run.
func TestParallelRunsMatchSerial(t *testing.T) {
	const n = 5
	input := tinyInputs(n)
	size := len(input) / n
	want, err := openTiny(t, tinyExtractor()).Run(input, n)
	if err != nil {
		t.Fatal(err)
	}

	s, err := Open(tinyExtractor(), SessionOptions{Library: testLibrary(t), IntraOpThreads: 1, ParallelRuns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	compare := func(label string, b int, got []float32) {
		for i := range got {
			if d := math.Abs(float64(got[i] - want[b][i])); d > referenceTolerance {
				t.Errorf("%s, image %d feature %d: %v, serial run %v", label, b, i, got[i], want[b][i])
			}
		}
	}

	rows, err := s.Run(input, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("got %d rows, want %d", len(rows), n)
	}
	for b, row := range rows {
		compare("split batch", b, row)
	}

	// Concurrent callers, one image each.
	got := make([][]float32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for b := 0; b < n; b++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Run(input[b*size:(b+1)*size], 1)
			if err == nil {
				got[b] = r[0]
			}
			errs[b] = err
		}()
	}
	wg.Wait()
	for b := 0; b < n; b++ {
		if errs[b] != nil {
			t.Errorf("concurrent call %d: %v", b, errs[b])
			continue
		}
		compare("concurrent calls", b, got[b])
	}
}
