package learn

import (
	"fmt"
	"math"
)

// SVCParams are the hyper-parameters of a C-SVM.
type SVCParams struct {
	Kernel KernelKind
	// C is the box constraint (penalty of margin violations), > 0.
	C float64
	// Gamma is the RBF width parameter, > 0; unused by the linear kernel.
	Gamma float64
	// Tol is the SMO stopping tolerance; 0 means DefaultSVMTol.
	Tol float64
	// MaxIter bounds the SMO iterations; 0 means no practical bound.
	MaxIter int
}

func (p SVCParams) validate() error {
	if p.Kernel != KernelLinear && p.Kernel != KernelRBF {
		return fmt.Errorf("%w: kernel %q", ErrInvalidParam, p.Kernel)
	}
	if !(p.C > 0) || math.IsInf(p.C, 0) {
		return fmt.Errorf("%w: C = %v must be positive and finite", ErrInvalidParam, p.C)
	}
	if p.Kernel == KernelRBF && (!(p.Gamma > 0) || math.IsInf(p.Gamma, 0)) {
		return fmt.Errorf("%w: gamma = %v must be positive and finite", ErrInvalidParam, p.Gamma)
	}
	if p.Tol < 0 {
		return fmt.Errorf("%w: tolerance %v is negative", ErrInvalidParam, p.Tol)
	}
	return nil
}

func (p SVCParams) tol() float64 {
	if p.Tol == 0 {
		return DefaultSVMTol
	}
	return p.Tol
}

// SVC is a trained binary C-SVM. Its decision value for x is
//
//	f(x) = sum_i DualCoef[i] k(SupportVectors[i], x) + Intercept,
//
// positive for label 1. DualCoef[i] is alpha_i times +1 for label 1 and -1
// for label 0, as scikit-learn's dual_coef_.
type SVC struct {
	Kernel         KernelKind
	Gamma          float64
	SupportVectors [][]float64
	// SupportIndex holds the training row of each support vector, ascending.
	SupportIndex []int
	DualCoef     []float64
	Intercept    float64
	// Iterations is the number of SMO iterations of the fit.
	Iterations int
}

// FitSVC trains a C-SVM on the rows of x with labels 0 and 1.
//
// Internally label 0 is the class y = +1 of the dual problem and label 1 is
// y = -1, and the decision value is negated at the end, as scikit-learn does
// with LIBSVM for sorted class labels; with shrinking disabled on both sides
// the SMO iterates are then the same.
func FitSVC(x [][]float64, labels []int, p SVCParams) (*SVC, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if _, err := checkMatrix(x); err != nil {
		return nil, err
	}
	if _, _, err := checkLabels(labels, len(x)); err != nil {
		return nil, err
	}
	var k []float64
	if p.Kernel == KernelLinear {
		k = gramLinear(x)
	} else {
		k = rbfFromDistances(sqDistances(x, x), p.Gamma)
	}
	sol, err := solveDual(k, dualLabels(labels), p.C, p.tol(), p.MaxIter)
	if err != nil {
		return nil, err
	}
	m := &SVC{Kernel: p.Kernel, Gamma: p.Gamma, Intercept: sol.rho, Iterations: sol.iter}
	if p.Kernel == KernelLinear {
		m.Gamma = 0
	}
	for i, a := range sol.alpha {
		if a == 0 {
			continue
		}
		coef := a
		if labels[i] == 0 {
			coef = -a
		}
		m.SupportIndex = append(m.SupportIndex, i)
		m.SupportVectors = append(m.SupportVectors, append([]float64(nil), x[i]...))
		m.DualCoef = append(m.DualCoef, coef)
	}
	return m, nil
}

// dualLabels maps label 0 to +1 and label 1 to -1.
func dualLabels(labels []int) []float64 {
	y := make([]float64, len(labels))
	for i, l := range labels {
		y[i] = 1
		if l == 1 {
			y[i] = -1
		}
	}
	return y
}

// Decision returns the decision value of x, positive for label 1.
func (m *SVC) Decision(x []float64) (float64, error) {
	if len(m.SupportVectors) > 0 && len(x) != len(m.SupportVectors[0]) {
		return 0, fmt.Errorf("%w: sample has %d features, the SVM was trained on %d", ErrShape, len(x), len(m.SupportVectors[0]))
	}
	s := m.Intercept
	for i, sv := range m.SupportVectors {
		s += m.DualCoef[i] * evalKernel(m.Kernel, m.Gamma, sv, x)
	}
	return s, nil
}

// LinearWeights returns w = sum_i DualCoef[i] x_i of a linear SVM.
func (m *SVC) LinearWeights() []float64 {
	if len(m.SupportVectors) == 0 {
		return nil
	}
	w := make([]float64, len(m.SupportVectors[0]))
	for i, sv := range m.SupportVectors {
		for j, v := range sv {
			w[j] += m.DualCoef[i] * v
		}
	}
	return w
}

// fitGram solves the dual on a precomputed kernel matrix and returns the
// coefficients alpha_i y_i in the label-1-positive convention (zero for
// non-support vectors) and the intercept.
func fitGram(k []float64, y []float64, c, tol float64) ([]float64, float64, error) {
	sol, err := solveDual(k, y, c, tol, 0)
	if err != nil {
		return nil, 0, err
	}
	coef := make([]float64, len(y))
	for i, a := range sol.alpha {
		coef[i] = -a * y[i]
	}
	return coef, sol.rho, nil
}
