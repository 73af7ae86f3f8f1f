package learn

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Logistic regression fitting constants.
const (
	logitMaxIter = 100
	// logitTol is the convergence tolerance on the largest Newton step.
	logitTol = 1e-10
	// logitSeparationProb flags separation in a fit that failed: a fitted
	// probability this close to the sample's own label.
	logitSeparationProb = 1e-8
)

// Logistic is a fitted logistic regression model
// logit P(y = 1) = Coef[0] + sum_j Coef[j+1] x_j, with Wald inference.
// Every slice has the intercept first, then one entry per variable in the
// order of Names.
type Logistic struct {
	// Names of the variables, without the intercept.
	Names []string  `json:"names"`
	Coef  []float64 `json:"coef"`
	// SE are the Wald standard errors from the inverse Fisher information.
	SE []float64 `json:"se"`
	// Z are the Wald statistics Coef / SE.
	Z []float64 `json:"z"`
	// P are the two-sided p-values 2 (1 - Phi(|Z|)).
	P []float64 `json:"p"`
	// CILow and CIHigh bound the 95 % Wald confidence intervals
	// Coef -/+ 1.959964 SE of the coefficients (log odds ratios).
	CILow  []float64 `json:"ci_low"`
	CIHigh []float64 `json:"ci_high"`
	// LogLikelihood is the log-likelihood at the estimate.
	LogLikelihood float64 `json:"log_likelihood"`
	Iterations    int     `json:"iterations"`
	// Method is MethodML or MethodFirth.
	Method string `json:"method"`
}

// Estimation methods of a Logistic model.
const (
	MethodML    = "maximum likelihood"
	MethodFirth = "Firth penalised likelihood"
)

// FitLogisticAuto fits by maximum likelihood and, when the classes are
// separated so that no maximum-likelihood estimate exists, by Firth's
// penalised likelihood instead; Method records which.
func FitLogisticAuto(x [][]float64, labels []int, names []string) (*Logistic, error) {
	m, err := FitLogistic(x, labels, names)
	if errors.Is(err, ErrSeparation) {
		return FitLogisticFirth(x, labels, names)
	}
	return m, err
}

// FitLogistic fits an unpenalised logistic regression by Newton-Raphson
// (iteratively reweighted least squares). names label the columns of x.
// It returns ErrSeparation when the maximum-likelihood estimate does not
// exist and ErrSingular when the columns are collinear.
func FitLogistic(x [][]float64, labels []int, names []string) (*Logistic, error) {
	design, err := logisticDesign(x, labels, names)
	if err != nil {
		return nil, err
	}
	n, d := design.Dims()
	beta := make([]float64, d)
	var info mat.SymDense
	iter := 0
	converged := false
	for iter = 1; iter <= logitMaxIter; iter++ {
		// Fisher information X'WX and score X'(y - p) at beta.
		grad := make([]float64, d)
		info = *mat.NewSymDense(d, nil)
		for i := 0; i < n; i++ {
			row := design.RawRowView(i)
			pi := sigmoid(dot(row, beta))
			w := pi * (1 - pi)
			r := float64(labels[i]) - pi
			for a := 0; a < d; a++ {
				grad[a] += row[a] * r
				for b := a; b < d; b++ {
					info.SetSym(a, b, info.At(a, b)+w*row[a]*row[b])
				}
			}
		}

		// Newton step: solve info * delta = grad.
		var chol mat.Cholesky
		if ok := chol.Factorize(&info); !ok {
			if separated(design, beta, labels) {
				return nil, ErrSeparation
			}
			return nil, fmt.Errorf("%w: Fisher information of the logistic model", ErrSingular)
		}
		var delta mat.VecDense
		if err := chol.SolveVecTo(&delta, mat.NewVecDense(d, grad)); err != nil {
			if separated(design, beta, labels) {
				return nil, ErrSeparation
			}
			return nil, fmt.Errorf("%w: %v", ErrSingular, err)
		}
		biggest := 0.0
		for a := range beta {
			beta[a] += delta.AtVec(a)
			biggest = math.Max(biggest, math.Abs(delta.AtVec(a)))
		}
		if biggest < logitTol {
			converged = true
			break
		}
	}
	if !converged {
		if separated(design, beta, labels) {
			return nil, ErrSeparation
		}
		return nil, fmt.Errorf("%w: logistic regression after %d Newton iterations", ErrNotConverged, logitMaxIter)
	}

	// Wald inference from the information at the estimate.
	return waldSummary(design, labels, beta, names, iter)
}

