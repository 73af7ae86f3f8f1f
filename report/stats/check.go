package stats

import (
	"fmt"
	"math"
)

// checkBinary validates paired labels and scores and returns the number of
// positives and negatives. It rejects empty or mismatched input, NaN scores
// and, when bothClasses is set, labels of one class only.
func checkBinary(labels []bool, scores []float64, bothClasses bool) (pos, neg int, err error) {
	if len(labels) == 0 || len(scores) == 0 {
		return 0, 0, fmt.Errorf("%w: %d labels, %d scores", ErrEmpty, len(labels), len(scores))
	}
	if len(labels) != len(scores) {
		return 0, 0, fmt.Errorf("%w: %d labels, %d scores", ErrLength, len(labels), len(scores))
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return 0, 0, fmt.Errorf("%w: score at index %d", ErrNaN, i)
		}
	}
	for _, l := range labels {
		if l {
			pos++
		} else {
			neg++
		}
	}
	if bothClasses && (pos == 0 || neg == 0) {
		return pos, neg, fmt.Errorf("%w: %d positives, %d negatives", ErrOneClass, pos, neg)
	}
	return pos, neg, nil
}

// checkProbabilities rejects probabilities outside [0, 1]. NaN has been
// rejected by checkBinary before.
func checkProbabilities(probs []float64) error {
	for i, p := range probs {
		if p < 0 || p > 1 {
			return fmt.Errorf("%w: probability %g at index %d is outside [0, 1]", ErrRange, p, i)
		}
	}
	return nil
}

// checkLevel rejects a confidence level outside (0, 1).
func checkLevel(level float64) error {
	if math.IsNaN(level) || level <= 0 || level >= 1 {
		return fmt.Errorf("%w: confidence level %g is outside (0, 1)", ErrRange, level)
	}
	return nil
}
