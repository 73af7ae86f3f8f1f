package learn

import (
	"fmt"
	"math"
)

// Platt scaling constants from Lin, Lin and Weng (2007), Algorithm 1.
const (
	plattMaxIter = 100
	plattMinStep = 1e-10
	// plattSigma is added to the Hessian diagonal to keep it positive definite.
	plattSigma = 1e-12
	// plattEps is the tolerance on the gradient's components.
	plattEps = 1e-5
)

// Platt maps a decision value f to the probability of label 1,
// 1 / (1 + exp(A f + B)).
type Platt struct {
	A float64
	B float64
}

// Probability returns the calibrated probability of label 1 for decision
// value f, computed without overflow for either sign of A f + B.
func (p Platt) Probability(f float64) float64 {
	z := p.A*f + p.B
	if z >= 0 {
		e := math.Exp(-z)
		return e / (1 + e)
	}
	return 1 / (1 + math.Exp(z))
}

// FitPlatt fits A and B by minimising the cross-entropy between the sigmoid
// and the smoothed targets (N+ + 1)/(N+ + 2) for label 1 and 1/(N- + 2) for
// label 0, with Newton's method and backtracking line search (Lin, Lin and
// Weng 2007).
func FitPlatt(decision []float64, labels []int) (Platt, error) {
	n0, n1, err := checkLabels(labels, len(decision))
	if err != nil {
		return Platt{}, err
	}
	for i, f := range decision {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return Platt{}, fmt.Errorf("%w: decision value %d", ErrNonFinite, i)
		}
	}
	hi := (float64(n1) + 1) / (float64(n1) + 2)
	lo := 1 / (float64(n0) + 2)
	t := make([]float64, len(labels))
	for i, l := range labels {
		t[i] = lo
		if l == 1 {
			t[i] = hi
		}
	}

	a, b := 0.0, math.Log((float64(n0)+1)/(float64(n1)+1))
	fval := plattObjective(decision, t, a, b)
	for iter := 0; iter < plattMaxIter; iter++ {
		// Gradient and Hessian of the objective at (a, b).
		h11, h22, h21, g1, g2 := plattSigma, plattSigma, 0.0, 0.0, 0.0
		for i, f := range decision {
			z := f*a + b
			var p, q float64
			if z >= 0 {
				e := math.Exp(-z)
				p, q = e/(1+e), 1/(1+e)
			} else {
				e := math.Exp(z)
				p, q = 1/(1+e), e/(1+e)
			}
			d2 := p * q
			h11 += f * f * d2
			h22 += d2
			h21 += f * d2
			d1 := t[i] - p
			g1 += f * d1
			g2 += d1
		}
		if math.Abs(g1) < plattEps && math.Abs(g2) < plattEps {
			return Platt{A: a, B: b}, nil
		}

		// Newton direction, then backtracking until sufficient decrease.
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		gd := g1*da + g2*db
		step := 1.0
		for step >= plattMinStep {
			na, nb := a+step*da, b+step*db
			nf := plattObjective(decision, t, na, nb)
			if nf < fval+1e-4*step*gd {
				a, b, fval = na, nb, nf
				break
			}
			step /= 2
		}
		if step < plattMinStep {
			return Platt{A: a, B: b}, fmt.Errorf("%w: Platt line search failed", ErrNotConverged)
		}
	}
	return Platt{A: a, B: b}, fmt.Errorf("%w: Platt scaling after %d Newton iterations", ErrNotConverged, plattMaxIter)
}

func plattObjective(decision, t []float64, a, b float64) float64 {
	s := 0.0
	for i, f := range decision {
		z := f*a + b
		if z >= 0 {
			s += t[i]*z + math.Log1p(math.Exp(-z))
		} else {
			s += (t[i]-1)*z + math.Log1p(math.Exp(z))
		}
	}
	return s
}
