package learn

// aucScore returns the area under the ROC curve of scores for labels (the
// Mann-Whitney statistic: the fraction of (positive, negative) pairs ranked
// correctly, ties counting one half). It is used to compare hyper-parameters
// inside cross-validation; the report package owns the AUC with confidence
// intervals.
func aucScore(scores []float64, labels []int) float64 {
	var pairs, wins float64
	for i, si := range scores {
		if labels[i] != 1 {
			continue
		}
		for j, sj := range scores {
			if labels[j] != 0 {
				continue
			}
			pairs++
			switch {
			case si > sj:
				wins++
			case si == sj:
				wins += 0.5
			}
		}
	}
	if pairs == 0 {
		return 0.5
	}
	return wins / pairs
}

// AUC returns the area under the ROC curve of scores for labels 0 and 1 as
// the Mann-Whitney statistic (ties count one half); 0.5 when a class is
// missing.
func AUC(scores []float64, labels []int) float64 { return aucScore(scores, labels) }
