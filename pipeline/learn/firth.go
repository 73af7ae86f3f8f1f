package learn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// FitLogisticFirth fits a logistic regression by Firth's penalised
// likelihood, l(beta) + 1/2 log det I(beta) (D. Firth, "Bias reduction of
// maximum likelihood estimates", Biometrika 80 (1993) 27-38; for logistic
// regression G. Heinze, M. Schemper, Statistics in Medicine 21 (2002)
// 2409-2419). Unlike FitLogistic it has a finite estimate under complete
// or quasi-complete separation. The Newton step uses the modified score
// X'(y - p + h (1/2 - p)), h the diagonal of the weighted hat matrix, and
// is halved until the penalised log-likelihood does not decrease. The
// standard errors, p-values and 95 % intervals are Wald ones from the
// inverse information at the estimate; LogLikelihood is the unpenalised
// log-likelihood.
func FitLogisticFirth(x [][]float64, labels []int, names []string) (*Logistic, error) {
	design, err := logisticDesign(x, labels, names)
	if err != nil {
		return nil, err
	}
	_, d := design.Dims()
	beta := make([]float64, d)
	current, err := firthPenalised(design, labels, beta)
	if err != nil {
		return nil, err
	}
	for iter := 1; iter <= logitMaxIter; iter++ {
		step, err := firthStep(design, labels, beta)
		if err != nil {
			return nil, err
		}

		// Step halving on the penalised log-likelihood.
		next := make([]float64, d)
		var value float64
		scale := 1.0
		for halvings := 0; ; halvings++ {
			for a := range beta {
				next[a] = beta[a] + scale*step[a]
			}
			value, err = firthPenalised(design, labels, next)
			if err == nil && value >= current-1e-12*math.Abs(current) {
				break
			}
			if halvings == 30 {
				return nil, fmt.Errorf("%w: Firth step halving failed", ErrNotConverged)
			}
			scale /= 2
		}
		biggest := 0.0
		for a := range beta {
			biggest = math.Max(biggest, math.Abs(next[a]-beta[a]))
		}
		copy(beta, next)
		current = value
		if biggest < logitTol {
			m, err := waldSummary(design, labels, beta, names, iter)
			if m != nil {
				m.Method = MethodFirth
			}
			return m, err
		}
	}
	return nil, fmt.Errorf("%w: Firth logistic regression after %d iterations", ErrNotConverged, logitMaxIter)
}

// firthStep returns I(beta)^-1 U*(beta), the Newton step on the modified
// score.
func firthStep(design *mat.Dense, labels []int, beta []float64) ([]float64, error) {
	n, d := design.Dims()
	info, prob := fisherInformation(design, beta)
	var chol mat.Cholesky
	if ok := chol.Factorize(info); !ok {
		return nil, fmt.Errorf("%w: Fisher information of the Firth model", ErrSingular)
	}
	score := make([]float64, d)
	var solved mat.VecDense
	for i := 0; i < n; i++ {
		row := design.RawRowView(i)
		w := prob[i] * (1 - prob[i])
		// h_i = w_i x_i' I^-1 x_i.
		if err := chol.SolveVecTo(&solved, mat.NewVecDense(d, row)); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSingular, err)
		}
		h := w * mat.Dot(&solved, mat.NewVecDense(d, row))
		r := float64(labels[i]) - prob[i] + h*(0.5-prob[i])
		for a := range score {
			score[a] += row[a] * r
		}
	}
	var step mat.VecDense
	if err := chol.SolveVecTo(&step, mat.NewVecDense(d, score)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	return step.RawVector().Data, nil
}

// firthPenalised returns l(beta) + 1/2 log det I(beta).
func firthPenalised(design *mat.Dense, labels []int, beta []float64) (float64, error) {
	n, _ := design.Dims()
	info, _ := fisherInformation(design, beta)
	var chol mat.Cholesky
	if ok := chol.Factorize(info); !ok {
		return 0, fmt.Errorf("%w: Fisher information of the Firth model", ErrSingular)
	}
	ll := 0.0
	for i := 0; i < n; i++ {
		eta := dot(design.RawRowView(i), beta)
		ll += float64(labels[i])*eta - softplus(eta)
	}
	return ll + 0.5*chol.LogDet(), nil
}

// fisherInformation returns X'WX and the fitted probabilities at beta.
func fisherInformation(design *mat.Dense, beta []float64) (*mat.SymDense, []float64) {
	n, d := design.Dims()
	info := mat.NewSymDense(d, nil)
	prob := make([]float64, n)
	for i := 0; i < n; i++ {
		row := design.RawRowView(i)
		prob[i] = sigmoid(dot(row, beta))
		w := prob[i] * (1 - prob[i])
		for a := 0; a < d; a++ {
			for b := a; b < d; b++ {
				info.SetSym(a, b, info.At(a, b)+w*row[a]*row[b])
			}
		}
	}
	return info, prob
}
