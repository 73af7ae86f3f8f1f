package pipeline

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// TestEvaluateWithBundle scores the training cohort of the test model with
// `evaluate -bundle` and checks that every model of the bundle is evaluated
// on every study and that the report is written.
func TestEvaluateWithBundle(t *testing.T) {
	bundle := trainedModel(t)
	out := t.TempDir()
	cmd := exec.Command(binaryPath, "evaluate", "-bundle", bundle, "-cohort", filepath.Join(model.dir, "cohort"),
		"-set", "train", "-format", "json", "-out", out)
	cmd.Dir = testutil.RepoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evaluate -bundle: %v\n%s", err, stderr.String())
	}

	var metrics struct {
		Results []struct {
			Model  string `json:"model"`
			Cohort string `json:"cohort"`
			N      int    `json:"n"`
			AUC    struct {
				AUC float64 `json:"auc"`
			} `json:"auc"`
		} `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &metrics); err != nil {
		t.Fatalf("standard output is not the JSON metrics: %v\n%s", err, stdout.String())
	}
	seen := map[string]bool{}
	for _, r := range metrics.Results {
		seen[r.Model] = true
		if r.N != 20 || r.Cohort != "train" {
			t.Errorf("model %s: %d studies of cohort %q, want 20 of train", r.Model, r.N, r.Cohort)
		}
		if r.AUC.AUC < 0 || r.AUC.AUC > 1 {
			t.Errorf("model %s: AUC %g outside [0, 1]", r.Model, r.AUC.AUC)
		}
	}
	for _, m := range []string{"multimodal-deep", "multimodal-radiomics"} {
		if !seen[m] {
			t.Errorf("model %s not evaluated; got %v", m, seen)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Errorf("report: %v", err)
	}
}
