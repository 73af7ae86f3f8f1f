package stats

import (
	"errors"
	"math"
	"testing"
)

// Tolerances of the checks in this package's tests.
const (
	// exactTol is for values computed by the same formula in another order.
	exactTol = 1e-12
	// tableTol is half a unit in the fourth decimal, for published tables
	// printed with four decimals.
	tableTol = 0.5e-4
)

// fixtureLabels and fixtureScores are a fixed, hand-written data set of 24
// samples with tied scores within and across classes and scores exactly on
// the uniform calibration bin edges 0.2 and 0.4.
var (
	fixtureLabels = []bool{
		true, false, true, true, false, false, true, false,
		false, true, false, true, true, false, false, true,
		false, true, false, false, true, true, false, true,
	}
	fixtureScores = []float64{
		0.91, 0.12, 0.78, 0.4, 0.4, 0.05, 0.66, 0.33,
		0.2, 0.87, 0.58, 0.58, 0.73, 0.27, 0.61, 0.49,
		0.08, 0.95, 0.44, 0.33, 0.2, 0.82, 0.15, 0.66,
	}
)

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

func TestDeLongHandExample(t *testing.T) {
	// Positives X = {0.8, 0.4}, negatives Y = {0.5, 0.2, 0.4}.
	// psi(X_i, Y_j): row 0.8 -> 1, 1, 1; row 0.4 -> 0, 1, 1/2.
	// V10 = {1, 1/2}, V01 = {1/2, 1, 3/4}, AUC = 3/4.
	// S10 = ((1/4)² + (1/4)²)/1 = 1/8, S01 = ((1/4)² + (1/4)² + 0)/2 = 1/16.
	// Var = S10/2 + S01/3 = 1/16 + 1/48 = 1/12.
	labels := []bool{true, false, false, true, false}
	scores := []float64{0.8, 0.5, 0.2, 0.4, 0.4}
	got, err := DeLong(labels, scores, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.AUC, 0.75, exactTol) {
		t.Errorf("AUC = %v, want 0.75", got.AUC)
	}
	if !near(got.Variance, 1.0/12, exactTol) {
		t.Errorf("variance = %v, want 1/12", got.Variance)
	}
	// 0.75 + 1.959964*0.288675 > 1, so the upper bound is clipped.
	if got.Upper != 1 {
		t.Errorf("upper = %v, want 1 (clipped)", got.Upper)
	}
	if want := 0.75 - 1.959963984540054*math.Sqrt(1.0/12); !near(got.Lower, want, 1e-9) {
		t.Errorf("lower = %v, want %v", got.Lower, want)
	}
}

// delongQuadratic computes the DeLong variance straight from the definition
// of the structural components, with O(m*n) comparisons, as an independent
// check of the midrank algorithm.
func delongQuadratic(labels []bool, scores []float64) (auc, variance float64) {
	var x, y []float64
	for i, s := range scores {
		if labels[i] {
			x = append(x, s)
		} else {
			y = append(y, s)
		}
	}
	psi := func(a, b float64) float64 {
		switch {
		case a > b:
			return 1
		case a == b:
			return 0.5
		}
		return 0
	}
	v10 := make([]float64, len(x))
	v01 := make([]float64, len(y))
	for i := range x {
		for j := range y {
			v10[i] += psi(x[i], y[j]) / float64(len(y))
			v01[j] += psi(x[i], y[j]) / float64(len(x))
		}
	}
	for _, v := range v10 {
		auc += v / float64(len(x))
	}
	var s10, s01 float64
	for _, v := range v10 {
		s10 += (v - auc) * (v - auc) / float64(len(x)-1)
	}
	for _, v := range v01 {
		s01 += (v - auc) * (v - auc) / float64(len(y)-1)
	}
	return auc, s10/float64(len(x)) + s01/float64(len(y))
}

