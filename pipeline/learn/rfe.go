package learn

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// RFEParams configure recursive feature elimination with a linear SVM.
type RFEParams struct {
	// Step is the number of features removed per iteration when StepFraction
	// is 0; at least 1.
	Step int
	// StepFraction, when in (0, 1), sets the step to
	// max(1, floor(StepFraction * p)) with p the number of input features,
	// as scikit-learn's RFE with a float step.
	StepFraction float64
	// C is the box constraint of the linear SVM; 0 means 1 (the SVC default).
	C float64
	// Tol is the SMO tolerance; 0 means DefaultSVMTol.
	Tol float64
}

// step returns the number of features removed per iteration for p inputs.
func (r RFEParams) step(p int) (int, error) {
	if r.StepFraction != 0 {
		if !(r.StepFraction > 0 && r.StepFraction < 1) {
			return 0, fmt.Errorf("%w: RFE step fraction %v outside (0, 1)", ErrInvalidParam, r.StepFraction)
		}
		return max(1, int(r.StepFraction*float64(p))), nil
	}
	if r.Step < 1 {
		return 0, fmt.Errorf("%w: RFE step %d must be at least 1", ErrInvalidParam, r.Step)
	}
	return r.Step, nil
}

func (r RFEParams) svc() SVCParams {
	c := r.C
	if c == 0 {
		c = 1
	}
	return SVCParams{Kernel: KernelLinear, C: c, Tol: r.Tol}
}

// rfeState is the set of remaining features and the ranking so far.
type rfeState struct {
	support []bool
	ranking []int
	count   int
}

func (s rfeState) clone() rfeState {
	return rfeState{support: slices.Clone(s.support), ranking: slices.Clone(s.ranking), count: s.count}
}

func (s rfeState) selected() []int {
	var out []int
	for j, ok := range s.support {
		if ok {
			out = append(out, j)
		}
	}
	return out
}

// RFE ranks the columns of x by recursive feature elimination down to k
// features and returns scikit-learn's ranking_ (1 for the k kept features,
// 2 for those removed last, and so on) and the kept columns in ascending
// order. Each iteration trains a linear SVM on the remaining columns and
// removes the min(step, remaining - k) columns with the smallest squared
// weights (ties in index order).
func RFE(x [][]float64, labels []int, k int, params RFEParams) (ranking, selected []int, err error) {
	p, err := checkMatrix(x)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := checkLabels(labels, len(x)); err != nil {
		return nil, nil, err
	}
	if k < 1 || k > p {
		return nil, nil, fmt.Errorf("%w: RFE target %d features outside [1, %d]", ErrInvalidParam, k, p)
	}
	step, err := params.step(p)
	if err != nil {
		return nil, nil, err
	}
	state := newRFEState(p)
	if err := eliminate(x, labels, &state, k, step, 0, params.svc()); err != nil {
		return nil, nil, err
	}
	return state.ranking, state.selected(), nil
}

// rfeSubsets returns the columns RFE keeps for each target in ks. The
// elimination path is shared while it is the same for every target.
func rfeSubsets(x [][]float64, labels []int, ks []int, params RFEParams) (map[int][]int, error) {
	p := len(x[0])
	step, err := params.step(p)
	if err != nil {
		return nil, err
	}
	kmax := slices.Max(ks)
	if kmin := slices.Min(ks); kmin < 1 || kmax > p {
		return nil, fmt.Errorf("%w: RFE targets %v outside [1, %d]", ErrInvalidParam, ks, p)
	}
	state := newRFEState(p)
	if err := eliminate(x, labels, &state, kmax, step, step, params.svc()); err != nil {
		return nil, err
	}
	out := make(map[int][]int, len(ks))
	for _, k := range ks {
		s := state.clone()
		if err := eliminate(x, labels, &s, k, step, 0, params.svc()); err != nil {
			return nil, err
		}
		out[k] = s.selected()
	}
	return out, nil
}

func newRFEState(p int) rfeState {
	s := rfeState{support: make([]bool, p), ranking: make([]int, p), count: p}
	for j := range s.support {
		s.support[j] = true
		s.ranking[j] = 1
	}
	return s
}

// eliminate removes features from state until k remain, or, when margin > 0,
// until fewer than k + margin remain (the part of the path shared by all
// targets up to k).
func eliminate(x [][]float64, labels []int, state *rfeState, k, step, margin int, svc SVCParams) error {
	for state.count > k && (margin == 0 || state.count-k >= margin) {
		cols := state.selected()
		m, err := FitSVC(subColumns(x, cols), labels, svc)
		if err != nil {
			return fmt.Errorf("learn: RFE with %d features: %w", len(cols), err)
		}
		w := m.LinearWeights()
		importance := make([]float64, len(w))
		for j, v := range w {
			importance[j] = v * v
		}
		if len(w) == 0 {
			// No support vector: every weight is zero.
			importance = make([]float64, len(cols))
		}
		order := make([]int, len(cols))
		for j := range order {
			order[j] = j
		}
		sort.SliceStable(order, func(a, b int) bool { return lessNaNFirst(importance[order[a]], importance[order[b]]) })
		remove := min(step, state.count-k)
		for _, o := range order[:remove] {
			state.support[cols[o]] = false
		}
		for j, ok := range state.support {
			if !ok {
				state.ranking[j]++
			}
		}
		state.count -= remove
	}
	return nil
}

func lessNaNFirst(a, b float64) bool {
	if math.IsNaN(a) {
		return !math.IsNaN(b)
	}
	return a < b
}
