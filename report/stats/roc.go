package stats

// ROCCurve is a receiver operating characteristic curve. Point k is the
// false-positive rate and true-positive rate when every sample with a score
// of at least Thresholds[k] is called positive. The first point is (0, 0)
// at threshold +Inf; thresholds then decrease through every distinct score,
// so the last point is (1, 1).
type ROCCurve struct {
	FPR        []float64
	TPR        []float64
	Thresholds []float64
}

// ROC returns the ROC curve of scores against labels, with a point at every
// distinct score (no points are dropped, unlike scikit-learn's roc_curve
// with drop_intermediate=True). Both classes must be present.
func ROC(labels []bool, scores []float64) (ROCCurve, error) {
	pos, neg, err := checkBinary(labels, scores, true)
	if err != nil {
		return ROCCurve{}, err
	}
	thresholds, tp, fp := cumulativeCounts(labels, scores)

	curve := ROCCurve{
		FPR:        make([]float64, 0, len(thresholds)+1),
		TPR:        make([]float64, 0, len(thresholds)+1),
		Thresholds: make([]float64, 0, len(thresholds)+1),
	}
	curve.FPR = append(curve.FPR, 0)
	curve.TPR = append(curve.TPR, 0)
	curve.Thresholds = append(curve.Thresholds, infinity)
	for k := range thresholds {
		curve.FPR = append(curve.FPR, float64(fp[k])/float64(neg))
		curve.TPR = append(curve.TPR, float64(tp[k])/float64(pos))
		curve.Thresholds = append(curve.Thresholds, thresholds[k])
	}
	return curve, nil
}

// AUC returns the area under the ROC curve by the trapezoidal rule, which
// equals the Mann-Whitney probability that a random positive scores above a
// random negative, counting ties as one half. Both classes must be present.
func AUC(labels []bool, scores []float64) (float64, error) {
	curve, err := ROC(labels, scores)
	if err != nil {
		return 0, err
	}
	var area float64
	for k := 1; k < len(curve.FPR); k++ {
		area += (curve.FPR[k] - curve.FPR[k-1]) * (curve.TPR[k] + curve.TPR[k-1]) / 2
	}
	return area, nil
}
