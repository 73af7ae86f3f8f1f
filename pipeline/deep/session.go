package deep

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// SessionOptions configures Open.
type SessionOptions struct {
	// Library is the ONNX Runtime library path, as LibraryPath returns it.
	Library string
	// IntraOpThreads is the thread count of one inference; 0 means one per
	// logical CPU (runtime.NumCPU).
	IntraOpThreads int
	// ParallelRuns is how many ONNX Runtime runs may be in progress at the
	// same time, each with IntraOpThreads threads, and 0 means 1. Run splits a
	// batch of several images into up to ParallelRuns parts and runs them
	// concurrently, and concurrent Run calls share the same limit. Two runs
	// of one thread use two cores without the synchronisation that one run
	// of two threads needs for every layer, but a single image still runs
	// on one thread.
	ParallelRuns int
	// SpinDuringRun lets the intra-op worker threads spin while they wait
	// for the next parallel section of a run, instead of sleeping. ONNX
	// Runtime stops the spinning when Run returns, so an idle node still
	// uses no CPU. It shortens a run on otherwise idle cores, but on cores
	// shared with other work the spinning takes CPU time from that work
	// (docs/BENCHMARKS-deep.md has measurements). It only matters with more
	// than one thread.
	SpinDuringRun bool
	// Logger receives the session's start-up record; nil discards it.
	Logger *slog.Logger
}

// Session runs one extractor network. It is safe for concurrent use. Up to
// ParallelRuns runs are in progress at once, each using IntraOpThreads
// threads, and further runs wait. Threads never spin between runs. By
// default they do not spin at all (ONNX Runtime session options
// session.intra_op.allow_spinning and session.inter_op.allow_spinning set to
// 0), and with SessionOptions.SpinDuringRun they spin only until Run returns
// (session.force_spinning_stop set to 1). An idle node therefore uses no
// CPU.
type Session struct {
	ext Extractor
	// fixedBatch is the model's batch size when the input declares a fixed
	// one, else 0.
	fixedBatch int
	startup    time.Duration
	// slots has one element per run in progress; its capacity is
	// SessionOptions.ParallelRuns.
	slots chan struct{}

	// mu guards sess. Runs hold the read lock and Close the write lock, so
	// Close waits for the runs in progress.
	mu   sync.RWMutex
	sess *ort.DynamicAdvancedSession
}

// Open checks the model file against ext and creates an ONNX Runtime
// session for it. When ext.SHA256 is empty the computed checksum is filled
// in (see Extractor); otherwise a different checksum is ErrChecksum. A model
// whose declared input or output shape differs from ext is ErrModel, and a
// missing or unusable library is ErrLibrary.
//
// Creating a session loads and optimises the whole network (0.3 to 1.6 s
// for ResNet50 on the 2-core machine of docs/BENCHMARKS-deep.md, depending
// on its load), so a process should open one and keep it.
func Open(ext Extractor, opt SessionOptions) (*Session, error) {
	start := time.Now()
	if err := ext.Validate(); err != nil {
		return nil, err
	}

	// 1. Read the model and check its checksum.
	data, err := os.ReadFile(ext.File)
	if err != nil {
		return nil, fmt.Errorf("%w: %v; docs/MODELS.md explains how to export ResNet50, and 'mdm2node onnx resnet50' writes a random-weight test model", ErrModel, err)
	}
	sum := sha256Hex(data)
	if ext.SHA256 == "" {
		ext.SHA256 = sum
	} else if !strings.EqualFold(sum, ext.SHA256) {
		return nil, fmt.Errorf("%w: %s has SHA-256 %s, the extractor description expects %s; use the file the description names or update its sha256",
			ErrChecksum, ext.File, sum, ext.SHA256)
	}

	// 2. Check the declared input and output shapes.
	fixedBatch, err := checkShapes(data, &ext)
	if err != nil {
		return nil, err
	}

	// 3. Create the session.
	if err := InitRuntime(opt.Library); err != nil {
		return nil, err
	}
	threads := opt.IntraOpThreads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	so, err := newSessionOptions(threads, opt.SpinDuringRun)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{ext.InputName}, []string{ext.OutputName}, so)
	if err != nil {
		return nil, fmt.Errorf("%w: ONNX Runtime cannot load %s: %v", ErrModel, ext.File, err)
	}
	parallel := max(opt.ParallelRuns, 1)
	s := &Session{ext: ext, fixedBatch: fixedBatch, slots: make(chan struct{}, parallel), sess: sess, startup: time.Since(start)}
	if opt.Logger != nil {
		opt.Logger.Info("deep feature session started", "architecture", ext.Architecture, "file", ext.File,
			"sha256", ext.SHA256, "threads", threads, "parallel_runs", parallel, "spin_during_run", opt.SpinDuringRun,
			"startup", s.startup)
	}
	return s, nil
}