func TestDeLongMatchesDefinition(t *testing.T) {
	// A second data set with heavy ties: integer ratings 1 to 5.
	ratings := []float64{1, 2, 2, 3, 5, 4, 1, 3, 3, 5, 4, 2, 1, 5, 5, 4, 3, 2}
	ratingLabels := []bool{false, false, true, false, true, true, false, true, false, true, false, false, false, true, true, true, true, false}
	cases := []struct {
		name   string
		labels []bool
		scores []float64
	}{
		{"fixture", fixtureLabels, fixtureScores},
		{"ratings", ratingLabels, ratings},
		{"Hanley-McNeil", hanleyMcNeilLabels, hanleyMcNeilRatings},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DeLong(c.labels, c.scores, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			wantAUC, wantVar := delongQuadratic(c.labels, c.scores)
			if !near(got.AUC, wantAUC, exactTol) {
				t.Errorf("AUC = %v, want %v", got.AUC, wantAUC)
			}
			if !near(got.Variance, wantVar, exactTol) {
				t.Errorf("variance = %v, want %v", got.Variance, wantVar)
			}
			auc, err := AUC(c.labels, c.scores)
			if err != nil {
				t.Fatal(err)
			}
			if !near(auc, wantAUC, exactTol) {
				t.Errorf("trapezoidal AUC = %v, want %v", auc, wantAUC)
			}
		})
	}
}

// hanleyMcNeilLabels and hanleyMcNeilRatings expand the CT rating data of
// Hanley and McNeil, "The meaning and use of the area under a receiver
// operating characteristic (ROC) curve", Radiology 143:29-36 (1982), Table I:
// ratings 1 to 5 of 58 normal cases (33, 6, 6, 11, 2) and 51 abnormal cases
// (3, 2, 2, 11, 33). The paper reports an area of 0.893.
var hanleyMcNeilLabels, hanleyMcNeilRatings = func() ([]bool, []float64) {
	normal := []int{33, 6, 6, 11, 2}
	abnormal := []int{3, 2, 2, 11, 33}
	var labels []bool
	var ratings []float64
	for rating := range 5 {
		for range normal[rating] {
			labels = append(labels, false)
			ratings = append(ratings, float64(rating+1))
		}
		for range abnormal[rating] {
			labels = append(labels, true)
			ratings = append(ratings, float64(rating+1))
		}
	}
	return labels, ratings
}()

func TestAUCHanleyMcNeil(t *testing.T) {
	auc, err := AUC(hanleyMcNeilLabels, hanleyMcNeilRatings)
	if err != nil {
		t.Fatal(err)
	}
	// Published with three decimals.
	if !near(auc, 0.893, 0.0005) {
		t.Errorf("AUC = %.5f, want 0.893 (Hanley and McNeil 1982)", auc)
	}
}

func TestDeLongDoesNotMutate(t *testing.T) {
	labels := append([]bool(nil), fixtureLabels...)
	scores := append([]float64(nil), fixtureScores...)
	if _, err := DeLong(labels, scores, 0.95); err != nil {
		t.Fatal(err)
	}
	for i := range scores {
		if scores[i] != fixtureScores[i] || labels[i] != fixtureLabels[i] {
			t.Fatalf("input changed at index %d", i)
		}
	}
}

func TestWilsonCCNewcombeTable(t *testing.T) {
	// Newcombe (1998), Statistics in Medicine 17:857-872, Table I,
	// method 4 (score interval with continuity correction), 95 % intervals
	// for the paper's four illustrative proportions.
	// NOTE: these values come from a secondary quotation of the table in
	// another project's test suite; the paper itself was not at hand.
	cases := []struct {
		x, n         int
		lower, upper float64
	}{
		{81, 263, 0.2535, 0.3682},
		{15, 148, 0.0598, 0.1644},
		{0, 20, 0.0000, 0.2005},
		{1, 29, 0.0018, 0.1963},
	}
	for _, c := range cases {
		lower, upper, err := WilsonCC(c.x, c.n, 0.95)
		if err != nil {
			t.Fatalf("%d/%d: %v", c.x, c.n, err)
		}
		if !near(lower, c.lower, tableTol) {
			t.Errorf("%d/%d: lower = %.5f, want %.4f", c.x, c.n, lower, c.lower)
		}
		if !near(upper, c.upper, tableTol) {
			t.Errorf("%d/%d: upper = %.5f, want %.4f", c.x, c.n, upper, c.upper)
		}
	}
}

