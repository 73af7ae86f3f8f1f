package stats

import "fmt"

// PRCurve is a precision-recall curve. Point k is the precision and recall
// when every sample with a score of at least Thresholds[k] is called
// positive; thresholds decrease through every distinct score, so recall
// never decreases and the last point has recall 1.
type PRCurve struct {
	Precision  []float64
	Recall     []float64
	Thresholds []float64
}

// PrecisionRecall returns the precision-recall curve of scores against
// labels, with a point at every distinct score. It matches scikit-learn's
// precision_recall_curve without its final (recall 0, precision 1) point and
// in the reverse order. At least one positive is needed, else ErrOneClass.
func PrecisionRecall(labels []bool, scores []float64) (PRCurve, error) {
	pos, _, err := checkBinary(labels, scores, false)
	if err != nil {
		return PRCurve{}, err
	}
	if pos == 0 {
		return PRCurve{}, fmt.Errorf("%w: no positive labels, so recall is undefined", ErrOneClass)
	}
	thresholds, tp, fp := cumulativeCounts(labels, scores)

	curve := PRCurve{
		Precision:  make([]float64, len(thresholds)),
		Recall:     make([]float64, len(thresholds)),
		Thresholds: append([]float64(nil), thresholds...),
	}
	for k := range thresholds {
		// Every threshold calls at least one sample positive, so tp+fp > 0.
		curve.Precision[k] = float64(tp[k]) / float64(tp[k]+fp[k])
		curve.Recall[k] = float64(tp[k]) / float64(pos)
	}
	return curve, nil
}

// AveragePrecision returns AP = sum_k (R_k - R_(k-1)) P_k over the points of
// the precision-recall curve in decreasing threshold order, with R_(-1) = 0:
// the step-function area without interpolation, as scikit-learn's
// average_precision_score defines it.
func AveragePrecision(labels []bool, scores []float64) (float64, error) {
	curve, err := PrecisionRecall(labels, scores)
	if err != nil {
		return 0, err
	}
	var ap, previous float64
	for k := range curve.Recall {
		ap += (curve.Recall[k] - previous) * curve.Precision[k]
		previous = curve.Recall[k]
	}
	return ap, nil
}