// newSessionOptions returns the ONNX Runtime options of a session. All graph
// optimisations are on. On x86-64 with AVX-512 (the machine of
// docs/BENCHMARKS-deep.md) they convert ResNet50's convolutions to the NCHWc
// blocked layout and fuse each one with its Relu and residual Add. Nodes run
// one after another (sequential execution, one inter-op thread), because a
// ResNet has no parallel branches worth running concurrently.
func newSessionOptions(threads int, spinDuringRun bool) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("%w: session options: %v", ErrLibrary, err)
	}
	intraSpin := "0"
	if spinDuringRun {
		intraSpin = "1"
	}
	steps := []error{
		so.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll),
		so.SetExecutionMode(ort.ExecutionModeSequential),
		so.SetIntraOpNumThreads(threads),
		so.SetInterOpNumThreads(1),
		so.AddSessionConfigEntry("session.intra_op.allow_spinning", intraSpin),
		so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0"),
		so.AddSessionConfigEntry("session.force_spinning_stop", "1"),
	}
	if err := errors.Join(steps...); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("%w: session options: %v", ErrLibrary, err)
	}
	return so, nil
}

// checkShapes compares the model's declared input and output with ext and
// returns the fixed batch size, or 0 when the batch dimension is symbolic.
func checkShapes(data []byte, ext *Extractor) (int, error) {
	info, err := onnxgen.Inspect(data)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrModel, ext.File, err)
	}
	in, ok := findValue(info.Inputs, ext.InputName)
	if !ok {
		return 0, fmt.Errorf("%w: %s has no input %q (inputs: %s)", ErrModel, ext.File, ext.InputName, valueNames(info.Inputs))
	}
	want := []int64{3, int64(ext.InputSize), int64(ext.InputSize)}
	if ext.Layout == LayoutNHWC {
		want = []int64{int64(ext.InputSize), int64(ext.InputSize), 3}
	}
	if len(in.Dims) != 4 || !dimsMatch(in.Dims[1:], want) {
		return 0, fmt.Errorf("%w: input %q of %s has shape %s, the extractor expects [batch %s] (%s)",
			ErrModel, ext.InputName, ext.File, formatDims(in.Dims), formatInts(want), ext.Layout)
	}
	fixedBatch := 0
	if d := in.Dims[0]; d.Param == "" && d.Value > 0 {
		fixedBatch = int(d.Value)
	}

	out, ok := findValue(info.Outputs, ext.OutputName)
	if !ok {
		return 0, fmt.Errorf("%w: %s has no output %q (outputs: %s); expose the pooled features with 'mdm2node onnx expose-pool'",
			ErrModel, ext.File, ext.OutputName, valueNames(info.Outputs))
	}
	if n := outputFeatures(out.Dims); n >= 0 && n != ext.Features {
		return 0, fmt.Errorf("%w: output %q of %s has shape %s, the extractor expects %d features",
			ErrModel, ext.OutputName, ext.File, formatDims(out.Dims), ext.Features)
	}
	return fixedBatch, nil
}

// outputFeatures returns the per-image feature count of an output declared
// [batch, F], [batch, F, 1, 1] or [batch, 1, 1, F]. It returns -1 when the
// shape is undeclared or F is symbolic, so that Run checks the count
// instead, and 0 for any other shape, which never matches a valid count.
func outputFeatures(dims []onnxgen.Dim) int {
	fixed := func(d onnxgen.Dim, v int64) bool { return d.Param == "" && d.Value == v }
	count := func(d onnxgen.Dim) int {
		if d.Param != "" || d.Value <= 0 {
			return -1
		}
		return int(d.Value)
	}
	switch {
	case len(dims) == 0:
		return -1
	case len(dims) == 2:
		return count(dims[1])
	case len(dims) == 4 && fixed(dims[2], 1) && fixed(dims[3], 1):
		return count(dims[1])
	case len(dims) == 4 && fixed(dims[1], 1) && fixed(dims[2], 1):
		return count(dims[3])
	}
	return 0
}

