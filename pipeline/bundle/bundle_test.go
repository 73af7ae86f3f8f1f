package bundle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
)

const testSHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// testCohort builds a small cohort in memory: 40 training and 10 validation
// studies, 20 radiomics and 30 deep features for CT and T2FS, age and ldh.
// Deep features 0-2 and radiomics 0-1 carry the class; age does too.
func testCohort(t *testing.T) TrainInput {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var csv strings.Builder
	csv.WriteString("study,label,cohort,age,ldh\n")
	table := &cohort.FeatureTable{}
	for _, m := range []string{"CT", "T2FS"} {
		for j := 0; j < 20; j++ {
			table.Names = append(table.Names, fmt.Sprintf("%s_original_f%02d", m, j))
		}
		for j := 0; j < 30; j++ {
			table.Names = append(table.Names, fmt.Sprintf("%s_deep_resnet50_%04d", m, j))
		}
	}
	for i := 0; i < 50; i++ {
		label := i % 2
		id := fmt.Sprintf("S%02d", i)
		c := "train"
		if i >= 40 {
			c = "validation"
		}
		name := []string{"lipoma", "WDLPS"}[label]
		fmt.Fprintf(&csv, "%s,%s,%s,%.0f,%.0f\n", id, name, c, 45+12*float64(label)+10*rng.NormFloat64(), 160+30*rng.NormFloat64())
		row := make([]float64, len(table.Names))
		for j, n := range table.Names {
			v := rng.NormFloat64()
			if strings.Contains(n, "_0000") || strings.Contains(n, "_0001") || strings.Contains(n, "_0002") ||
				strings.HasSuffix(n, "f00") || strings.HasSuffix(n, "f01") {
				v += 1.5 * float64(label)
			}
			row[j] = 10 + 3*v
		}
		table.IDs = append(table.IDs, id)
		table.Rows = append(table.Rows, row)
	}
	m, err := cohort.ReadManifest(strings.NewReader(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	return TrainInput{Manifest: m, Features: table, DatasetSHA256: "test"}
}

func testOptions() TrainOptions {
	return TrainOptions{
		CV: learn.CVConfig{
			Repeats: 2, OuterFolds: 3, InnerFolds: 3, Seed: 3,
			Grid:   learn.Grid{C: []float64{1, 10}, Gamma: []float64{0.05, 0.2}, K: []int{2, 3}},
			Params: learn.PipelineParams{RFE: learn.RFEParams{Step: 2}},
		},
		Extractor: &Extractor{Name: "resnet50", ONNXFile: "resnet50.onnx", SHA256: testSHA, InputSize: 224, Normalisation: ImageNetNormalisation},
		Software:  "test",
		Now:       func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
}

func trainTestBundle(t *testing.T) (*Bundle, TrainInput) {
	t.Helper()
	in := testCohort(t)
	b, err := Train(context.Background(), in, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return b, in
}

func studyFeatures(t *testing.T, in TrainInput, id string) map[string]float64 {
	t.Helper()
	row, ok := in.Features.Row(id)
	if !ok {
		t.Fatalf("no row for %s", id)
	}
	f := map[string]float64{}
	for j, n := range in.Features.Names {
		f[n] = row[j]
	}
	for _, s := range in.Manifest.Studies {
		if s.ID == id {
			for k, v := range s.Clinical {
				f[k] = v
			}
		}
	}
	return f
}

func TestTrainWriteLoadScore(t *testing.T) {
	b, in := trainTestBundle(t)
	wantModels := []string{"CT-radiomics", "T2FS-radiomics", "multimodal-radiomics", "CT-deep", "T2FS-deep", "multimodal-deep", "clinical", "nomogram"}
	if got := b.ModelNames(); !reflect.DeepEqual(got, wantModels) {
		t.Fatalf("models %v, want %v", got, wantModels)
	}
	if b.Primary != "multimodal-deep" {
		t.Errorf("primary %q, want multimodal-deep", b.Primary)
	}
	path := filepath.Join(t.TempDir(), "bundle.json")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path, LoadOptions{ExtractorSHA256: strings.ToUpper(testSHA)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, b) {
		t.Errorf("loaded bundle differs from the written one")
	}

	// Scores of the loaded bundle equal the trained one's, and the primary
	// model separates the validation studies.
	var dec []float64
	var labels []int
	for _, s := range in.Manifest.Studies {
		f := studyFeatures(t, in, s.ID)
		p, d, err := loaded.Score(f)
		if err != nil {
			t.Fatal(err)
		}
		p0, d0, _ := b.Score(f)
		if p != p0 || d != d0 {
			t.Errorf("%s: loaded bundle scores %v/%v, trained %v/%v", s.ID, p, d, p0, d0)
		}
		if p < 0 || p > 1 {
			t.Errorf("%s: probability %v outside [0, 1]", s.ID, p)
		}
		if s.Cohort == cohort.CohortValidation {
			dec, labels = append(dec, d), append(labels, s.Label)
		}
		for _, name := range []string{"clinical", "nomogram"} {
			sc, err := loaded.ScoreModel(name, f)
			if err != nil {
				t.Fatalf("%s with %s: %v", s.ID, name, err)
			}
			if sc.Probability < 0 || sc.Probability > 1 {
				t.Errorf("%s: %s probability %v", s.ID, name, sc.Probability)
			}
		}
	}
	if auc := learn.AUC(dec, labels); auc < 0.8 {
		t.Errorf("validation AUC of the primary model %.3f, want >= 0.8", auc)
	}
	m := loaded.SVMs[5]
	if m.PlattA >= 0 {
		t.Errorf("Platt A = %v, want negative", m.PlattA)
	}
	if m.CV.MeanAUC < 0.7 {
		t.Errorf("nested CV AUC %v, want >= 0.7", m.CV.MeanAUC)
	}
}

func TestTrainDeterministic(t *testing.T) {
	in := testCohort(t)
	opts := testOptions()
	opts.Models = []string{"multimodal-deep"}
	a, err := Train(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.CV.Workers = 1
	b, err := Train(context.Background(), in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two trainings with seed %d differ", opts.CV.Seed)
	}
}

func TestLoadRejects(t *testing.T) {
	b, _ := trainTestBundle(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := b.WriteFile(good); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	future := filepath.Join(dir, "future.json")
	os.WriteFile(future, []byte(strings.Replace(string(data), `"version": 1`, `"version": 2`, 1)), 0o644)
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"format":"something-else","version":1}`), 0o644)
	cases := []struct {
		name string
		path string
		opts LoadOptions
		want error
	}{
		{"unknown version", future, LoadOptions{ExtractorSHA256: testSHA}, ErrUnknownVersion},
		{"other format", other, LoadOptions{}, ErrUnknownVersion},
		{"extractor checksum differs", good, LoadOptions{ExtractorSHA256: strings.Repeat("f", 64)}, ErrExtractorMismatch},
		{"no extractor configured", good, LoadOptions{}, ErrExtractorMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(tc.path, tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Load(good, LoadOptions{SkipExtractorCheck: true}); err != nil {
		t.Errorf("skip extractor check: %v", err)
	}
}

func TestScoreRejectsBadFeatures(t *testing.T) {
	b, in := trainTestBundle(t)
	full := studyFeatures(t, in, "S00")
	missing := studyFeatures(t, in, "S00")
	delete(missing, b.SVMs[5].InputFeatures[0])
	withNaN := studyFeatures(t, in, "S00")
	withNaN[b.SVMs[5].SelectedFeatures[0]] = math.NaN()
	noAge := studyFeatures(t, in, "S00")
	delete(noAge, "age")
	cases := []struct {
		name     string
		model    string
		features map[string]float64
		want     error
	}{
		{"missing input feature", "multimodal-deep", missing, ErrFeatureMismatch},
		{"NaN feature", "multimodal-deep", withNaN, ErrNonFinite},
		{"nomogram without age", "nomogram", noAge, ErrFeatureMismatch},
		{"unknown model", "PET-deep", full, ErrNoModel},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := b.ScoreModel(tc.model, tc.features); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTrainRejectsBadCohort(t *testing.T) {
	nan := testCohort(t)
	nan.Features.Rows[3][25] = math.NaN()
	absent := testCohort(t)
	absent.Features.IDs[0] = "elsewhere" // before the first Row call builds the index
	oneClass := testCohort(t)
	for i := range oneClass.Manifest.Studies {
		oneClass.Manifest.Studies[i].Label = cohort.LabelLipoma
	}
	cases := []struct {
		name string
		in   TrainInput
		want error
	}{
		{"NaN feature", nan, learn.ErrNonFinite},
		{"study missing from the table", absent, cohort.ErrMissingStudy},
		{"one class", oneClass, learn.ErrOneClass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions()
			opts.Models = []string{"CT-deep"}
			if _, err := Train(context.Background(), tc.in, opts); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("unknown model name", func(t *testing.T) {
		opts := testOptions()
		opts.Models = []string{"PET-deep"}
		if _, err := Train(context.Background(), testCohort(t), opts); !errors.Is(err, ErrNoModel) {
			t.Errorf("error %v, want ErrNoModel", err)
		}
	})
}
