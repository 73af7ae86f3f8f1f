package stats

import (
	"fmt"
	"math"
)

// Concordance is Harrell's C-index with the pair counts behind it.
type Concordance struct {
	C float64 `json:"c"`
	// Usable is the number of pairs whose outcomes differ.
	Usable int `json:"usable"`
	// Concordant pairs rank the higher outcome with the higher score,
	// Discordant pairs the other way round, and TiedScore pairs have equal
	// scores; C = (Concordant + TiedScore/2) / Usable.
	Concordant int `json:"concordant"`
	Discordant int `json:"discordant"`
	TiedScore  int `json:"tied_score"`
}

// CIndex returns Harrell's concordance index of scores against an ordered
// outcome without censoring. Over all pairs with different outcomes, it is
// the fraction in which the higher score belongs to the higher outcome.
// Tied scores count as one half, and pairs with tied outcomes are left out.
// For a 0/1 outcome it equals the ROC AUC. It needs at least two distinct
// outcomes (ErrOneClass) and uses O(N²) pair comparisons.
func CIndex(outcomes, scores []float64) (Concordance, error) {
	if len(outcomes) == 0 || len(scores) == 0 {
		return Concordance{}, fmt.Errorf("%w: %d outcomes, %d scores", ErrEmpty, len(outcomes), len(scores))
	}
	if len(outcomes) != len(scores) {
		return Concordance{}, fmt.Errorf("%w: %d outcomes, %d scores", ErrLength, len(outcomes), len(scores))
	}
	for i := range outcomes {
		if math.IsNaN(outcomes[i]) || math.IsNaN(scores[i]) {
			return Concordance{}, fmt.Errorf("%w: outcome or score at index %d", ErrNaN, i)
		}
	}

	var c Concordance
	for i := range outcomes {
		for j := i + 1; j < len(outcomes); j++ {
			if outcomes[i] == outcomes[j] {
				continue
			}
			c.Usable++
			// Orient the pair so that hi has the higher outcome.
			hi, lo := i, j
			if outcomes[j] > outcomes[i] {
				hi, lo = j, i
			}
			switch {
			case scores[hi] > scores[lo]:
				c.Concordant++
			case scores[hi] < scores[lo]:
				c.Discordant++
			default:
				c.TiedScore++
			}
		}
	}
	if c.Usable == 0 {
		return Concordance{}, fmt.Errorf("%w: every outcome is %g", ErrOneClass, outcomes[0])
	}
	c.C = (float64(c.Concordant) + float64(c.TiedScore)/2) / float64(c.Usable)
	return c, nil
}

// CIndexBinary is CIndex with the outcome 1 for a true label and 0 for a
// false one.
func CIndexBinary(labels []bool, scores []float64) (Concordance, error) {
	if len(labels) != len(scores) {
		return Concordance{}, fmt.Errorf("%w: %d labels, %d scores", ErrLength, len(labels), len(scores))
	}
	outcomes := make([]float64, len(labels))
	for i, l := range labels {
		if l {
			outcomes[i] = 1
		}
	}
	return CIndex(outcomes, scores)
}
