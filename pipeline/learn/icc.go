package learn

import (
	"fmt"
	"math"
)

// ICC holds the intraclass correlation coefficients of Shrout and Fleiss
// (1979) for n targets rated by k raters (here: features computed from k
// repeated segmentations of n tumours).
type ICC struct {
	// ICC21 is ICC(2,1): two-way random effects, absolute agreement, single
	// rater.
	ICC21 float64
	// ICC31 is ICC(3,1): two-way mixed effects, consistency, single rater.
	ICC31 float64
}

// ComputeICC returns ICC(2,1) and ICC(3,1) of ratings, one row per target
// and one column per rater, from the two-way ANOVA mean squares: between
// targets (BMS), between raters (JMS) and residual (EMS):
//
//	ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n)
//	ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS)
//
// A feature whose ratings are all equal has NaN coefficients (0/0).
func ComputeICC(ratings [][]float64) (ICC, error) {
	k, err := checkMatrix(ratings)
	if err != nil {
		return ICC{}, err
	}
	n := len(ratings)
	if n < 2 || k < 2 {
		return ICC{}, fmt.Errorf("%w: ICC needs at least 2 targets and 2 raters, got %d x %d", ErrTooFewSamples, n, k)
	}
	grand := 0.0
	rowMean := make([]float64, n)
	colMean := make([]float64, k)
	for i, row := range ratings {
		for j, v := range row {
			rowMean[i] += v
			colMean[j] += v
			grand += v
		}
	}
	nf, kf := float64(n), float64(k)
	grand /= nf * kf
	for i := range rowMean {
		rowMean[i] /= kf
	}
	for j := range colMean {
		colMean[j] /= nf
	}
	var ssRows, ssCols, ssErr float64
	for i := range rowMean {
		d := rowMean[i] - grand
		ssRows += d * d
	}
	ssRows *= kf
	for j := range colMean {
		d := colMean[j] - grand
		ssCols += d * d
	}
	ssCols *= nf
	for i, row := range ratings {
		for j, v := range row {
			r := v - rowMean[i] - colMean[j] + grand
			ssErr += r * r
		}
	}
	bms := ssRows / (nf - 1)
	jms := ssCols / (kf - 1)
	ems := ssErr / ((nf - 1) * (kf - 1))
	return ICC{
		ICC21: (bms - ems) / (bms + (kf-1)*ems + kf*(jms-ems)/nf),
		ICC31: (bms - ems) / (bms + (kf-1)*ems),
	}, nil
}

// ICCKind selects the coefficient of the reproducibility filter.
type ICCKind string

// Coefficients accepted by ReproducibleFeatures.
const (
	ICC21 ICCKind = "ICC(2,1)"
	ICC31 ICCKind = "ICC(3,1)"
)

// ReproducibleFeatures returns, for repeated measurements of the same
// features (repeats[r] is an n x p matrix of the r-th segmentation, same
// targets and feature order in every repeat), the ICC of each feature and
// the indices of the features whose ICC exceeds threshold. A NaN ICC (a
// feature constant over all measurements) never passes.
func ReproducibleFeatures(repeats [][][]float64, kind ICCKind, threshold float64) (iccs []float64, keep []int, err error) {
	if kind != ICC21 && kind != ICC31 {
		return nil, nil, fmt.Errorf("%w: ICC kind %q", ErrInvalidParam, kind)
	}
	if len(repeats) < 2 {
		return nil, nil, fmt.Errorf("%w: %d repeated measurements, need at least 2", ErrTooFewSamples, len(repeats))
	}
	p, err := checkMatrix(repeats[0])
	if err != nil {
		return nil, nil, err
	}
	n := len(repeats[0])
	for r, m := range repeats[1:] {
		q, err := checkMatrix(m)
		if err != nil {
			return nil, nil, err
		}
		if len(m) != n || q != p {
			return nil, nil, fmt.Errorf("%w: repeat %d is %d x %d, repeat 0 is %d x %d", ErrShape, r+1, len(m), q, n, p)
		}
	}
	iccs = make([]float64, p)
	ratings := make([][]float64, n)
	for i := range ratings {
		ratings[i] = make([]float64, len(repeats))
	}
	for j := 0; j < p; j++ {
		for i := 0; i < n; i++ {
			for r, m := range repeats {
				ratings[i][r] = m[i][j]
			}
		}
		c, err := ComputeICC(ratings)
		if err != nil {
			return nil, nil, err
		}
		v := c.ICC21
		if kind == ICC31 {
			v = c.ICC31
		}
		iccs[j] = v
		if !math.IsNaN(v) && v > threshold {
			keep = append(keep, j)
		}
	}
	return iccs, keep, nil
}
