package learn

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
)

func TestICCShroutFleissExample(t *testing.T) {
	// Shrout and Fleiss (1979), Table 2: six targets rated by four judges;
	// the paper reports ICC(2,1) = .29 and ICC(3,1) = .71 (Table 4).
	ratings := [][]float64{
		{9, 2, 5, 8},
		{6, 1, 3, 2},
		{8, 4, 6, 8},
		{7, 1, 2, 6},
		{10, 5, 6, 9},
		{6, 2, 4, 7},
	}
	const tolPublished = 0.005 // the paper rounds to two decimals
	got, err := ComputeICC(ratings)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.ICC21-0.29) > tolPublished {
		t.Errorf("ICC(2,1) = %.4f, published 0.29", got.ICC21)
	}
	if math.Abs(got.ICC31-0.71) > tolPublished {
		t.Errorf("ICC(3,1) = %.4f, published 0.71", got.ICC31)
	}
}

func TestReproducibleFeaturesThreshold(t *testing.T) {
	// Feature 0 is repeated exactly, feature 1 is pure noise between
	// repeats, feature 2 is constant.
	first := [][]float64{{1, 5, 3}, {2, 1, 3}, {3, 4, 3}, {4, 2, 3}, {5, 3, 3}}
	second := [][]float64{{1, 2, 3}, {2, 5, 3}, {3, 1, 3}, {4, 4, 3}, {5, 2, 3}}
	iccs, keep, err := ReproducibleFeatures([][][]float64{first, second}, ICC31, 0.85)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keep, []int{0}) {
		t.Errorf("kept %v, want [0] (ICCs %v)", keep, iccs)
	}
	if iccs[0] != 1 {
		t.Errorf("ICC of identical repeats = %v, want 1", iccs[0])
	}
	if !math.IsNaN(iccs[2]) {
		t.Errorf("ICC of a constant feature = %v, want NaN", iccs[2])
	}
}

