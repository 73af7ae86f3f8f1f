package learn

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os/exec"
	"slices"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// Tolerances of the comparisons with scikit-learn 1.2 (Debian bookworm's
// python3-sklearn). The SMO iterates are the same as LIBSVM's without
// shrinking, so only rounding separates the two.
const (
	tolFStat        = 1e-9 // relative to max(|F|, 1), F statistic (sklearn sums raw squares)
	tolPValue       = 1e-7 // relative, p-value (different incomplete beta)
	tolSVMSameIter  = 1e-6 // relative, decision values and dual coefficients, same iterates
	tolSVMConverged = 1e-5 // relative, both solvers at tol 1e-10 with shrinking on in sklearn
	tolLogitCoef    = 1e-6 // relative, unpenalised logistic regression
	tolLogitSE      = 1e-5 // relative, Wald standard errors
	tolPlattProb    = 1e-4 // absolute, Platt probabilities (Newton vs BFGS)
	tolFirthCoef    = 1e-4 // relative to the largest coefficient, Firth (Newton vs BFGS)
)

// sklearnReference sends req to testdata/sklearn_reference.py and decodes
// its response into out.
func sklearnReference(t *testing.T, req map[string]any, out any) {
	t.Helper()
	py := testutil.RequirePython(t, "sklearn", "numpy")
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/sklearn_reference.py")
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	answer, err := cmd.Output()
	if err != nil {
		t.Fatalf("sklearn_reference.py %s: %v\n%s", req["task"], err, stderr.String())
	}
	if err := json.Unmarshal(answer, out); err != nil {
		t.Fatalf("decode reference answer: %v", err)
	}
}

// sklearnBatch sends several requests to one Python process and decodes
// response i into out(i).
func sklearnBatch(t *testing.T, reqs []map[string]any, out func(i int) any) {
	t.Helper()
	var resp struct{ Responses []json.RawMessage }
	sklearnReference(t, map[string]any{"task": "batch", "requests": reqs}, &resp)
	if len(resp.Responses) != len(reqs) {
		t.Fatalf("%d responses for %d requests", len(resp.Responses), len(reqs))
	}
	for i, raw := range resp.Responses {
		if err := json.Unmarshal(raw, out(i)); err != nil {
			t.Fatalf("decode response %d: %v", i, err)
		}
	}
}

