package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// TestExtractRadiomicsAndDeep runs extract with both feature sets on a
// DICOM series and its SEG, with the tiny test CNN of pipeline/deep as the
// extractor, and checks that the deep features join the radiomics ones in
// one JSON object.
func TestExtractRadiomicsAndDeep(t *testing.T) {
	root := testutil.RepoRoot(t)
	lib := filepath.Join(root, "third_party", "onnxruntime", "libonnxruntime.so.1")
	if _, err := os.Stat(lib); err != nil {
		testutil.Missing(t, "ONNX Runtime library "+lib+" (scripts/install-onnxruntime.sh)")
	}
	seriesDir := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/ct-3slice")
	seg := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/liver.dcm")

	// 1. A configuration with the 8-feature tiny CNN (32 x 32 input).
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "config.yaml")
	model := filepath.Join(root, "pipeline", "deep", "testdata", "tiny_cnn.onnx")
	yaml := "deep:\n  onnxruntime_library: " + lib + "\n  intra_op_threads: 1\n  model:\n" +
		"    architecture: tiny\n    file: " + model + "\n    input_size: 32\n    features: 8\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	// 2. Extract with both feature sets.
	got := extractJSON(t, "imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n",
		"-series", seriesDir, "-region", seg, "-features", "radiomics,deep", "-config", cfg)

	// 3. Both feature sets in one output.
	radiomics, deep := 0, 0
	for name := range got {
		switch {
		case strings.HasPrefix(name, "original_firstorder_"):
			radiomics++
		case strings.HasPrefix(name, "deep_tiny_"):
			deep++
		default:
			t.Errorf("unexpected feature %q", name)
		}
	}
	if radiomics != 18 || deep != 8 {
		t.Errorf("%d first-order and %d deep features, want 18 and 8", radiomics, deep)
	}
	if _, ok := got["deep_tiny_0007"]; !ok {
		t.Errorf("no deep_tiny_0007 among %d features", len(got))
	}
}
