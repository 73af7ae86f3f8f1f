package stats

import (
	"fmt"
	"math"
)

// DecisionCurve is the net benefit of a model and of the two default
// strategies at each threshold probability.
type DecisionCurve struct {
	Thresholds []float64
	Model      []float64
	// TreatAll is the net benefit of calling every patient positive;
	// treating none has net benefit 0 at every threshold.
	TreatAll  []float64
	TreatNone []float64
}

// NetBenefit returns the decision curve of Vickers and Elkin (2006):
// at threshold probability pt, a patient is called positive when the
// predicted probability is at least pt, and
//
//	net benefit = TP/N - FP/N * pt/(1-pt).
//
// Treat-all uses TP = positives and FP = negatives. Thresholds must lie in
// the open interval (0, 1); they are used in the given order.
func NetBenefit(labels []bool, probs []float64, thresholds []float64) (DecisionCurve, error) {
	if _, _, err := checkBinary(labels, probs, false); err != nil {
		return DecisionCurve{}, err
	}
	if err := checkProbabilities(probs); err != nil {
		return DecisionCurve{}, err
	}
	if len(thresholds) == 0 {
		return DecisionCurve{}, fmt.Errorf("%w: no thresholds", ErrEmpty)
	}
	for _, pt := range thresholds {
		if math.IsNaN(pt) || pt <= 0 || pt >= 1 {
			return DecisionCurve{}, fmt.Errorf("%w: threshold probability %g is outside (0, 1)", ErrRange, pt)
		}
	}

	n := float64(len(labels))
	var positives int
	for _, l := range labels {
		if l {
			positives++
		}
	}
	prevalence := float64(positives) / n

	curve := DecisionCurve{
		Thresholds: append([]float64(nil), thresholds...),
		Model:      make([]float64, len(thresholds)),
		TreatAll:   make([]float64, len(thresholds)),
		TreatNone:  make([]float64, len(thresholds)),
	}
	for k, pt := range thresholds {
		odds := pt / (1 - pt)
		var tp, fp int
		for i, p := range probs {
			if p < pt {
				continue
			}
			if labels[i] {
				tp++
			} else {
				fp++
			}
		}
		curve.Model[k] = float64(tp)/n - float64(fp)/n*odds
		curve.TreatAll[k] = prevalence - (1-prevalence)*odds
	}
	return curve, nil
}

// ThresholdGrid returns from, from+step, ... up to and including to (within
// a tolerance of step/1e6), for decision curves. It needs 0 < from <= to < 1
// and step > 0.
func ThresholdGrid(from, to, step float64) ([]float64, error) {
	if !(from > 0 && from <= to && to < 1 && step > 0) {
		return nil, fmt.Errorf("%w: threshold grid from %g to %g by %g; need 0 < from <= to < 1 and step > 0", ErrRange, from, to, step)
	}
	var grid []float64
	for k := 0; ; k++ {
		pt := from + float64(k)*step
		if pt > to+step*1e-6 {
			break
		}
		grid = append(grid, math.Min(pt, to))
	}
	return grid, nil
}
