package learn

import (
	"fmt"
	"math"
)

// Defaults of the SMO solver, the values LIBSVM and scikit-learn's SVC use.
const (
	// DefaultSVMTol is the stopping tolerance eps on m(alpha) - M(alpha).
	DefaultSVMTol = 1e-3
	// smoTau replaces a non-positive curvature K_ii + K_jj - 2 K_ij in WSS 3
	// (Fan, Chen and Lin 2005, section 4).
	smoTau = 1e-12
	// defaultSMOMaxIter bounds the number of SMO iterations.
	defaultSMOMaxIter = 10_000_000
)

// dualSolution is the solution of the C-SVM dual problem.
type dualSolution struct {
	alpha []float64
	rho   float64
	iter  int
}

// solveDual solves the C-SVM dual
//
//	min 1/2 a'Qa - e'a  subject to  0 <= a_i <= C,  y'a = 0,
//
// with Q_ij = y_i y_j K_ij, K the n x n kernel matrix (row-major) and y in
// {+1, -1}, by SMO with the second-order working-set selection WSS 3 of Fan,
// Chen and Lin (2005) and without shrinking. It stops when
// m(a) - M(a) < tol. The decision function is sum_i a_i y_i K(x_i, x) - rho.
//
// The off-diagonal kernel values are rounded to float32 and the diagonal is
// kept in float64, as in LIBSVM's single-precision kernel cache. Without the
// rounding the iterates drift apart from those of scikit-learn 1.2.1's SVC
// after many iterations at large C, and the comparison tests fail.
func solveDual(k64 []float64, y []float64, c, tol float64, maxIter int) (dualSolution, error) {
	n := len(y)
	k := make([]float32, len(k64))
	for i, v := range k64 {
		k[i] = float32(v)
	}
	diag := make([]float64, n)
	for i := range diag {
		diag[i] = k64[i*n+i]
	}
	alpha := make([]float64, n)
	grad := make([]float64, n)
	for i := range grad {
		grad[i] = -1
	}
	if maxIter <= 0 {
		maxIter = defaultSMOMaxIter
	}

	iter := 0
	for ; iter < maxIter; iter++ {
		i, j := selectWorkingSet(k, diag, y, alpha, grad, c, tol)
		if j < 0 {
			break
		}
		updatePair(k, diag, y, alpha, grad, c, i, j)
	}
	if iter == maxIter {
		return dualSolution{}, fmt.Errorf("%w: SMO stopped after %d iterations", ErrNotConverged, iter)
	}
	return dualSolution{alpha: alpha, rho: computeRho(y, alpha, grad, c), iter: iter}, nil
}

// selectWorkingSet returns the pair (i, j) of WSS 3, or j = -1 when the
// maximal violation m(a) - M(a) is below tol. i maximises -y_t G_t over
// I_up; j minimises -b_it^2 / a_it over the t in I_low with b_it > 0. Ties
// go to the last index, as in LIBSVM.
func selectWorkingSet(k []float32, diag, y, alpha, grad []float64, c, tol float64) (int, int) {
	n := len(y)
	gmax := math.Inf(-1)
	i := -1
	for t := 0; t < n; t++ {
		if y[t] > 0 {
			if alpha[t] < c && -grad[t] >= gmax {
				gmax, i = -grad[t], t
			}
		} else if alpha[t] > 0 && grad[t] >= gmax {
			gmax, i = grad[t], t
		}
	}
	if i < 0 {
		return -1, -1
	}

	gmax2 := math.Inf(-1)
	objMin := math.Inf(1)
	j := -1
	kii := diag[i]
	for t := 0; t < n; t++ {
		var b float64
		if y[t] > 0 {
			if alpha[t] <= 0 {
				continue
			}
			gmax2 = math.Max(gmax2, grad[t])
			b = gmax + grad[t]
		} else {
			if alpha[t] >= c {
				continue
			}
			gmax2 = math.Max(gmax2, -grad[t])
			b = gmax - grad[t]
		}
		if b <= 0 {
			continue
		}
		a := kii + diag[t] - 2*float64(k[i*n+t])
		if a <= 0 {
			a = smoTau
		}
		if obj := -b * b / a; obj <= objMin {
			objMin, j = obj, t
		}
	}
	if gmax+gmax2 < tol {
		return i, -1
	}
	return i, j
}

// updatePair minimises the dual along the direction that moves a_i by
// y_i t and a_j by -y_j t (keeping y'a constant), clips t to the box, and
// updates the gradient.
func updatePair(k []float32, diag, y, alpha, grad []float64, c float64, i, j int) {
	n := len(y)
	a := diag[i] + diag[j] - 2*float64(k[i*n+j])
	if a <= 0 {
		a = smoTau
	}
	b := -y[i]*grad[i] + y[j]*grad[j]
	step := b / a

	// Largest feasible steps for a_i and a_j; the step is positive.
	maxI := c - alpha[i]
	if y[i] < 0 {
		maxI = alpha[i]
	}
	maxJ := alpha[j]
	if y[j] < 0 {
		maxJ = c - alpha[j]
	}
	oldI, oldJ := alpha[i], alpha[j]
	switch {
	case step >= maxI && maxI <= maxJ:
		step = maxI
		alpha[i] = boundFor(y[i], c, true)
		alpha[j] = oldJ - y[j]*step
		if step == maxJ {
			alpha[j] = boundFor(y[j], c, false)
		}
	case step >= maxJ:
		step = maxJ
		alpha[j] = boundFor(y[j], c, false)
		alpha[i] = oldI + y[i]*step
	default:
		alpha[i] = oldI + y[i]*step
		alpha[j] = oldJ - y[j]*step
	}

	di := alpha[i] - oldI
	dj := alpha[j] - oldJ
	for t := 0; t < n; t++ {
		grad[t] += y[t]*y[i]*float64(k[t*n+i])*di + y[t]*y[j]*float64(k[t*n+j])*dj
	}
}

// boundFor returns the bound a variable reaches when it moves as far as it
// may: up (increase is true for a_i, whose change is y_i t) or down for a_j
// (change -y_j t).
func boundFor(yv, c float64, increase bool) float64 {
	up := (yv > 0) == increase
	if up {
		return c
	}
	return 0
}

// computeRho returns rho: the mean of y_i G_i over the free variables, or
// the midpoint of the feasible interval when no variable is free.
func computeRho(y, alpha, grad []float64, c float64) float64 {
	ub, lb := math.Inf(1), math.Inf(-1)
	sum := 0.0
	free := 0
	for t := range y {
		yg := y[t] * grad[t]
		switch {
		case alpha[t] >= c:
			if y[t] < 0 {
				ub = math.Min(ub, yg)
			} else {
				lb = math.Max(lb, yg)
			}
		case alpha[t] <= 0:
			if y[t] > 0 {
				ub = math.Min(ub, yg)
			} else {
				lb = math.Max(lb, yg)
			}
		default:
			free++
			sum += yg
		}
	}
	if free > 0 {
		return sum / float64(free)
	}
	return (ub + lb) / 2
}
