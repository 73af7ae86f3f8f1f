package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/report/stats"
)

// evaluateCSV has two models on two cohorts, with labels in both spellings.
//
// Model A, training: positives 0.95 0.85 0.60 0.55, negatives 0.50 0.45
// 0.10 0.65. Positive-negative pairs won: 4 + 4 + 3 + 3 = 14 of 16, so
// AUC = 0.875. At threshold 0.5 (a probability equal to it is called
// positive): TP 4, FP 2 (0.65 and 0.50), TN 2, FN 0.
//
// Model A, validation: positives 0.9 0.8 0.4, negatives 0.7 0.3 0.2.
// Pairs won: 3 + 3 + 2 = 8 of 9, AUC = 8/9. At threshold 0.5: TP 2, FP 1,
// TN 2, FN 1, accuracy 4/6.
const evaluateCSV = `study,label,probability,model,cohort
s01,WDLPS,0.95,A,training
s02,wdlps,0.85,A,training
s03,1,0.60,A,training
s04,WDLPS,0.55,A,training
s05,lipoma,0.50,A,training
s06,Lipoma,0.45,A,training
s07,0,0.10,A,training
s08,lipoma,0.65,A,training
s09,WDLPS,0.9,A,validation
s10,WDLPS,0.8,A,validation
s11,WDLPS,0.4,A,validation
s12,lipoma,0.7,A,validation
s13,lipoma,0.3,A,validation
s14,lipoma,0.2,A,validation
s01,WDLPS,0.7,B,training
s02,WDLPS,0.6,B,training
s03,WDLPS,0.3,B,training
s04,WDLPS,0.55,B,training
s05,lipoma,0.4,B,training
s06,lipoma,0.6,B,training
s07,lipoma,0.2,B,training
s08,lipoma,0.35,B,training
s09,WDLPS,0.52,B,validation
s10,WDLPS,0.48,B,validation
s11,WDLPS,0.61,B,validation
s12,lipoma,0.5,B,validation
s13,lipoma,0.44,B,validation
s14,lipoma,0.58,B,validation
`