func relClose(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

// closeScaled compares with a tolerance relative to scale (for values that
// can be near zero, such as decision values).
func closeScaled(got, want, tol, scale float64) bool {
	return math.Abs(got-want) <= tol*scale
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func TestFClassifMatchesSklearn(t *testing.T) {
	x, y := synthData(57, 25, 200, 20, 1)
	var ref struct {
		F, P     []float64
		Selected []int
	}
	sklearnReference(t, map[string]any{"task": "ftest", "x": x, "y": y, "percentile": 20}, &ref)
	f, p, err := FClassif(x, y)
	if err != nil {
		t.Fatal(err)
	}
	for j := range f {
		if !closeScaled(f[j], ref.F[j], tolFStat, math.Max(math.Abs(ref.F[j]), 1)) {
			t.Errorf("F[%d] = %.17g, sklearn %.17g", j, f[j], ref.F[j])
		}
		if !relClose(p[j], ref.P[j], tolPValue) {
			t.Errorf("p[%d] = %.17g, sklearn %.17g", j, p[j], ref.P[j])
		}
	}
	sel, err := SelectPercentile(f, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sel, ref.Selected) {
		t.Errorf("SelectPercentile = %v, sklearn %v", sel, ref.Selected)
	}
}

type svcReference struct {
	Support   []int
	DualCoef  []float64 `json:"dual_coef"`
	Intercept float64
	Decision  []float64
	Coef      []float64
}

func TestSVCMatchesSklearn(t *testing.T) {
	x, y := synthData(70, 30, 8, 4, 2)
	xtest, _ := synthData(25, 10, 8, 4, 3)
	scaler, err := FitScaler(x)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := scaler.Transform(x)
	ztest, _ := scaler.Transform(xtest)

	cases := []struct {
		name      string
		params    SVCParams
		shrinking bool
		tol       float64
	}{
		{"rbf C=1 gamma=0.1", SVCParams{Kernel: KernelRBF, C: 1, Gamma: 0.1}, false, tolSVMSameIter},
		{"rbf C=10 gamma=0.5", SVCParams{Kernel: KernelRBF, C: 10, Gamma: 0.5}, false, tolSVMSameIter},
		{"rbf C=0.1 gamma=0.01", SVCParams{Kernel: KernelRBF, C: 0.1, Gamma: 0.01}, false, tolSVMSameIter},
		{"rbf C=100 gamma=0.05", SVCParams{Kernel: KernelRBF, C: 100, Gamma: 0.05}, false, tolSVMSameIter},
		{"linear C=1", SVCParams{Kernel: KernelLinear, C: 1}, false, tolSVMSameIter},
		{"rbf converged", SVCParams{Kernel: KernelRBF, C: 3, Gamma: 0.2, Tol: 1e-10}, true, tolSVMConverged},
	}
	reqs := make([]map[string]any, len(cases))
	for i, tc := range cases {
		tol := tc.params.Tol
		if tol == 0 {
			tol = DefaultSVMTol
		}
		reqs[i] = map[string]any{"task": "svc", "x": z, "y": y, "x_test": ztest,
			"kernel": string(tc.params.Kernel), "c": tc.params.C, "gamma": tc.params.Gamma,
			"tol": tol, "shrinking": tc.shrinking}
	}
	refs := make([]svcReference, len(cases))
	sklearnBatch(t, reqs, func(i int) any { return &refs[i] })
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref := refs[i]
			m, err := FitSVC(z, y, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.SupportIndex, ref.Support) {
				t.Fatalf("support vectors %v, sklearn %v", m.SupportIndex, ref.Support)
			}
			for i := range m.DualCoef {
				if !closeScaled(m.DualCoef[i], ref.DualCoef[i], tc.tol, tc.params.C) {
					t.Errorf("dual coefficient %d = %.17g, sklearn %.17g", i, m.DualCoef[i], ref.DualCoef[i])
				}
			}
			scale := maxAbs(ref.Decision)
			if !closeScaled(m.Intercept, ref.Intercept, tc.tol, scale) {
				t.Errorf("intercept %.17g, sklearn %.17g", m.Intercept, ref.Intercept)
			}
			for i, row := range ztest {
				d, err := m.Decision(row)
				if err != nil {
					t.Fatal(err)
				}
				if !closeScaled(d, ref.Decision[i], tc.tol, scale) {
					t.Errorf("decision %d = %.17g, sklearn %.17g", i, d, ref.Decision[i])
				}
			}
			if tc.params.Kernel == KernelLinear {
				w := m.LinearWeights()
				for j := range w {
					if !closeScaled(w[j], ref.Coef[j], tc.tol, maxAbs(ref.Coef)) {
						t.Errorf("weight %d = %.17g, sklearn %.17g", j, w[j], ref.Coef[j])
					}
				}
			}
		})
	}
}

func TestRFERankingMatchesSklearn(t *testing.T) {
	x, y := synthData(60, 26, 40, 12, 4)
	scaler, _ := FitScaler(x)
	z, _ := scaler.Transform(x)
	cases := []struct {
		name   string
		k      int
		params RFEParams
		step   any
	}{
		{"step 1 to 5", 5, RFEParams{Step: 1}, 1},
		{"step 3 to 4", 4, RFEParams{Step: 3}, 3},
		{"fraction 0.1 to 5", 5, RFEParams{StepFraction: 0.1}, 0.1},
		{"step 7 to 1", 1, RFEParams{Step: 7}, 7},
	}
	reqs := make([]map[string]any, len(cases))
	for i, tc := range cases {
		reqs[i] = map[string]any{"task": "rfe", "x": z, "y": y, "k": tc.k, "step": tc.step, "c": 1.0}
	}
	refs := make([]struct{ Ranking []int }, len(cases))
	sklearnBatch(t, reqs, func(i int) any { return &refs[i] })
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref := refs[i]
			ranking, selected, err := RFE(z, y, tc.k, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ranking, ref.Ranking) {
				t.Errorf("ranking\n got %v\nwant %v", ranking, ref.Ranking)
			}
			if len(selected) != tc.k {
				t.Errorf("selected %d features, want %d", len(selected), tc.k)
			}
			subsets, err := rfeSubsets(z, y, []int{tc.k, tc.k + 3, tc.k + 1}, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(subsets[tc.k], selected) {
				t.Errorf("shared-path subset %v, direct %v", subsets[tc.k], selected)
			}
		})
	}
}

