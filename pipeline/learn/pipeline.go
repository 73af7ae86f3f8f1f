package learn

import (
	"fmt"
	"math"
	"slices"
)

// DefaultPercentile is the share of features (per cent) the F-test keeps.
const DefaultPercentile = 20

// PipelineParams are the fixed settings of the modelling pipeline
// standardise -> F-test percentile -> RFE -> RBF SVM.
type PipelineParams struct {
	// Percentile of features kept by the F-test; 0 means DefaultPercentile.
	Percentile float64
	// RFE configures the elimination; its C and Tol default to 1 and
	// DefaultSVMTol.
	RFE RFEParams
	// SVMTol is the SMO tolerance of the RBF SVM; 0 means DefaultSVMTol.
	SVMTol float64
}

func (p PipelineParams) percentile() float64 {
	if p.Percentile == 0 {
		return DefaultPercentile
	}
	return p.Percentile
}

func (p PipelineParams) svmTol() float64 {
	if p.SVMTol == 0 {
		return DefaultSVMTol
	}
	return p.SVMTol
}

// Hyper is one point of the hyper-parameter grid.
type Hyper struct {
	C     float64 `json:"c"`
	Gamma float64 `json:"gamma"`
	K     int     `json:"k"`
}

// Grid is the hyper-parameter grid searched by cross-validation.
type Grid struct {
	C     []float64 `json:"c"`
	Gamma []float64 `json:"gamma"`
	K     []int     `json:"k"`
}

func (g Grid) validate() error {
	if len(g.C) == 0 || len(g.Gamma) == 0 || len(g.K) == 0 {
		return fmt.Errorf("%w: the grid needs at least one C, gamma and k", ErrInvalidParam)
	}
	for _, c := range g.C {
		if !(c > 0) || math.IsInf(c, 0) {
			return fmt.Errorf("%w: grid C = %v", ErrInvalidParam, c)
		}
	}
	for _, v := range g.Gamma {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: grid gamma = %v", ErrInvalidParam, v)
		}
	}
	for _, k := range g.K {
		if k < 1 {
			return fmt.Errorf("%w: grid k = %d", ErrInvalidParam, k)
		}
	}
	return nil
}

// Candidates lists the grid points in search order: k varies slowest and
// gamma fastest (the order of scikit-learn's ParameterGrid for the keys
// rfe__n_features_to_select, svc__C, svc__gamma). Among equal scores the
// first candidate in this order wins.
func (g Grid) Candidates() []Hyper {
	out := make([]Hyper, 0, len(g.K)*len(g.C)*len(g.Gamma))
	for _, k := range g.K {
		for _, c := range g.C {
			for _, gamma := range g.Gamma {
				out = append(out, Hyper{C: c, Gamma: gamma, K: k})
			}
		}
	}
	return out
}

// Model is a fitted pipeline: a scaler over all input features, the k
// selected columns, and an RBF SVM on their standardised values.
type Model struct {
	Hyper Hyper
	// NFeatures is the number of input columns.
	NFeatures int
	// Scaler was fitted on all input columns of the training samples.
	Scaler *Scaler
	// FTestKept are the columns kept by the F-test, ascending.
	FTestKept []int
	// Selected are the columns kept by RFE (the SVM's inputs), ascending.
	Selected []int
	SVC      *SVC
}

// FitModel fits the pipeline with fixed hyper-parameters on all rows of x.
func FitModel(x [][]float64, labels []int, h Hyper, pp PipelineParams) (*Model, error) {
	p, err := checkMatrix(x)
	if err != nil {
		return nil, err
	}
	if _, _, err := checkLabels(labels, len(x)); err != nil {
		return nil, err
	}
	scaler, err := FitScaler(x)
	if err != nil {
		return nil, err
	}
	z, err := scaler.Transform(x)
	if err != nil {
		return nil, err
	}
	kept, err := ftestKeep(z, labels, pp.percentile(), h.K)
	if err != nil {
		return nil, err
	}
	subsets, err := rfeSubsets(subColumns(z, kept), labels, []int{h.K}, pp.RFE)
	if err != nil {
		return nil, err
	}
	selected := mapIndices(kept, subsets[h.K])
	svc, err := FitSVC(subColumns(z, selected), labels, SVCParams{Kernel: KernelRBF, C: h.C, Gamma: h.Gamma, Tol: pp.svmTol()})
	if err != nil {
		return nil, err
	}
	return &Model{Hyper: h, NFeatures: p, Scaler: scaler, FTestKept: kept, Selected: selected, SVC: svc}, nil
}

// Decision returns the SVM decision value of one sample with all input
// columns, positive for label 1.
func (m *Model) Decision(x []float64) (float64, error) {
	if len(x) != m.NFeatures {
		return 0, fmt.Errorf("%w: sample has %d features, the model expects %d", ErrShape, len(x), m.NFeatures)
	}
	z := make([]float64, len(m.Selected))
	for i, j := range m.Selected {
		z[i] = (x[j] - m.Scaler.Mean[j]) / m.Scaler.Scale[j]
	}
	return m.SVC.Decision(z)
}

// ftestKeep runs the F-test on z and keeps the top percentile, checking that
// at least need columns remain for RFE.
func ftestKeep(z [][]float64, labels []int, percentile float64, need int) ([]int, error) {
	f, _, err := FClassif(z, labels)
	if err != nil {
		return nil, err
	}
	kept, err := SelectPercentile(f, percentile)
	if err != nil {
		return nil, err
	}
	if len(kept) < need {
		return nil, fmt.Errorf("%w: the F-test keeps %d of %d features (%v %%), fewer than k = %d", ErrInvalidParam, len(kept), len(f), percentile, need)
	}
	return kept, nil
}

// mapIndices returns base[sub[i]] for every i.
func mapIndices(base, sub []int) []int {
	out := make([]int, len(sub))
	for i, s := range sub {
		out[i] = base[s]
	}
	slices.Sort(out)
	return out
}
