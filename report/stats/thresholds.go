package stats

import (
	"math"
	"sort"
)

// cumulativeCounts returns, for each distinct score in decreasing order, the
// score and the numbers of positives (tp) and negatives (fp) whose score is
// at least that value. It is the common core of the ROC and precision-recall
// curves. The inputs are not modified.
func cumulativeCounts(labels []bool, scores []float64) (thresholds []float64, tp, fp []int) {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })

	var tpCount, fpCount int
	for k, i := range order {
		if labels[i] {
			tpCount++
		} else {
			fpCount++
		}
		// Close a threshold only after the last sample with this score.
		if k+1 < len(order) && scores[order[k+1]] == scores[i] {
			continue
		}
		thresholds = append(thresholds, scores[i])
		tp = append(tp, tpCount)
		fp = append(fp, fpCount)
	}
	return thresholds, tp, fp
}

// midranks returns the rank of each value in ascending order, starting at 1,
// with tied values given the mean of the ranks they span.
func midranks(values []float64) []float64 {
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return values[order[a]] < values[order[b]] })

	ranks := make([]float64, len(values))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && values[order[end]] == values[order[start]] {
			end++
		}
		// Positions start..end-1 hold ranks start+1..end.
		mean := float64(start+1+end) / 2
		for k := start; k < end; k++ {
			ranks[order[k]] = mean
		}
		start = end
	}
	return ranks
}

// infinity is the threshold of the first ROC point, above every score, at
// which nothing is called positive.
var infinity = math.Inf(1)
