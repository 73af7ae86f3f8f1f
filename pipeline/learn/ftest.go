package learn

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mathext"
)

// FClassif computes the one-way ANOVA F statistic of every column of x
// between the two label groups, and its p-value from the F(1, n-2)
// distribution, as scikit-learn's f_classif. A column constant within both
// groups and equal between them has F = NaN and p = NaN; a column constant
// within groups but different between them has F = +Inf and p = 0.
func FClassif(x [][]float64, labels []int) (f, p []float64, err error) {
	cols, err := checkMatrix(x)
	if err != nil {
		return nil, nil, err
	}
	n0, n1, err := checkLabels(labels, len(x))
	if err != nil {
		return nil, nil, err
	}
	n := len(x)
	if n < 3 {
		return nil, nil, fmt.Errorf("%w: the F-test needs at least 3 samples, got %d", ErrTooFewSamples, n)
	}

	// Class means and the grand mean, then the between- and within-group sums
	// of squares from centred values (two passes, for accuracy).
	sum := [2][]float64{make([]float64, cols), make([]float64, cols)}
	for i, row := range x {
		s := sum[labels[i]]
		for j, v := range row {
			s[j] += v
		}
	}
	counts := [2]float64{float64(n0), float64(n1)}
	f = make([]float64, cols)
	p = make([]float64, cols)
	ssw := make([]float64, cols)
	mean := [2][]float64{make([]float64, cols), make([]float64, cols)}
	for c := 0; c < 2; c++ {
		for j := range mean[c] {
			mean[c][j] = sum[c][j] / counts[c]
		}
	}
	for i, row := range x {
		m := mean[labels[i]]
		for j, v := range row {
			d := v - m[j]
			ssw[j] += d * d
		}
	}
	dfb, dfw := 1.0, float64(n-2)
	for j := 0; j < cols; j++ {
		grand := (sum[0][j] + sum[1][j]) / float64(n)
		d0, d1 := mean[0][j]-grand, mean[1][j]-grand
		ssb := counts[0]*d0*d0 + counts[1]*d1*d1
		msb, msw := ssb/dfb, ssw[j]/dfw
		f[j] = msb / msw
		p[j] = fSurvival(f[j], dfb, dfw)
	}
	return f, p, nil
}

// fSurvival returns P(F > f) for the F(d1, d2) distribution, computed from
// the regularised incomplete beta function so that small p-values keep
// their relative accuracy.
func fSurvival(f, d1, d2 float64) float64 {
	switch {
	case math.IsNaN(f):
		return math.NaN()
	case math.IsInf(f, 1):
		return 0
	case f <= 0:
		return 1
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*f))
}

// SelectPercentile returns, in ascending order, the indices of the features
// whose scores lie in the top percentile per cent, with scikit-learn's rule:
// NaN scores count as the lowest value, the threshold is the (100 -
// percentile)th percentile with linear interpolation, every score above it
// is kept, and scores equal to it are added in index order until
// floor(len * percentile / 100) features are kept.
func SelectPercentile(scores []float64, percentile float64) ([]int, error) {
	if percentile < 0 || percentile > 100 || math.IsNaN(percentile) {
		return nil, fmt.Errorf("%w: percentile %v outside [0, 100]", ErrInvalidParam, percentile)
	}
	n := len(scores)
	if percentile == 100 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	if percentile == 0 || n == 0 {
		return nil, nil
	}
	clean := make([]float64, n)
	for i, s := range scores {
		if math.IsNaN(s) {
			s = -math.MaxFloat64
		}
		clean[i] = s
	}
	threshold := percentileLinear(clean, 100-percentile)
	var keep []int
	kept := 0
	for _, s := range clean {
		if s > threshold {
			kept++
		}
	}
	maxFeatures := int(float64(n) * percentile / 100)
	for i, s := range clean {
		switch {
		case s > threshold:
			keep = append(keep, i)
		case s == threshold && kept < maxFeatures:
			keep = append(keep, i)
			kept++
		}
	}
	return keep, nil
}

// percentileLinear returns the q-th percentile (0 <= q <= 100) of v with
// linear interpolation between order statistics, computed as NumPy's
// percentile with method "linear" so that ties with the threshold compare
// equal in the same cases.
func percentileLinear(v []float64, q float64) float64 {
	sorted := append([]float64(nil), v...)
	sort.Float64s(sorted)
	index := float64(len(sorted)-1) * (q / 100)
	lo := math.Floor(index)
	g := index - lo
	i := int(lo)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	a, b := sorted[i], sorted[i+1]
	diff := b - a
	if g >= 0.5 {
		return b - diff*(1-g)
	}
	return a + diff*g
}
