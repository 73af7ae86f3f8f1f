package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// HLGroup is one risk group of the Hosmer-Lemeshow test.
type HLGroup struct {
	N int `json:"n"`
	// Observed is the number of positives in the group and Expected the sum
	// of its predicted probabilities.
	Observed      int     `json:"observed"`
	Expected      float64 `json:"expected"`
	MeanPredicted float64 `json:"mean_predicted"`
}

// HosmerLemeshowResult is the outcome of the Hosmer-Lemeshow test.
type HosmerLemeshowResult struct {
	Statistic float64
	DF        int
	PValue    float64
	Groups    []HLGroup
}

// HosmerLemeshow returns the Hosmer-Lemeshow goodness-of-fit statistic
//
//	C = sum_k (O_k - E_k)² / E_k + ((N_k - O_k) - (N_k - E_k))² / (N_k - E_k)
//
// over g groups, with its p-value from the chi-square distribution with g-2
// degrees of freedom. The samples are sorted by predicted probability
// (stable for ties) and group k, counted from 0, takes the sorted positions
// floor(k*N/g) to floor((k+1)*N/g)-1, so group sizes differ by at most one
// and tied probabilities may fall in neighbouring groups. R's
// ResourceSelection::hoslem.test cuts at quantiles instead, which gives other
// groups when probabilities tie.
//
// A term whose expected count is 0 contributes 0 when its observed count is
// also 0 and makes the statistic +Inf otherwise. It needs 3 <= g <= N and
// probabilities in [0, 1]; one class only is allowed, because the test is
// defined for it.
func HosmerLemeshow(labels []bool, probs []float64, groups int) (HosmerLemeshowResult, error) {
	if _, _, err := checkBinary(labels, probs, false); err != nil {
		return HosmerLemeshowResult{}, err
	}
	if err := checkProbabilities(probs); err != nil {
		return HosmerLemeshowResult{}, err
	}
	n := len(probs)
	if groups < 3 || groups > n {
		return HosmerLemeshowResult{}, fmt.Errorf("%w: %d groups for %d samples; need 3 <= groups <= samples", ErrRange, groups, n)
	}

	// 1. Sort by predicted probability.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] < probs[order[b]] })

	// 2. Observed and expected counts per group.
	result := HosmerLemeshowResult{DF: groups - 2, Groups: make([]HLGroup, groups)}
	for k := range groups {
		start, end := k*n/groups, (k+1)*n/groups
		g := HLGroup{N: end - start}
		for _, i := range order[start:end] {
			g.Expected += probs[i]
			if labels[i] {
				g.Observed++
			}
		}
		g.MeanPredicted = g.Expected / float64(g.N)
		result.Groups[k] = g

		// 3. Add the group's terms for both classes.
		result.Statistic += chiSquareTerm(float64(g.Observed), g.Expected)
		result.Statistic += chiSquareTerm(float64(g.N-g.Observed), float64(g.N)-g.Expected)
	}

	// 4. Upper tail of the chi-square distribution.
	result.PValue = distuv.ChiSquared{K: float64(result.DF)}.Survival(result.Statistic)
	return result, nil
}

// chiSquareTerm returns (observed - expected)² / expected, defined as 0 when
// both are 0 and +Inf when only expected is 0.
func chiSquareTerm(observed, expected float64) float64 {
	if expected <= 0 {
		if observed == 0 {
			return 0
		}
		return math.Inf(1)
	}
	d := observed - expected
	return d * d / expected
}

// MarshalJSON encodes the result with null in place of an infinite
// statistic (a group with an expected count of 0 but observed events),
// which JSON cannot represent.
func (r HosmerLemeshowResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Statistic *float64  `json:"statistic"`
		DF        int       `json:"df"`
		PValue    *float64  `json:"p_value"`
		Groups    []HLGroup `json:"groups"`
	}{finite(r.Statistic), r.DF, finite(r.PValue), r.Groups})
}
