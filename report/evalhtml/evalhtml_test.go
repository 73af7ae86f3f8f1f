package evalhtml

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/report/stats"
)

// Two models on a training and a validation cohort, hand-written.
func testGroups() []Group {
	train := []bool{true, true, true, true, false, false, false, false, true, false}
	valid := []bool{true, true, true, false, false, false}
	return []Group{
		{Model: "deep", Cohort: "training", Labels: train, Probabilities: []float64{0.95, 0.85, 0.6, 0.55, 0.5, 0.45, 0.1, 0.65, 0.9, 0.2}},
		{Model: "clinical", Cohort: "training", Labels: train, Probabilities: []float64{0.7, 0.6, 0.3, 0.55, 0.4, 0.6, 0.2, 0.35, 0.5, 0.45}},
		{Model: "deep", Cohort: "validation", Labels: valid, Probabilities: []float64{0.9, 0.8, 0.4, 0.7, 0.3, 0.2}},
		{Model: "clinical", Cohort: "validation", Labels: valid, Probabilities: []float64{0.52, 0.48, 0.61, 0.5, 0.44, 0.58}},
	}
}

func TestBuildSummaries(t *testing.T) {
	report, err := Build("test", testGroups(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Summaries) != 4 {
		t.Fatalf("%d summaries, want 4", len(report.Summaries))
	}
	// deep/validation: positives 0.9 0.8 0.4 against negatives 0.7 0.3 0.2
	// win 8 of 9 pairs.
	s := report.Summaries[2]
	if s.Model != "deep" || s.Cohort != "validation" {
		t.Fatalf("summary 2 is %s/%s, want deep/validation", s.Model, s.Cohort)
	}
	if d := s.AUC.AUC - 8.0/9; d > 1e-12 || d < -1e-12 {
		t.Errorf("AUC = %v, want 8/9", s.AUC.AUC)
	}
	if s.CIndex.C != s.AUC.AUC {
		t.Errorf("C-index %v differs from AUC %v", s.CIndex.C, s.AUC.AUC)
	}

	// 6 cases give 6 Hosmer-Lemeshow groups of one, df 4.
	if s.HosmerLemeshow == nil || s.HosmerLemeshow.DF != 4 {
		t.Errorf("Hosmer-Lemeshow = %+v, want df 4", s.HosmerLemeshow)
	}

	if got := report.Cohorts(); len(got) != 2 || got[0] != "training" || got[1] != "validation" {
		t.Errorf("cohorts = %v, want [training validation]", got)
	}
	if len(report.Figures) != 8 {
		t.Errorf("%d figures, want 8", len(report.Figures))
	}
	files := map[string]bool{}
	for _, f := range report.Figures {
		if files[f.File] {
			t.Errorf("duplicate figure file %s", f.File)
		}
		files[f.File] = true
	}
	if !files["roc-2-validation.png"] {
		t.Errorf("figure files %v lack roc-2-validation.png", files)
	}
}

func TestWriteHTMLTable2Layout(t *testing.T) {
	report, err := Build("MDM2 evaluation", testGroups(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()

	// Each model's rows are together: deep training, deep validation, then
	// clinical, with the model cell spanning both rows.
	deep := strings.Index(html, `<td rowspan="2">deep</td>`)
	clinical := strings.Index(html, `<td rowspan="2">clinical</td>`)
	if deep < 0 || clinical < 0 || deep > clinical {
		t.Errorf("model cells missing or out of order (deep at %d, clinical at %d)", deep, clinical)
	}
	for _, fragment := range []string{
		"<th>AUC (95 % CI)</th>",
		"<th>Sensitivity, % (95 % CI)</th>",
		"0.889 (",
		`<img src="data:image/png;base64,`,
	} {
		if !strings.Contains(html, fragment) {
			t.Errorf("HTML lacks %q", fragment)
		}
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ in output)")
	}
}

func TestWriteFiles(t *testing.T) {
	report, err := Build("files", testGroups()[:1], DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := report.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Errorf("%d files, want report.html and 4 PNGs", len(entries))
	}
	info, err := os.Stat(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() < 10000 {
		t.Errorf("report.html is %d bytes; the embedded plots alone exceed 10000", info.Size())
	}
}

func TestSummaryJSONUndefinedPPV(t *testing.T) {
	// Threshold 0.99: nothing is called positive, so PPV is 0/0 and
	// encodes as null.
	opt := DefaultOptions()
	opt.Threshold = 0.99
	s, err := Summarize(testGroups()[0], opt)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"ppv":{"num":0,"den":0,"value":null`) {
		t.Errorf("JSON lacks a null PPV: %s", data)
	}
}

func TestBuildRejects(t *testing.T) {
	if _, err := Build("x", nil, DefaultOptions()); !errors.Is(err, ErrNoGroups) {
		t.Errorf("no groups: err = %v, want ErrNoGroups", err)
	}
	oneClass := Group{Model: "m", Cohort: "c", Labels: []bool{true, true}, Probabilities: []float64{0.2, 0.9}}
	_, err := Build("x", []Group{oneClass}, DefaultOptions())
	if !errors.Is(err, stats.ErrOneClass) || !strings.Contains(err.Error(), `model "m", cohort "c"`) {
		t.Errorf("one class: err = %v, want ErrOneClass naming the group", err)
	}
}

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"Validation":          "validation",
		"external / Centre 2": "external-centre-2",
		"":                    "",
		"--a--":               "a",
	}
	for in, want := range cases {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddNomogram(t *testing.T) {
	report, err := Build("nomogram", testGroups()[:1], DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	nomo, err := stats.NewNomogram(-4, []stats.NomogramVariable{
		{Name: "age", Coefficient: 0.05, Min: 20, Max: 80},
		{Name: "LDH", Coefficient: 0.01, Min: 100, Max: 300},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := report.AddNomogram("Nomogram", nomo); err != nil {
			t.Fatal(err)
		}
	}
	n := len(report.Figures)
	if got := report.Figures[n-2].File; got != "nomogram.png" {
		t.Errorf("first nomogram file = %q, want nomogram.png", got)
	}
	if got := report.Figures[n-1].File; got != "nomogram-2.png" {
		t.Errorf("second nomogram file = %q, want nomogram-2.png", got)
	}
	if err := report.AddNomogram("empty", nil); err == nil {
		t.Error("AddNomogram(nil) succeeded, want an error")
	}
}