func TestLogisticMatchesSklearn(t *testing.T) {
	x, y := synthData(89, 40, 3, 2, 5)
	var ref struct{ Coef, SE []float64 }
	sklearnReference(t, map[string]any{"task": "logistic", "x": x, "y": y}, &ref)
	m, err := FitLogistic(x, y, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	for j := range m.Coef {
		if !closeScaled(m.Coef[j], ref.Coef[j], tolLogitCoef, maxAbs(ref.Coef)) {
			t.Errorf("coefficient %d = %.12g, sklearn %.12g", j, m.Coef[j], ref.Coef[j])
		}
		if !relClose(m.SE[j], ref.SE[j], tolLogitSE) {
			t.Errorf("standard error %d = %.12g, numpy from sklearn's fit %.12g", j, m.SE[j], ref.SE[j])
		}
	}
}

func TestPlattMatchesSklearn(t *testing.T) {
	x, y := synthData(80, 35, 6, 3, 6)
	scaler, _ := FitScaler(x)
	z, _ := scaler.Transform(x)
	m, err := FitSVC(z, y, SVCParams{Kernel: KernelRBF, C: 1, Gamma: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	dec := make([]float64, len(z))
	for i, row := range z {
		dec[i], _ = m.Decision(row)
	}
	var ref struct{ A, B float64 }
	sklearnReference(t, map[string]any{"task": "platt", "decision": dec, "y": y}, &ref)
	p, err := FitPlatt(dec, y)
	if err != nil {
		t.Fatal(err)
	}
	if p.A >= 0 {
		t.Errorf("A = %v, want negative (decision values are positive for label 1)", p.A)
	}
	want := Platt{A: ref.A, B: ref.B}
	for _, f := range []float64{-3, -1, -0.2, 0, 0.2, 1, 3} {
		if g, w := p.Probability(f), want.Probability(f); math.Abs(g-w) > tolPlattProb {
			t.Errorf("P(f=%v) = %.8f, sklearn %.8f (A=%v B=%v, sklearn A=%v B=%v)", f, g, w, p.A, p.B, ref.A, ref.B)
		}
	}
}

func TestFirthMatchesDirectMaximisation(t *testing.T) {
	// Completely separated by the first variable, so only Firth's estimate
	// exists; the reference maximises the same penalised likelihood with
	// SciPy's BFGS.
	x, y := synthData(40, 18, 2, 0, 12)
	for i := range x {
		x[i][0] = float64(2*y[i]-1) * (1 + math.Abs(x[i][0])/10)
	}
	if _, err := FitLogistic(x, y, []string{"a", "b"}); !errors.Is(err, ErrSeparation) {
		t.Fatalf("maximum likelihood on separated data: error %v, want ErrSeparation", err)
	}
	var ref struct{ Coef []float64 }
	sklearnReference(t, map[string]any{"task": "firth", "x": x, "y": y}, &ref)
	m, err := FitLogisticAuto(x, y, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Method != MethodFirth {
		t.Errorf("method %q, want %q", m.Method, MethodFirth)
	}
	for j := range m.Coef {
		if !closeScaled(m.Coef[j], ref.Coef[j], tolFirthCoef, maxAbs(ref.Coef)) {
			t.Errorf("coefficient %d = %.8g, SciPy %.8g", j, m.Coef[j], ref.Coef[j])
		}
	}
}
