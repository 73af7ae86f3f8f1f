package deep

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
	"github.com/mdm2node/mdm2node/series/volume"
)

// libraryCaseEnv selects, in a child test process, which library to load;
// a fresh process is needed because a process loads ONNX Runtime once.
const libraryCaseEnv = "MDM2NODE_DEEP_LIBRARY_CASE"

// TestLibraryChild is the child half of TestLibraryErrors; it does nothing
// unless started by it.
func TestLibraryChild(t *testing.T) {
	path := os.Getenv(libraryCaseEnv)
	if path == "" {
		return // only meaningful when TestLibraryErrors starts it
	}
	_, err := Open(tinyExtractor(), SessionOptions{Library: path, IntraOpThreads: 1})
	if err == nil {
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, ErrLibrary) {
		t.Fatalf("error %v does not wrap ErrLibrary", err)
	}
	os.Stdout.WriteString("CHILD ERROR: " + err.Error() + "\n")
}

func TestLibraryErrors(t *testing.T) {
	dir := t.TempDir()
	notLibrary := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(notLibrary, []byte("not an ELF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path string }{
		{"missing", filepath.Join(dir, "absent", "libonnxruntime.so.1")},
		{"not a library", notLibrary},
		{"not ONNX Runtime", "/lib/x86_64-linux-gnu/libc.so.6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat(c.path); err != nil && c.name == "not ONNX Runtime" {
				t.Skipf("no %s on this system", c.path)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestLibraryChild$", "-test.v")
			cmd.Env = append(os.Environ(), libraryCaseEnv+"="+c.path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child process failed: %v\n%s", err, out)
			}
			msg := string(out)
			t.Log(msg)
			for _, want := range []string{"CHILD ERROR: ", c.path, LibraryConfigKey, LibraryEnv, InstallScript} {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not mention %q:\n%s", want, msg)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	lib := testLibrary(t)
	cases := []struct {
		name   string
		change func(*Extractor)
		want   error
		text   string
	}{
		{"checksum mismatch", func(e *Extractor) { e.SHA256 = strings.Repeat("ab", 32) }, ErrChecksum, strings.Repeat("ab", 32)},
		{"checksum not hex", func(e *Extractor) { e.SHA256 = "xyz" }, ErrExtractor, "sha256"},
		{"input size", func(e *Extractor) { e.InputSize = 64 }, ErrModel, "[batch 3 64 64]"},
		{"layout", func(e *Extractor) { e.Layout = LayoutNHWC }, ErrModel, "NHWC"},
		{"feature count", func(e *Extractor) { e.Features = 2048 }, ErrModel, "2048 features"},
		{"input name", func(e *Extractor) { e.InputName = "data" }, ErrModel, `no input "data"`},
		{"output name", func(e *Extractor) { e.OutputName = "fc" }, ErrModel, "expose-pool"},
		{"missing file", func(e *Extractor) { e.File = filepath.Join(t.TempDir(), "none.onnx") }, ErrModel, "none.onnx"},
		{"not a model", func(e *Extractor) { e.File = "helpers_test.go" }, ErrModel, "helpers_test.go"},
		{"no features", func(e *Extractor) { e.Features = 0 }, ErrExtractor, "feature count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ext := tinyExtractor()
			c.change(&ext)
			s, err := Open(ext, SessionOptions{Library: lib, IntraOpThreads: 1})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, c.want) {
				t.Errorf("error %v does not wrap %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not mention %q", err, c.text)
			}
		})
	}
}

func TestOpenFillsChecksum(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	want, err := FileSHA256(tinyExtractor().File)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Extractor().SHA256; got != want {
		t.Errorf("SHA256 %q, want %q", got, want)
	}
	ext := tinyExtractor()
	ext.SHA256 = strings.ToUpper(want)
	openTiny(t, ext)
}

func TestRunErrors(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	if _, err := s.Run(make([]float32, 10), 1); !errors.Is(err, ErrInput) {
		t.Errorf("short input: %v, want ErrInput", err)
	}
	if _, err := s.Run(nil, 0); !errors.Is(err, ErrInput) {
		t.Errorf("no images: %v, want ErrInput", err)
	}
	s.Close()
	if _, err := s.Run(tinyInputs(1), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestFeaturesEmptyRegion(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	img, mask := syntheticCase()
	empty := &volume.Mask{Geometry: mask.Geometry, Data: make([]uint8, len(mask.Data))}
	if _, err := s.Features(img, empty, "CT", testPreprocess()); !errors.Is(err, ErrEmptyRegion) {
		t.Errorf("empty region: %v, want ErrEmptyRegion", err)
	}
}

func TestFeaturesRegionAtBorder(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	img, _ := syntheticCase()
	mask := &volume.Mask{Geometry: img.Geometry, Data: make([]uint8, img.Len())}
	// A region in the image corner, slice 0: the margin reaches past two
	// borders.
	for j := 0; j < 3; j++ {
		for i := 0; i < 4; i++ {
			mask.Data[img.Index(i, j, 0)] = 1
		}
	}
	crops, err := testPreprocess().Crops(img, mask, "CT")
	if err != nil {
		t.Fatal(err)
	}
	if c := crops[0]; !c.Clipped || c.X0 != 0 || c.Y0 != 0 {
		t.Errorf("crop %+v, want clipped at the top-left corner", c)
	}
	f, err := s.Features(img, mask, "CT", testPreprocess())
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != tinyExtractor().Features {
		t.Errorf("%d features, want %d", len(f), tinyExtractor().Features)
	}
}

func TestFeaturesBadInput(t *testing.T) {
	s := openTiny(t, tinyExtractor())
	img, mask := syntheticCase()
	other := *mask
	other.Size = [3]int{mask.Size[0] + 1, mask.Size[1], mask.Size[2]}
	other.Data = make([]uint8, other.Len())
	copy(other.Data, mask.Data)
	if _, err := s.Features(img, &other, "CT", testPreprocess()); !errors.Is(err, ErrInput) {
		t.Errorf("mask on another grid: %v, want ErrInput", err)
	}
	short := *img
	short.Data = short.Data[:10]
	if _, err := s.Features(&short, mask, "CT", testPreprocess()); !errors.Is(err, ErrInput) {
		t.Errorf("truncated image: %v, want ErrInput", err)
	}
}

func TestOutputFeatures(t *testing.T) {
	v := func(n int64) onnxgen.Dim { return onnxgen.Dim{Value: n} }
	batch := onnxgen.Dim{Param: "batch"}
	cases := []struct {
		name string
		dims []onnxgen.Dim
		want int
	}{
		{"flat", []onnxgen.Dim{batch, v(2048)}, 2048},
		{"pooled NCHW", []onnxgen.Dim{batch, v(2048), v(1), v(1)}, 2048},
		{"pooled NHWC", []onnxgen.Dim{batch, v(1), v(1), v(1536)}, 1536},
		{"undeclared", nil, -1},
		{"symbolic count", []onnxgen.Dim{batch, {Param: "c"}}, -1},
		{"spatial map", []onnxgen.Dim{batch, v(2048), v(7), v(7)}, 0},
		{"rank 3", []onnxgen.Dim{batch, v(2048), v(1)}, 0},
	}
	for _, c := range cases {
		if got := outputFeatures(c.dims); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
