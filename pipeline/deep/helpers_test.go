package deep

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// testLibrary returns the ONNX Runtime library the tests use: the
// ONNXRUNTIME_SHARED_LIBRARY_PATH variable, else the one the install script
// puts in third_party. A missing library fails the test in CI.
func testLibrary(t testing.TB) string {
	t.Helper()
	p := LibraryPath("", testutil.RepoRoot(t))
	if _, err := os.Stat(p); err != nil {
		testutil.Missing(t, "ONNX Runtime library "+p+" (bash "+InstallScript+")")
	}
	return p
}

// tinyExtractor describes the tiny CNN fixture.
func tinyExtractor() Extractor {
	return Extractor{
		Architecture: "tiny",
		File:         filepath.Join("testdata", "tiny_cnn.onnx"),
		InputName:    onnxgen.TinyInput,
		OutputName:   onnxgen.TinyOutput,
		InputSize:    onnxgen.TinySize,
		Layout:       LayoutNCHW,
		Mean:         ImageNetMean,
		Std:          ImageNetStd,
		Features:     onnxgen.TinyFeatures,
	}
}

// openTiny opens a one-thread session on the tiny CNN fixture.
func openTiny(t testing.TB, ext Extractor) *Session {
	t.Helper()
	s, err := Open(ext, SessionOptions{Library: testLibrary(t), IntraOpThreads: 1})
	if err != nil {
		t.Fatalf("Open(%s): %v", ext.File, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