func findValue(vs []onnxgen.ValueInfo, name string) (onnxgen.ValueInfo, bool) {
	for _, v := range vs {
		if v.Name == name {
			return v, true
		}
	}
	return onnxgen.ValueInfo{}, false
}

// dimsMatch reports whether declared dimensions equal want; symbolic or
// unknown dimensions match any value.
func dimsMatch(dims []onnxgen.Dim, want []int64) bool {
	for i, d := range dims {
		if d.Param == "" && d.Value > 0 && d.Value != want[i] {
			return false
		}
	}
	return true
}

func valueNames(vs []onnxgen.ValueInfo) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = fmt.Sprintf("%q", v.Name)
	}
	return strings.Join(names, ", ")
}

func formatDims(dims []onnxgen.Dim) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		switch {
		case d.Param != "":
			parts[i] = d.Param
		case d.Value > 0:
			parts[i] = fmt.Sprint(d.Value)
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func formatInts(vs []int64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

// Extractor returns the description the session runs, with SHA256 filled in.
func (s *Session) Extractor() Extractor { return s.ext }

// Startup returns how long Open took: reading and checking the file and
// creating the ONNX Runtime session.
func (s *Session) Startup() time.Duration { return s.startup }

// Run computes the features of n images given as one input tensor in the
// extractor's layout (n*3*InputSize*InputSize values) and returns n
// feature vectors. The input is not modified.
func (s *Session) Run(input []float32, n int) ([][]float32, error) {
	size := 3 * s.ext.InputSize * s.ext.InputSize
	if n <= 0 || len(input) != n*size {
		return nil, fmt.Errorf("%w: %d input values for %d images of %d values", ErrInput, len(input), n, size)
	}
	if s.fixedBatch > 0 && n%s.fixedBatch != 0 {
		return nil, fmt.Errorf("%w: the model has a fixed batch size of %d, got %d images", ErrInput, s.fixedBatch, n)
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return nil, ErrClosed
	}
	parts := s.splitBatch(n)
	out := make([][]float32, n)
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.slots <- struct{}{}
			defer func() { <-s.slots }()
			rows, err := s.runBatch(input[p.first*size:(p.first+p.count)*size], p.count)
			errs[i] = err
			copy(out[p.first:], rows)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// batchPart is the images first to first+count-1 of a batch.
type batchPart struct{ first, count int }

// splitBatch divides n images into the batches that Run passes to ONNX
// Runtime: batches of the model's fixed size when it declares one, else up
// to cap(s.slots) batches of nearly equal size.
func (s *Session) splitBatch(n int) []batchPart {
	var parts []batchPart
	if s.fixedBatch > 0 {
		for first := 0; first < n; first += s.fixedBatch {
			parts = append(parts, batchPart{first, s.fixedBatch})
		}
		return parts
	}
	k := min(cap(s.slots), n)
	for i, first := 0, 0; i < k; i++ {
		count := n / k
		if i < n%k {
			count++
		}
		parts = append(parts, batchPart{first, count})
		first += count
	}
	return parts
}

func (s *Session) runBatch(input []float32, n int) ([][]float32, error) {
	shape := ort.NewShape(int64(n), 3, int64(s.ext.InputSize), int64(s.ext.InputSize))
	if s.ext.Layout == LayoutNHWC {
		shape = ort.NewShape(int64(n), int64(s.ext.InputSize), int64(s.ext.InputSize), 3)
	}
	// NewTensor wraps the slice without copying; ONNX Runtime only reads it.
	in, err := ort.NewTensor(shape, input)
	if err != nil {
		return nil, fmt.Errorf("deep: input tensor: %w", err)
	}
	defer in.Destroy()
	outputs := []ort.Value{nil}
	if err := s.sess.Run([]ort.Value{in}, outputs); err != nil {
		return nil, fmt.Errorf("deep: %s inference: %w", s.ext.Architecture, err)
	}
	defer outputs[0].Destroy()
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("%w: output %q is not a float32 tensor", ErrModel, s.ext.OutputName)
	}
	got := t.GetData()
	if len(got) != n*s.ext.Features {
		return nil, fmt.Errorf("%w: output %q has shape %v, want %d features per image", ErrModel, s.ext.OutputName, t.GetShape(), s.ext.Features)
	}
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = append([]float32(nil), got[i*s.ext.Features:(i+1)*s.ext.Features]...)
	}
	return rows, nil
}

// Close releases the ONNX Runtime session. The process-wide environment
// stays loaded for later sessions.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	s.sess = nil
	return err
}
