package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/pipeline/bundle"
)

// writeTrainCohort writes a small manifest and feature table (30 training
// and 6 validation studies, 12 radiomics and 15 deep features per modality
// with a class signal in the first two of each) and a stand-in ONNX file.
func writeTrainCohort(t *testing.T) (manifest, features, onnx string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(11, 11))
	var names []string
	for _, m := range []string{"CT", "T1WI", "T2FS"} {
		for j := 0; j < 12; j++ {
			names = append(names, fmt.Sprintf("%s_original_firstorder_F%02d", m, j))
		}
		for j := 0; j < 15; j++ {
			names = append(names, fmt.Sprintf("%s_deep_resnet50_%04d", m, j))
		}
	}
	var man, feat strings.Builder
	man.WriteString("study,label,cohort,age,ldh\n")
	feat.WriteString("study," + strings.Join(names, ",") + "\n")
	for i := 0; i < 36; i++ {
		label := i % 2
		c := "train"
		if i >= 30 {
			c = "validation"
		}
		fmt.Fprintf(&man, "1.2.826.0.1.%d,%s,%s,%d,%d\n", i, []string{"lipoma", "WDLPS"}[label], c, 40+rng.IntN(30), 130+rng.IntN(60))
		fmt.Fprintf(&feat, "1.2.826.0.1.%d", i)
		for _, n := range names {
			v := rng.NormFloat64()
			if strings.HasSuffix(n, "F00") || strings.HasSuffix(n, "F01") || strings.HasSuffix(n, "_0000") || strings.HasSuffix(n, "_0001") {
				v += 2 * float64(label)
			}
			fmt.Fprintf(&feat, ",%g", v)
		}
		feat.WriteString("\n")
	}
	manifest, features, onnx = filepath.Join(dir, "manifest.csv"), filepath.Join(dir, "features.csv"), filepath.Join(dir, "resnet50.onnx")
	for path, body := range map[string]string{manifest: man.String(), features: feat.String(), onnx: "stand-in model"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return manifest, features, onnx
}

func TestTrainCommandWritesBundle(t *testing.T) {
	manifest, features, onnx := writeTrainCohort(t)
	out := filepath.Join(t.TempDir(), "bundle.json")
	err := runTrain([]string{"-manifest", manifest, "-features", features, "-out", out, "-extractor-onnx", onnx,
		"-repeats", "1", "-outer-folds", "3", "-inner-folds", "3", "-rfe-step", "2",
		"-models", "multimodal-deep,CT-radiomics", "-grid", "c=1,10;gamma=0.1,0.3;k=2,3"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := bundle.FileSHA256(onnx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Load(out, bundle.LoadOptions{ExtractorSHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	if b.Primary != "multimodal-deep" || len(b.SVMs) != 2 {
		t.Errorf("primary %q with %d SVM models, want multimodal-deep and 2", b.Primary, len(b.SVMs))
	}
	if b.Extractor == nil || b.Extractor.ONNXFile != "resnet50.onnx" || b.Extractor.InputSize != 224 {
		t.Errorf("extractor %+v", b.Extractor)
	}
	if b.Training.Samples != 30 {
		t.Errorf("trained on %d studies, want the 30 of the training cohort", b.Training.Samples)
	}
}

func TestTrainCommandRejects(t *testing.T) {
	manifest, features, _ := writeTrainCohort(t)
	out := filepath.Join(t.TempDir(), "bundle.json")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no manifest", []string{"-features", features, "-out", out}, "required"},
		{"deep features without extractor", []string{"-manifest", manifest, "-features", features, "-out", out}, "-extractor-onnx"},
		{"bad grid", []string{"-manifest", manifest, "-features", features, "-out", out, "-grid", "c=1;gamma=x;k=2"}, "gamma"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := runTrain(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