func TestStratifiedKFoldProperties(t *testing.T) {
	_, labels := synthData(89, 40, 1, 0, 7)
	splits, err := StratifiedKFold(labels, 5, newRand(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, len(labels))
	for f, s := range splits {
		if len(s.Train)+len(s.Test) != len(labels) {
			t.Errorf("fold %d: %d + %d indices, want %d", f, len(s.Train), len(s.Test), len(labels))
		}
		if len(s.Test) < 17 || len(s.Test) > 18 {
			t.Errorf("fold %d has %d test samples, want 17 or 18", f, len(s.Test))
		}
		pos := 0
		for _, i := range s.Test {
			seen[i]++
			pos += labels[i]
		}
		if pos < 8 || pos > 8+1 {
			t.Errorf("fold %d has %d positives of %d, want 8 or 9", f, pos, len(s.Test))
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("sample %d is in %d test folds, want 1", i, c)
		}
	}
}

func TestBadInput(t *testing.T) {
	x, y := synthData(20, 8, 5, 2, 8)
	oneClass := make([]int, len(y))
	withNaN := cloneMatrix(x)
	withNaN[3][2] = math.NaN()
	constant := cloneMatrix(x)
	for i := range constant {
		constant[i][4] = 7
	}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"one class F-test", func() error { _, _, err := FClassif(x, oneClass); return err }, ErrOneClass},
		{"one class SVM", func() error {
			_, err := FitSVC(x, oneClass, SVCParams{Kernel: KernelRBF, C: 1, Gamma: 1})
			return err
		}, ErrOneClass},
		{"fewer samples than folds", func() error { _, err := StratifiedKFold(y[:6], 5, newRand(1, 1)); return err }, ErrTooFewSamples},
		{"NaN feature", func() error { return CheckData(withNaN, y) }, ErrNonFinite},
		{"NaN in SVM", func() error {
			_, err := FitSVC(withNaN, y, SVCParams{Kernel: KernelRBF, C: 1, Gamma: 1})
			return err
		}, ErrNonFinite},
		{"constant feature", func() error { return CheckData(constant, y) }, ErrConstantFeature},
		{"label 2", func() error { _, _, err := FClassif(x, append(slices.Clone(y[:19]), 2)); return err }, ErrLabel},
		{"ragged rows", func() error { return CheckData(append(cloneMatrix(x[:19]), []float64{1}), y) }, ErrShape},
		{"gamma zero", func() error {
			_, err := FitSVC(x, y, SVCParams{Kernel: KernelRBF, C: 1})
			return err
		}, ErrInvalidParam},
		{"k above features", func() error { _, _, err := RFE(x, y, 6, RFEParams{Step: 1}); return err }, ErrInvalidParam},
		{"separated logistic", func() error {
			sep := make([][]float64, len(y))
			for i, l := range y {
				sep[i] = []float64{float64(l)*10 + float64(i%3)}
			}
			_, err := FitLogistic(sep, y, []string{"v"})
			return err
		}, ErrSeparation},
		{"nested CV one class", func() error {
			_, err := NestedCV(context.Background(), x, oneClass, CVConfig{Grid: Grid{C: []float64{1}, Gamma: []float64{1}, K: []int{1}}})
			return err
		}, ErrOneClass},
		{"plan index out of range", func() error {
			plan := []OuterSplit{{Train: []int{0, 1, 99}, Test: []int{2}, Inner: []Split{{Train: []int{0}, Test: []int{1}}}}}
			_, err := RunNestedCV(context.Background(), x, y, plan, smallCV(1))
			return err
		}, ErrInvalidParam},
		{"nested CV too few samples", func() error {
			_, err := NestedCV(context.Background(), x[:8], y[:8], smallCV(1))
			return err
		}, ErrTooFewSamples},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func cloneMatrix(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i, r := range x {
		out[i] = slices.Clone(r)
	}
	return out
}

func smallCV(seed uint64) CVConfig {
	return CVConfig{
		Repeats: 2, OuterFolds: 3, InnerFolds: 3, Seed: seed,
		Grid:   Grid{C: []float64{0.5, 5}, Gamma: []float64{0.01, 0.1}, K: []int{2, 4}},
		Params: PipelineParams{RFE: RFEParams{StepFraction: 0.2}},
	}
}

func TestNestedCVDeterministic(t *testing.T) {
	x, y := synthData(45, 20, 60, 6, 9)
	cfg := smallCV(42)
	cfg.Workers = 2
	a, err := NestedCV(context.Background(), x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 1
	b, err := NestedCV(context.Background(), x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Outer, b.Outer) || a.MeanAUC != b.MeanAUC {
		t.Errorf("same seed, different results: %v vs %v", a.MeanAUC, b.MeanAUC)
	}
	if len(a.Outer) != 6 {
		t.Errorf("%d outer results, want 6", len(a.Outer))
	}
	if a.MeanAUC < 0.7 {
		t.Errorf("mean outer AUC %.3f on data with 6 informative features, want >= 0.7", a.MeanAUC)
	}
	cfg.Seed = 43
	c, err := NestedCV(context.Background(), x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Outer[0].Test, c.Outer[0].Test) {
		t.Errorf("seeds 42 and 43 gave the same first test fold")
	}
}

func TestFitModelSelectsInformative(t *testing.T) {
	x, y := synthData(60, 28, 50, 3, 10)
	m, err := FitModel(x, y, Hyper{C: 1, Gamma: 0.1, K: 3}, PipelineParams{RFE: RFEParams{Step: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Selected) != 3 {
		t.Fatalf("selected %v, want 3 columns", m.Selected)
	}
	informative := 0
	for _, j := range m.Selected {
		if j < 3 {
			informative++
		}
	}
	if informative < 2 {
		t.Errorf("selected %v, want at least two of the informative columns 0, 1, 2", m.Selected)
	}
	if _, err := m.Decision(x[0][:10]); !errors.Is(err, ErrShape) {
		t.Errorf("short sample: error %v, want ErrShape", err)
	}
}

func TestSelectClinicalKeepsAssociated(t *testing.T) {
	x, y := synthData(89, 40, 4, 2, 11)
	sel, err := SelectClinical(x, y, []string{"age", "ldh", "noise1", "noise2"}, DefaultUnivariateP, DefaultMultivariableP)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sel.Selected, "age") {
		t.Errorf("selected %v (univariate p %v), want age among them", sel.Selected, sel.UnivariateP)
	}
	for _, name := range sel.Selected {
		if !slices.Contains(sel.Candidates, name) {
			t.Errorf("%s selected without passing the univariate step", name)
		}
	}
}

func TestPlattProbabilityMonotone(t *testing.T) {
	dec := []float64{-2, -1.5, -1, -0.3, 0.1, -0.2, 0.5, 1, 1.2, 2}
	lab := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}
	p, err := FitPlatt(dec, lab)
	if err != nil {
		t.Fatal(err)
	}
	prev := -1.0
	for _, f := range []float64{-3, -1, 0, 1, 3} {
		q := p.Probability(f)
		if q <= prev {
			t.Errorf("P(%v) = %v not above P at the previous value %v", f, q, prev)
		}
		prev = q
	}
}
