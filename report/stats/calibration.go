package stats

import (
	"fmt"
	"sort"
)

// BinStrategy chooses the bin edges of a calibration curve.
type BinStrategy int

// The bin strategies, as in scikit-learn's calibration_curve.
const (
	// Uniform bins have equal widths on [0, 1].
	Uniform BinStrategy = 1
	// Quantile bins have edges at the quantiles of the predicted
	// probabilities (linear interpolation between order statistics), so
	// they hold about the same number of samples.
	Quantile BinStrategy = 2
)

// CalibrationBin is one non-empty bin of a calibration curve.
type CalibrationBin struct {
	N             int
	MeanPredicted float64
	// Observed is the fraction of positives in the bin.
	Observed float64
}

// CalibrationCurve returns the observed fraction of positives against the
// mean predicted probability in each non-empty bin, in increasing order of
// probability. With interior edges e_1 < ... < e_(bins-1), a probability p
// goes to the bin whose index is the number of edges strictly below p, so
// a probability equal to an edge falls in the lower bin. This is the binning
// of scikit-learn's calibration_curve (version 1.2). Uniform edges are
// i*(1/bins), computed as numpy.linspace does. It needs bins >= 1 and
// probabilities in [0, 1]; one class only is allowed.
func CalibrationCurve(labels []bool, probs []float64, bins int, strategy BinStrategy) ([]CalibrationBin, error) {
	if _, _, err := checkBinary(labels, probs, false); err != nil {
		return nil, err
	}
	if err := checkProbabilities(probs); err != nil {
		return nil, err
	}
	if bins < 1 {
		return nil, fmt.Errorf("%w: %d bins", ErrRange, bins)
	}

	// 1. Interior bin edges.
	edges := make([]float64, bins-1)
	switch strategy {
	case Uniform:
		step := 1 / float64(bins)
		for i := range edges {
			edges[i] = float64(i+1) * step
		}
	case Quantile:
		sorted := append([]float64(nil), probs...)
		sort.Float64s(sorted)
		for i := range edges {
			edges[i] = quantileLinear(sorted, float64(i+1)/float64(bins))
		}
	default:
		return nil, fmt.Errorf("%w: unknown bin strategy %d", ErrRange, strategy)
	}

	// 2. Accumulate each bin.
	count := make([]int, bins)
	sumPredicted := make([]float64, bins)
	positives := make([]int, bins)
	for i, p := range probs {
		b := sort.Search(len(edges), func(k int) bool { return edges[k] >= p })
		count[b]++
		sumPredicted[b] += p
		if labels[i] {
			positives[b]++
		}
	}

	// 3. Keep the non-empty bins.
	var curve []CalibrationBin
	for b := range bins {
		if count[b] == 0 {
			continue
		}
		curve = append(curve, CalibrationBin{
			N:             count[b],
			MeanPredicted: sumPredicted[b] / float64(count[b]),
			Observed:      float64(positives[b]) / float64(count[b]),
		})
	}
	return curve, nil
}

// quantileLinear returns the q-quantile of sorted values by linear
// interpolation between order statistics (numpy.percentile's default).
func quantileLinear(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	lo := int(h)
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
