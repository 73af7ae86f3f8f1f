package stats

import (
	"encoding/json"
	"fmt"
	"math"
)

// Confusion is the 2x2 confusion matrix of a classifier at one threshold.
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	TN int `json:"tn"`
	FN int `json:"fn"`
}

// ConfusionAt counts the confusion matrix when every sample with a score of
// at least threshold is called positive. A single class is allowed here
// because the counts are still defined; the proportions whose denominator is
// zero are NaN in Diagnostics.
func ConfusionAt(labels []bool, scores []float64, threshold float64) (Confusion, error) {
	if _, _, err := checkBinary(labels, scores, false); err != nil {
		return Confusion{}, err
	}
	if math.IsNaN(threshold) {
		return Confusion{}, fmt.Errorf("%w: threshold", ErrNaN)
	}
	var c Confusion
	for i, s := range scores {
		called := s >= threshold
		switch {
		case labels[i] && called:
			c.TP++
		case labels[i]:
			c.FN++
		case called:
			c.FP++
		default:
			c.TN++
		}
	}
	return c, nil
}

// Proportion is an estimated proportion Num/Den with a confidence interval.
// When Den is 0 the value and both bounds are NaN, and they encode as null
// in JSON.
type Proportion struct {
	Num   int
	Den   int
	Value float64
	Lower float64
	Upper float64
}

// NewProportion returns num/den with its Wilson score interval with
// continuity correction at the given level.
func NewProportion(num, den int, level float64) (Proportion, error) {
	if den == 0 {
		nan := math.NaN()
		return Proportion{Value: nan, Lower: nan, Upper: nan}, nil
	}
	lower, upper, err := WilsonCC(num, den, level)
	if err != nil {
		return Proportion{}, err
	}
	return Proportion{Num: num, Den: den, Value: float64(num) / float64(den), Lower: lower, Upper: upper}, nil
}

// MarshalJSON encodes the proportion with null in place of NaN, which JSON
// cannot represent.
func (p Proportion) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Num   int      `json:"num"`
		Den   int      `json:"den"`
		Value *float64 `json:"value"`
		Lower *float64 `json:"lower"`
		Upper *float64 `json:"upper"`
	}{p.Num, p.Den, finite(p.Value), finite(p.Lower), finite(p.Upper)})
}

// finite returns a pointer to v, or nil when v is NaN or infinite.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Diagnostics are the threshold metrics of the reference study's tables,
// each with a Wilson score interval with continuity correction.
type Diagnostics struct {
	Accuracy    Proportion `json:"accuracy"`
	Sensitivity Proportion `json:"sensitivity"`
	Specificity Proportion `json:"specificity"`
	// PPV is the positive predictive value TP/(TP+FP).
	PPV Proportion `json:"ppv"`
	// NPV is the negative predictive value TN/(TN+FN).
	NPV Proportion `json:"npv"`
}

// Diagnostics returns accuracy (TP+TN)/N, sensitivity TP/(TP+FN),
// specificity TN/(TN+FP), PPV and NPV with intervals at the given level.
func (c Confusion) Diagnostics(level float64) (Diagnostics, error) {
	if err := checkLevel(level); err != nil {
		return Diagnostics{}, err
	}
	var d Diagnostics
	parts := []struct {
		into     *Proportion
		num, den int
	}{
		{&d.Accuracy, c.TP + c.TN, c.TP + c.TN + c.FP + c.FN},
		{&d.Sensitivity, c.TP, c.TP + c.FN},
		{&d.Specificity, c.TN, c.TN + c.FP},
		{&d.PPV, c.TP, c.TP + c.FP},
		{&d.NPV, c.TN, c.TN + c.FN},
	}
	for _, part := range parts {
		p, err := NewProportion(part.num, part.den, level)
		if err != nil {
			return Diagnostics{}, err
		}
		*part.into = p
	}
	return d, nil
}
