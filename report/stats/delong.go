package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// AUCInterval is an AUC with its DeLong variance and a two-sided confidence
// interval at Level.
type AUCInterval struct {
	AUC      float64 `json:"auc"`
	Variance float64 `json:"variance"`
	// SE is the standard error, the square root of Variance.
	SE    float64 `json:"se"`
	Level float64 `json:"level"`
	// Lower and Upper bound the normal-approximation interval
	// AUC -/+ z*SE, clipped to [0, 1].
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// DeLong returns the AUC of scores against labels with the variance of
// DeLong, DeLong and Clarke-Pearson (1988). The confidence interval is
// AUC -/+ z*SE at the given level (0.95 for 95 %), clipped to [0, 1].
//
// The variance is Var = S10/m + S01/n, where m and n are the numbers of
// positives and negatives, and S10 and S01 are the sample variances (divisor
// m-1 and n-1) of the structural components
//
//	V10(X_i) = (1/n) sum_j psi(X_i, Y_j),  V01(Y_j) = (1/m) sum_i psi(X_i, Y_j),
//
// with psi(x, y) = 1 if x > y, 1/2 if x = y and 0 otherwise. The components
// come from midranks in O(N log N), as in Sun and Xu (2014):
// V10(X_i) = (Z_i - T_i)/n with Z_i the midrank of X_i among all scores and
// T_i its midrank among the positives, and symmetrically for V01.
// Each class needs at least two members, else ErrTooFew.
func DeLong(labels []bool, scores []float64, level float64) (AUCInterval, error) {
	pos, neg, err := checkBinary(labels, scores, true)
	if err != nil {
		return AUCInterval{}, err
	}
	if err := checkLevel(level); err != nil {
		return AUCInterval{}, err
	}
	if pos < 2 || neg < 2 {
		return AUCInterval{}, fmt.Errorf("%w: the DeLong variance needs at least 2 positives and 2 negatives, got %d and %d", ErrTooFew, pos, neg)
	}

	// 1. Split the scores by class and rank them within each class and
	// together.
	x := make([]float64, 0, pos)
	y := make([]float64, 0, neg)
	for i, s := range scores {
		if labels[i] {
			x = append(x, s)
		} else {
			y = append(y, s)
		}
	}
	rankX := midranks(x)
	rankY := midranks(y)
	rankAll := midranks(append(append(make([]float64, 0, pos+neg), x...), y...))

	// 2. Structural components from the rank differences.
	m, n := float64(pos), float64(neg)
	v10 := make([]float64, pos)
	for i := range x {
		v10[i] = (rankAll[i] - rankX[i]) / n
	}
	v01 := make([]float64, neg)
	for j := range y {
		v01[j] = 1 - (rankAll[pos+j]-rankY[j])/m
	}

	// 3. The AUC is the mean of either set of components.
	auc := mean(v10)
	variance := sampleVariance(v10, auc)/m + sampleVariance(v01, mean(v01))/n

	// 4. Normal-approximation interval.
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	se := math.Sqrt(variance)
	return AUCInterval{
		AUC:      auc,
		Variance: variance,
		SE:       se,
		Level:    level,
		Lower:    math.Max(0, auc-z*se),
		Upper:    math.Min(1, auc+z*se),
	}, nil
}

func mean(values []float64) float64 {
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}

// sampleVariance returns the variance with divisor len-1 around mu.
func sampleVariance(values []float64, mu float64) float64 {
	var sum float64
	for _, v := range values {
		sum += (v - mu) * (v - mu)
	}
	return sum / float64(len(values)-1)
}