func TestWilsonCCBounds(t *testing.T) {
	lower, upper, err := WilsonCC(20, 20, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// By symmetry with 0/20: lower = 1 - 0.2005.
	if upper != 1 || !near(lower, 1-0.2005, tableTol) {
		t.Errorf("20/20: [%v, %v], want [0.7995, 1]", lower, upper)
	}
	for _, bad := range []struct{ x, n int }{{-1, 5}, {6, 5}, {0, 0}} {
		if _, _, err := WilsonCC(bad.x, bad.n, 0.95); !errors.Is(err, ErrRange) {
			t.Errorf("WilsonCC(%d, %d): err = %v, want ErrRange", bad.x, bad.n, err)
		}
	}
}

func TestConfusionDiagnostics(t *testing.T) {
	// Threshold 0.5 on the fixture (score >= 0.5 is positive):
	// positives 0.91 0.78 0.40 0.66 0.87 0.58 0.73 0.49 0.95 0.20 0.82 0.66
	//   -> TP 9 (0.40, 0.49 and 0.20 are below), FN 3;
	// negatives 0.12 0.40 0.05 0.33 0.20 0.58 0.27 0.61 0.08 0.44 0.33 0.15
	//   -> FP 2 (0.58, 0.61), TN 10.
	c, err := ConfusionAt(fixtureLabels, fixtureScores, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Confusion{TP: 9, FP: 2, TN: 10, FN: 3}); c != want {
		t.Fatalf("confusion = %+v, want %+v", c, want)
	}

	d, err := c.Diagnostics(0.95)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name     string
		got      Proportion
		num, den int
	}{
		{"accuracy", d.Accuracy, 19, 24},
		{"sensitivity", d.Sensitivity, 9, 12},
		{"specificity", d.Specificity, 10, 12},
		{"ppv", d.PPV, 9, 11},
		{"npv", d.NPV, 10, 13},
	}
	for _, ch := range checks {
		lower, upper, err := WilsonCC(ch.num, ch.den, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		want := Proportion{Num: ch.num, Den: ch.den, Value: float64(ch.num) / float64(ch.den), Lower: lower, Upper: upper}
		if ch.got != want {
			t.Errorf("%s = %+v, want %+v", ch.name, ch.got, want)
		}
	}
}

func TestDiagnosticsUndefinedPPV(t *testing.T) {
	// No sample reaches the threshold, so PPV = 0/0.
	c, err := ConfusionAt([]bool{true, false}, []float64{0.2, 0.1}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Diagnostics(0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(d.PPV.Value) {
		t.Errorf("PPV = %v, want NaN", d.PPV.Value)
	}
	text, err := d.PPV.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"num":0,"den":0,"value":null,"lower":null,"upper":null}`; string(text) != want {
		t.Errorf("JSON = %s, want %s", text, want)
	}
}

func TestCIndexWithTies(t *testing.T) {
	// Pairs with different outcomes (indices):
	// (0,2) .1<.3 C  (0,3) .1<.2 C  (0,4) .1<.9 C  (1,2) .3=.3 tie
	// (1,3) higher outcome 3 has .2 < .3 D  (1,4) C  (2,4) C  (3,4) C
	// Usable 8, concordant 6, discordant 1, tied 1: C = 6.5/8.
	got, err := CIndex([]float64{0, 0, 1, 1, 2}, []float64{0.1, 0.3, 0.3, 0.2, 0.9})
	if err != nil {
		t.Fatal(err)
	}
	want := Concordance{C: 6.5 / 8, Usable: 8, Concordant: 6, Discordant: 1, TiedScore: 1}
	if got != want {
		t.Errorf("CIndex = %+v, want %+v", got, want)
	}
}

func TestCIndexBinaryEqualsAUC(t *testing.T) {
	c, err := CIndexBinary(fixtureLabels, fixtureScores)
	if err != nil {
		t.Fatal(err)
	}
	auc, err := AUC(fixtureLabels, fixtureScores)
	if err != nil {
		t.Fatal(err)
	}
	if !near(c.C, auc, exactTol) {
		t.Errorf("C = %v, AUC = %v", c.C, auc)
	}
}

func TestHosmerLemeshowHandExample(t *testing.T) {
	// Sorted probabilities and labels in 3 groups of 2:
	// {0.1:0, 0.2:1} {0.4:0, 0.5:1} {0.8:1, 0.9:1}.
	// Group 1: O=1, E=0.3; terms 0.7²/0.3 + 0.7²/1.7 = 0.49*2/0.51.
	// Group 2: O=1, E=0.9; terms 0.1²/0.9 + 0.1²/1.1 = 0.01*2/0.99.
	// Group 3: O=2, E=1.7; terms 0.3²/1.7 + 0.3²/0.3 = 0.09*2/0.51.
	// Statistic = 1.16/0.51 + 0.02/0.99 = 2.29471, df = 1.
	labels := []bool{true, true, false, false, true, true}
	probs := []float64{0.9, 0.2, 0.4, 0.1, 0.5, 0.8}
	got, err := HosmerLemeshow(labels, probs, 3)
	if err != nil {
		t.Fatal(err)
	}

	wantStat := 1.16/0.51 + 0.02/0.99
	if !near(got.Statistic, wantStat, 1e-12) {
		t.Errorf("statistic = %v, want %v", got.Statistic, wantStat)
	}
	if got.DF != 1 {
		t.Errorf("df = %d, want 1", got.DF)
	}
	// With 1 degree of freedom, P(chi² > s) = erfc(sqrt(s/2)).
	if want := math.Erfc(math.Sqrt(wantStat / 2)); !near(got.PValue, want, 1e-12) {
		t.Errorf("p = %v, want %v", got.PValue, want)
	}

	wantGroups := []HLGroup{
		{N: 2, Observed: 1, Expected: 0.3, MeanPredicted: 0.15},
		{N: 2, Observed: 1, Expected: 0.9, MeanPredicted: 0.45},
		{N: 2, Observed: 2, Expected: 1.7, MeanPredicted: 0.85},
	}
	for k, want := range wantGroups {
		g := got.Groups[k]
		if g.N != want.N || g.Observed != want.Observed || !near(g.Expected, want.Expected, exactTol) || !near(g.MeanPredicted, want.MeanPredicted, exactTol) {
			t.Errorf("group %d = %+v, want %+v", k, g, want)
		}
	}
}

func TestHosmerLemeshowUnequalGroups(t *testing.T) {
	// 7 samples in 3 groups take sorted positions 0-1, 2-3 and 4-6.
	probs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}
	labels := []bool{false, false, true, false, true, true, true}
	got, err := HosmerLemeshow(labels, probs, 3)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{got.Groups[0].N, got.Groups[1].N, got.Groups[2].N}
	if sizes[0] != 2 || sizes[1] != 2 || sizes[2] != 3 {
		t.Errorf("group sizes = %v, want [2 2 3]", sizes)
	}
}

func TestNetBenefitHandExample(t *testing.T) {
	// Probabilities with labels: 0.9:1 0.7:1 0.6:0 0.3:1 0.2:0 0.1:0,
	// N = 6, prevalence 1/2; positive when p >= pt.
	// pt 0.25 (odds 1/3): TP 3, FP 1 -> 3/6 - 1/6*1/3 = 4/9; all 1/2 - 1/2*1/3 = 1/3.
	// pt 0.5  (odds 1):   TP 2, FP 1 -> 1/6;               all 0.
	// pt 0.6  (odds 3/2): TP 2, FP 1 (0.6 counts) -> 2/6 - 1/6*3/2 = 1/12; all -1/4.
	// pt 0.8  (odds 4):   TP 1, FP 0 -> 1/6;               all 1/2 - 2 = -3/2.
	labels := []bool{true, true, false, true, false, false}
	probs := []float64{0.9, 0.7, 0.6, 0.3, 0.2, 0.1}
	got, err := NetBenefit(labels, probs, []float64{0.25, 0.5, 0.6, 0.8})
	if err != nil {
		t.Fatal(err)
	}
	wantModel := []float64{4.0 / 9, 1.0 / 6, 1.0 / 12, 1.0 / 6}
	wantAll := []float64{1.0 / 3, 0, -0.25, -1.5}
	for k := range wantModel {
		if !near(got.Model[k], wantModel[k], exactTol) {
			t.Errorf("model at %v = %v, want %v", got.Thresholds[k], got.Model[k], wantModel[k])
		}
		if !near(got.TreatAll[k], wantAll[k], exactTol) {
			t.Errorf("treat all at %v = %v, want %v", got.Thresholds[k], got.TreatAll[k], wantAll[k])
		}
		if got.TreatNone[k] != 0 {
			t.Errorf("treat none at %v = %v, want 0", got.Thresholds[k], got.TreatNone[k])
		}
	}
}

func TestThresholdGrid(t *testing.T) {
	grid, err := ThresholdGrid(0.01, 0.99, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(grid) != 99 || grid[0] != 0.01 || grid[98] != 0.99 {
		t.Errorf("grid has %d points from %v to %v, want 99 from 0.01 to 0.99", len(grid), grid[0], grid[len(grid)-1])
	}
	if _, err := ThresholdGrid(0, 0.5, 0.1); !errors.Is(err, ErrRange) {
		t.Errorf("grid from 0: err = %v, want ErrRange", err)
	}
}

func TestNomogramHandExample(t *testing.T) {
	// logit(p) = -3 + 0.05*age + 0.01*ldh - 1.0*flag.
	// Effect ranges: age 0.05*60 = 3 (widest, 100 points), ldh 0.01*200 = 2
	// (66.67 points), flag 1 (33.33 points, 0 points at flag = 1).
	// At age 50, ldh 200, flag 0: points 100*1.5/3 = 50, 100*1/3, 100*1/3.
	// Base (all at 0 points) = -3 + 0.05*20 + 0.01*100 - 1 = -2;
	// total 350/3 points -> -2 + (350/3)*3/100 = 1.5 = -3 + 2.5 + 2 - 0.
	nomo, err := NewNomogram(-3, []NomogramVariable{
		{Name: "age", Coefficient: 0.05, Min: 20, Max: 80},
		{Name: "ldh", Coefficient: 0.01, Min: 100, Max: 300},
		{Name: "flag", Coefficient: -1, Min: 0, Max: 1},
	})
	if err != nil {
		t.Fatal(err)
	}

	values := []float64{50, 200, 0}
	wantPoints := []float64{50, 100.0 / 3, 100.0 / 3}
	wantMax := []float64{100, 200.0 / 3, 100.0 / 3}
	for i := range values {
		if got := nomo.Points(i, values[i]); !near(got, wantPoints[i], 1e-9) {
			t.Errorf("points of %s = %v, want %v", nomo.Variables[i].Name, got, wantPoints[i])
		}
		if got := nomo.MaxPoints(i); !near(got, wantMax[i], 1e-9) {
			t.Errorf("max points of %s = %v, want %v", nomo.Variables[i].Name, got, wantMax[i])
		}
	}

	total := nomo.TotalPoints(values)
	if !near(total, 350.0/3, 1e-9) {
		t.Errorf("total = %v, want %v", total, 350.0/3)
	}
	if got := nomo.LinearPredictor(total); !near(got, 1.5, 1e-9) {
		t.Errorf("linear predictor = %v, want 1.5", got)
	}
	if got, want := nomo.Probability(total), 1/(1+math.Exp(-1.5)); !near(got, want, 1e-12) {
		t.Errorf("probability = %v, want %v", got, want)
	}
	if got := nomo.TotalForProbability(0.5); !near(got, 200.0/3, 1e-9) {
		// logit 0.5 = 0 = -2 + T*3/100 -> T = 200/3.
		t.Errorf("total for p = 0.5 is %v, want %v", got, 200.0/3)
	}
}

func TestNomogramRejects(t *testing.T) {
	cases := []struct {
		name string
		vars []NomogramVariable
		want error
	}{
		{"no variables", nil, ErrEmpty},
		{"NaN coefficient", []NomogramVariable{{Name: "a", Coefficient: math.NaN(), Min: 0, Max: 1}}, ErrNaN},
		{"empty range", []NomogramVariable{{Name: "a", Coefficient: 1, Min: 1, Max: 1}}, ErrRange},
		{"zero coefficients", []NomogramVariable{{Name: "a", Coefficient: 0, Min: 0, Max: 1}}, ErrRange},
	}
	for _, c := range cases {
		if _, err := NewNomogram(0, c.vars); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestBadInputErrors(t *testing.T) {
	oneClass := []bool{true, true, true}
	three := []float64{0.1, 0.2, 0.3}
	withNaN := []float64{0.1, math.NaN(), 0.3}
	mixed := []bool{true, false, true}
	type call func(labels []bool, scores []float64) error
	calls := map[string]call{
		"ROC": func(l []bool, s []float64) error { _, err := ROC(l, s); return err },
		"AUC": func(l []bool, s []float64) error { _, err := AUC(l, s); return err },
		"DeLong": func(l []bool, s []float64) error {
			_, err := DeLong(l, s, 0.95)
			return err
		},
		"PrecisionRecall":  func(l []bool, s []float64) error { _, err := PrecisionRecall(l, s); return err },
		"AveragePrecision": func(l []bool, s []float64) error { _, err := AveragePrecision(l, s); return err },
		"ConfusionAt":      func(l []bool, s []float64) error { _, err := ConfusionAt(l, s, 0.5); return err },
		"CIndexBinary":     func(l []bool, s []float64) error { _, err := CIndexBinary(l, s); return err },
		"HosmerLemeshow": func(l []bool, s []float64) error {
			_, err := HosmerLemeshow(l, s, 3)
			return err
		},
		"CalibrationCurve": func(l []bool, s []float64) error {
			_, err := CalibrationCurve(l, s, 2, Uniform)
			return err
		},
		"NetBenefit": func(l []bool, s []float64) error {
			_, err := NetBenefit(l, s, []float64{0.5})
			return err
		},
	}
	// Functions for which a single class leaves the statistic undefined.
	needBoth := map[string]bool{"ROC": true, "AUC": true, "DeLong": true, "CIndexBinary": true}
	for name, f := range calls {
		t.Run(name, func(t *testing.T) {
			if err := f(nil, nil); !errors.Is(err, ErrEmpty) {
				t.Errorf("empty: err = %v, want ErrEmpty", err)
			}
			if err := f(mixed, three[:2]); !errors.Is(err, ErrLength) {
				t.Errorf("mismatched: err = %v, want ErrLength", err)
			}
			if err := f(mixed, withNaN); !errors.Is(err, ErrNaN) {
				t.Errorf("NaN: err = %v, want ErrNaN", err)
			}
			err := f(oneClass, three)
			if needBoth[name] && !errors.Is(err, ErrOneClass) {
				t.Errorf("one class: err = %v, want ErrOneClass", err)
			}
			if !needBoth[name] && err != nil {
				t.Errorf("one class: err = %v, want nil", err)
			}
		})
	}
}

func TestDeLongTooFew(t *testing.T) {
	_, err := DeLong([]bool{true, false, false}, []float64{0.9, 0.1, 0.2}, 0.95)
	if !errors.Is(err, ErrTooFew) {
		t.Errorf("err = %v, want ErrTooFew", err)
	}
}

func TestProbabilityRange(t *testing.T) {
	_, err := HosmerLemeshow([]bool{true, false, true}, []float64{0.5, 1.2, 0.1}, 3)
	if !errors.Is(err, ErrRange) {
		t.Errorf("HosmerLemeshow: err = %v, want ErrRange", err)
	}
	_, err = PrecisionRecall([]bool{false, false}, []float64{0.5, 0.2})
	if !errors.Is(err, ErrOneClass) {
		t.Errorf("PrecisionRecall without positives: err = %v, want ErrOneClass", err)
	}
}