func writeTempCSV(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "predictions.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvaluateJSONAndReport(t *testing.T) {
	csvPath := writeTempCSV(t, evaluateCSV)
	outDir := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	err := evaluate([]string{"-predictions", csvPath, "-out", outDir, "-format", "json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("evaluate: %v\n%s", err, stderr.String())
	}

	// 1. The JSON metrics.
	var got struct {
		Threshold float64 `json:"threshold"`
		Results   []struct {
			Model       string                              `json:"model"`
			Cohort      string                              `json:"cohort"`
			N           int                                 `json:"n"`
			Positives   int                                 `json:"positives"`
			AUC         struct{ AUC, Lower, Upper float64 } `json:"auc"`
			Confusion   stats.Confusion                     `json:"confusion"`
			Diagnostics struct {
				Accuracy struct {
					Num, Den int
					Value    float64
				} `json:"accuracy"`
			} `json:"diagnostics"`
		} `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if len(got.Results) != 4 {
		t.Fatalf("%d results, want 4 (2 models x 2 cohorts)", len(got.Results))
	}
	want := []struct {
		model, cohort string
		n, positives  int
		auc           float64
		confusion     stats.Confusion
	}{
		{"A", "training", 8, 4, 0.875, stats.Confusion{TP: 4, FP: 2, TN: 2, FN: 0}},
		{"A", "validation", 6, 3, 8.0 / 9, stats.Confusion{TP: 2, FP: 1, TN: 2, FN: 1}},
	}
	for i, w := range want {
		r := got.Results[i]
		if r.Model != w.model || r.Cohort != w.cohort || r.N != w.n || r.Positives != w.positives {
			t.Errorf("result %d = %s/%s n=%d positives=%d, want %s/%s n=%d positives=%d",
				i, r.Model, r.Cohort, r.N, r.Positives, w.model, w.cohort, w.n, w.positives)
		}
		if math.Abs(r.AUC.AUC-w.auc) > 1e-12 {
			t.Errorf("%s/%s AUC = %v, want %v", w.model, w.cohort, r.AUC.AUC, w.auc)
		}
		if !(r.AUC.Lower <= r.AUC.AUC && r.AUC.AUC <= r.AUC.Upper) {
			t.Errorf("%s/%s AUC interval [%v, %v] does not contain %v", w.model, w.cohort, r.AUC.Lower, r.AUC.Upper, r.AUC.AUC)
		}
		if r.Confusion != w.confusion {
			t.Errorf("%s/%s confusion = %+v, want %+v", w.model, w.cohort, r.Confusion, w.confusion)
		}
	}
	if acc := got.Results[1].Diagnostics.Accuracy; acc.Num != 4 || acc.Den != 6 {
		t.Errorf("A/validation accuracy = %d/%d, want 4/6", acc.Num, acc.Den)
	}

	// 2. The report and its plots: 4 per cohort.
	html, err := os.ReadFile(filepath.Join(outDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fragment := range []string{"<table", "0.889 (", "data:image/png;base64,", "validation", "Hosmer-Lemeshow"} {
		if !bytes.Contains(html, []byte(fragment)) {
			t.Errorf("report.html lacks %q", fragment)
		}
	}
	if n := bytes.Count(html, []byte("<img ")); n != 8 {
		t.Errorf("report.html has %d images, want 8", n)
	}
	pngs, err := filepath.Glob(filepath.Join(outDir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pngs) != 8 {
		t.Fatalf("%d PNG files, want 8: %v", len(pngs), pngs)
	}
	for _, p := range pngs {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if size := img.Bounds().Size(); size.X < 300 || size.Y < 300 {
			t.Errorf("%s is %v pixels, want at least 300x300", p, size)
		}
	}
}

func TestEvaluateText(t *testing.T) {
	csvPath := writeTempCSV(t, evaluateCSV)
	var stdout, stderr bytes.Buffer
	if err := evaluate([]string{"-predictions", csvPath, "-threshold", "0.6"}, &stdout, &stderr); err != nil {
		t.Fatalf("evaluate: %v\n%s", err, stderr.String())
	}
	text := stdout.String()
	for _, fragment := range []string{
		"model A, cohort validation: 6 cases, 3 WDLPS, threshold 0.6",
		"AUC                0.889 (95 % CI",
		"sensitivity",
		"Hosmer-Lemeshow",
	} {
		if !strings.Contains(text, fragment) {
			t.Errorf("output lacks %q:\n%s", fragment, text)
		}
	}
}

func TestEvaluateDefaultGroup(t *testing.T) {
	// Without model and cohort columns every row is one group. The header
	// starts with a UTF-8 byte order mark.
	csvPath := writeTempCSV(t, "\ufefflabel,probability\n1,0.9\n1,0.7\n0,0.8\n0,0.1\n")
	var stdout, stderr bytes.Buffer
	if err := evaluate([]string{"-predictions", csvPath, "-format", "json"}, &stdout, &stderr); err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if !strings.Contains(stdout.String(), `"model": "model"`) || !strings.Contains(stdout.String(), `"cohort": "all"`) {
		t.Errorf("output lacks the default model and cohort names:\n%s", stdout.String())
	}
}

func TestEvaluateRejects(t *testing.T) {
	cases := []struct {
		name    string
		csv     string
		args    []string
		wantErr string
	}{
		{"missing column", "label,score\n1,0.5\n", nil, `missing column "probability"`},
		{"bad label", "label,probability\nmaybe,0.5\n", nil, `line 2: invalid label "maybe"`},
		{"bad probability", "label,probability\n1,1.5\n", nil, `line 2: invalid probability "1.5"`},
		{"one class", "label,probability\n1,0.5\n1,0.7\n1,0.2\n", nil, "one class only"},
		{"no rows", "label,probability\n", nil, "no prediction rows"},
		{"bad format", "label,probability\n1,0.5\n0,0.2\n", []string{"-format", "xml"}, `invalid -format "xml"`},
		{"bad threshold", "label,probability\n1,0.5\n0,0.2\n", []string{"-threshold", "2"}, "invalid -threshold 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTempCSV(t, c.csv)
			args := append([]string{"-predictions", path}, c.args...)
			var stdout, stderr bytes.Buffer
			err := evaluate(args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if err := evaluate(nil, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "missing -predictions") {
		t.Errorf("without -predictions: err = %v", err)
	}
	if err := evaluate([]string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
}

func TestEvaluateNomogram(t *testing.T) {
	csvPath := writeTempCSV(t, evaluateCSV)
	dir := t.TempDir()
	model := filepath.Join(dir, "model.json")
	const modelJSON = `{"intercept": -6.2, "variables": [
		{"name": "deep signature", "coefficient": 4.1, "min": -1.5, "max": 2.5},
		{"name": "age (years)", "coefficient": 0.04, "min": 20, "max": 85},
		{"name": "LDH (U/L)", "coefficient": 0.012, "min": 100, "max": 320}]}`
	if err := os.WriteFile(model, []byte(modelJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if err := evaluate([]string{"-predictions", csvPath, "-out", outDir, "-nomogram", model}, &stdout, &stderr); err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	f, err := os.Open(filepath.Join(outDir, "nomogram.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("nomogram.png: %v", err)
	}

	// Without -out, and with a variable missing its range.
	if err := evaluate([]string{"-predictions", csvPath, "-nomogram", model}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "needs -out") {
		t.Errorf("without -out: err = %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"intercept": 1, "variables": [{"name": "age", "coefficient": 0.1, "min": 20}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err = evaluate([]string{"-predictions", csvPath, "-out", outDir, "-nomogram", bad}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `variable 1 needs "name", "coefficient", "min" and "max"`) {
		t.Errorf("incomplete variable: err = %v", err)
	}
}
