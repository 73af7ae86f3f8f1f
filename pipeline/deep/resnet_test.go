package deep

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// writeResNet writes a generated ResNet50 to a temporary file and returns
// its extractor description.
func writeResNet(tb testing.TB, width, size int) Extractor {
	tb.Helper()
	m, err := onnxgen.ResNet50(onnxgen.ResNetOptions{Width: width, InputSize: size, Seed: onnxgen.DefaultResNetSeed})
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "resnet50.onnx")
	if err := os.WriteFile(path, m.Marshal(), 0o644); err != nil {
		tb.Fatal(err)
	}
	ext, err := Preset("resnet50")
	if err != nil {
		tb.Fatal(err)
	}
	ext.File, ext.InputSize, ext.Features = path, size, 32*width
	return ext
}

// TestResNet50ArchitectureRuns runs the generated ResNet50 layout through
// ONNX Runtime at a reduced width (8 instead of 64, so 256 features) and
// input size. The graph must load. The features must be finite, not all
// zero, and differ between different images.
func TestResNet50ArchitectureRuns(t *testing.T) {
	ext := writeResNet(t, 8, 64)
	s, err := Open(ext, SessionOptions{Library: testLibrary(t), IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	input := make([]float32, 2*3*64*64)
	for i := range input {
		input[i] = float32(math.Sin(0.013*float64(i)) + 0.5*math.Cos(0.0007*float64(i*i%9973)))
	}
	rows, err := s.Run(input, 2)
	if err != nil {
		t.Fatal(err)
	}
	diff, nonZero := 0.0, 0
	for i := range rows[0] {
		for _, r := range rows {
			if math.IsNaN(float64(r[i])) || math.IsInf(float64(r[i]), 0) {
				t.Fatalf("feature %d is %v", i, r[i])
			}
		}
		if rows[0][i] != 0 {
			nonZero++
		}
		diff += math.Abs(float64(rows[0][i] - rows[1][i]))
	}
	if nonZero < len(rows[0])/4 {
		t.Errorf("%d of %d features are non-zero", nonZero, len(rows[0]))
	}
	if diff == 0 {
		t.Error("two different images give the same features")
	}
}

// BenchmarkResNet50 measures the full-size generated ResNet50 (random
// weights, 224 x 224) at batch 1 and 8 in four configurations: one thread,
// two threads, two threads that spin during a run (SpinDuringRun), and two
// parallel runs of one thread (ParallelRuns). The last splits batch 8 into
// two batches of 4 and leaves batch 1 on one thread. The reported ns/op is
// per batch. The custom metrics are:
//
//   - ms/image: mean wall time per image;
//   - best-ms/image: the fastest batch divided by its size, the closest to
//     the cost on idle cores when other processes share the machine;
//   - cpu-ms/image: user plus system CPU time of the process per image;
//   - startup-ms: Open, timed apart from inference;
//   - peak-RSS-MiB: the process's peak resident set size so far;
//   - load-avg: the one-minute load average after the runs.
//
// Not run in CI:
//
//	go test ./pipeline/deep -run '^$' -bench ResNet50 -benchtime 20x
//
// Set MDM2NODE_BENCH_MODEL to a file written by 'mdm2node onnx resnet50' so
// that the peak memory excludes generating the model in the benchmark.
func BenchmarkResNet50(b *testing.B) {
	var ext Extractor
	if path := os.Getenv("MDM2NODE_BENCH_MODEL"); path != "" {
		var err error
		if ext, err = Preset("resnet50"); err != nil {
			b.Fatal(err)
		}
		ext.File = path
	} else {
		ext = writeResNet(b, 64, 224)
	}
	lib := testLibrary(b)
	configs := []struct {
		name string
		opt  SessionOptions
	}{
		{"threads=1", SessionOptions{Library: lib, IntraOpThreads: 1}},
		{"threads=2", SessionOptions{Library: lib, IntraOpThreads: 2}},
		{"threads=2-spin", SessionOptions{Library: lib, IntraOpThreads: 2, SpinDuringRun: true}},
		{"threads=1-runs=2", SessionOptions{Library: lib, IntraOpThreads: 1, ParallelRuns: 2}},
	}
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			start := time.Now()
			s, err := Open(ext, c.opt)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			startup := time.Since(start)
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
					benchmarkRun(b, s, batch, startup)
				})
			}
		})
	}
}

func benchmarkRun(b *testing.B, s *Session, batch int, startup time.Duration) {
	input := make([]float32, batch*3*224*224)
	for i := range input {
		input[i] = float32(math.Sin(0.001 * float64(i)))
	}
	if _, err := s.Run(input, batch); err != nil { // warm-up
		b.Fatal(err)
	}
	cpuBefore := processCPUTime()
	best := time.Duration(math.MaxInt64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := s.Run(input, batch); err != nil {
			b.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	b.StopTimer()
	images := float64(b.N * batch)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/images, "ms/image")
	b.ReportMetric(float64(best.Microseconds())/1000/float64(batch), "best-ms/image")
	// CPU time per image is less sensitive than wall time to other
	// processes competing for the cores.
	b.ReportMetric(float64((processCPUTime()-cpuBefore).Microseconds())/1000/images, "cpu-ms/image")
	b.ReportMetric(float64(startup.Milliseconds()), "startup-ms")
	b.ReportMetric(float64(peakRSSKiB())/1024, "peak-RSS-MiB")
	b.ReportMetric(loadAverage(), "load-avg")
}

// loadAverage returns the one-minute load average (/proc/loadavg, Linux),
// or 0 when it cannot be read.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(fields[0], 64)
	return v
}

// processCPUTime returns the user and system CPU time the process has used.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSKiB returns the process's peak resident set size (VmHWM in
// /proc/self/status, Linux), or 0 when it cannot be read.
func peakRSSKiB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return v
		}
	}
	return 0
}