// logisticDesign checks the inputs of a logistic fit and returns the design
// matrix: a column of ones, then the columns of x.
func logisticDesign(x [][]float64, labels []int, names []string) (*mat.Dense, error) {
	p, err := checkMatrix(x)
	if err != nil {
		return nil, err
	}
	if len(names) != p {
		return nil, fmt.Errorf("%w: %d names for %d columns", ErrShape, len(names), p)
	}
	if _, _, err := checkLabels(labels, len(x)); err != nil {
		return nil, err
	}
	n, d := len(x), p+1
	if n <= d {
		return nil, fmt.Errorf("%w: %d samples for %d coefficients", ErrTooFewSamples, n, d)
	}
	design := mat.NewDense(n, d, nil)
	for i, row := range x {
		design.Set(i, 0, 1)
		for j, v := range row {
			design.Set(i, j+1, v)
		}
	}
	return design, nil
}

// separated reports, for a fit that failed, whether it drifted towards
// separation: a coefficient became NaN or some sample's fitted probability
// reached its own label within logitSeparationProb.
func separated(design *mat.Dense, beta []float64, labels []int) bool {
	for _, b := range beta {
		if math.IsNaN(b) {
			return true
		}
	}
	n, _ := design.Dims()
	for i := 0; i < n; i++ {
		pi := sigmoid(dot(design.RawRowView(i), beta))
		if (labels[i] == 1 && pi > 1-logitSeparationProb) || (labels[i] == 0 && pi < logitSeparationProb) {
			return true
		}
	}
	return false
}

func waldSummary(design *mat.Dense, labels []int, beta []float64, names []string, iter int) (*Logistic, error) {
	n, d := design.Dims()
	info := mat.NewSymDense(d, nil)
	ll := 0.0
	for i := 0; i < n; i++ {
		row := design.RawRowView(i)
		eta := dot(row, beta)
		pi := sigmoid(eta)
		w := pi * (1 - pi)
		for a := 0; a < d; a++ {
			for b := a; b < d; b++ {
				info.SetSym(a, b, info.At(a, b)+w*row[a]*row[b])
			}
		}
		ll += float64(labels[i])*eta - softplus(eta)
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(info); !ok {
		return nil, fmt.Errorf("%w: Fisher information at the estimate", ErrSingular)
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	z975 := distuv.UnitNormal.Quantile(0.975)
	m := &Logistic{
		Method: MethodML,
		Names:  append([]string(nil), names...), Coef: append([]float64(nil), beta...),
		SE: make([]float64, d), Z: make([]float64, d), P: make([]float64, d),
		CILow: make([]float64, d), CIHigh: make([]float64, d),
		LogLikelihood: ll, Iterations: iter,
	}
	for a := 0; a < d; a++ {
		se := math.Sqrt(cov.At(a, a))
		m.SE[a] = se
		m.Z[a] = beta[a] / se
		m.P[a] = 2 * distuv.UnitNormal.Survival(math.Abs(m.Z[a]))
		m.CILow[a] = beta[a] - z975*se
		m.CIHigh[a] = beta[a] + z975*se
	}
	return m, nil
}

// Probability returns P(y = 1) for the variables x in the order of Names.
func (m *Logistic) Probability(x []float64) (float64, error) {
	if len(x) != len(m.Names) {
		return 0, fmt.Errorf("%w: %d values for %d variables", ErrShape, len(x), len(m.Names))
	}
	eta := m.Coef[0]
	for j, v := range x {
		eta += m.Coef[j+1] * v
	}
	return sigmoid(eta), nil
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus returns log(1 + exp(z)) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

// CrossValidatedLogisticAUC returns the mean, over repeats repetitions, of
// the AUC of pooled out-of-fold probabilities of a logistic regression
// refitted (by FitLogisticAuto) in each of folds stratified folds.
func CrossValidatedLogisticAUC(x [][]float64, labels []int, names []string, repeats, folds int, seed uint64) (float64, error) {
	sum := 0.0
	for r := 0; r < repeats; r++ {
		splits, err := StratifiedKFold(labels, folds, newRand(seed, streamLogistic+uint64(r)))
		if err != nil {
			return 0, err
		}
		prob := make([]float64, len(labels))
		for _, s := range splits {
			m, err := FitLogisticAuto(subRows(x, s.Train), subLabels(labels, s.Train), names)
			if err != nil {
				return 0, err
			}
			for _, i := range s.Test {
				if prob[i], err = m.Probability(x[i]); err != nil {
					return 0, err
				}
			}
		}
		sum += aucScore(prob, labels)
	}
	return sum / float64(repeats), nil
}
