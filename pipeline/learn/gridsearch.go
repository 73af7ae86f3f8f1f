package learn

import (
	"fmt"
	"slices"
)

// scoreGrid fits the pipeline on split.Train for every candidate of the grid
// and returns the validation AUC on split.Test, one per candidate in
// Grid.Candidates order. The scaler, F-test and the shared part of the RFE
// path are computed once per split, the RBF kernel once per (k, gamma).
func scoreGrid(x [][]float64, labels []int, split Split, grid Grid, pp PipelineParams) ([]float64, error) {
	// 1. Standardise with the training rows only.
	xtr, ytr := subRows(x, split.Train), subLabels(labels, split.Train)
	xval, yval := subRows(x, split.Test), subLabels(labels, split.Test)
	scaler, err := FitScaler(xtr)
	if err != nil {
		return nil, err
	}
	ztr, err := scaler.Transform(xtr)
	if err != nil {
		return nil, err
	}
	zval, err := scaler.Transform(xval)
	if err != nil {
		return nil, err
	}

	// 2. F-test, then RFE down to every k of the grid.
	kept, err := ftestKeep(ztr, ytr, pp.percentile(), slices.Max(grid.K))
	if err != nil {
		return nil, err
	}
	subsets, err := rfeSubsets(subColumns(ztr, kept), ytr, grid.K, pp.RFE)
	if err != nil {
		return nil, err
	}

	// 3. RBF SVM for each (k, C, gamma), scored by the validation AUC.
	y := dualLabels(ytr)
	scores := make([]float64, 0, len(grid.K)*len(grid.C)*len(grid.Gamma))
	decision := make([]float64, len(zval))
	for _, k := range grid.K {
		cols := mapIndices(kept, subsets[k])
		str, sval := subColumns(ztr, cols), subColumns(zval, cols)
		dtr, dval := sqDistances(str, str), sqDistances(sval, str)
		ktr := make([][]float64, len(grid.Gamma))
		kval := make([][]float64, len(grid.Gamma))
		for g, gamma := range grid.Gamma {
			ktr[g] = rbfFromDistances(dtr, gamma)
			kval[g] = rbfFromDistances(dval, gamma)
		}
		for _, c := range grid.C {
			for g := range grid.Gamma {
				coef, rho, err := fitGram(ktr[g], y, c, pp.svmTol())
				if err != nil {
					return nil, fmt.Errorf("learn: SVM with k=%d C=%v gamma=%v: %w", k, c, grid.Gamma[g], err)
				}
				for v := range decision {
					row := kval[g][v*len(str) : (v+1)*len(str)]
					s := rho
					for i, a := range coef {
						if a != 0 {
							s += a * row[i]
						}
					}
					decision[v] = s
				}
				scores = append(scores, aucScore(decision, yval))
			}
		}
	}
	return scores, nil
}

// bestCandidate returns the index of the largest mean score over splits
// (scores[split][candidate]), the first one on ties, and the means. The mean
// sums the splits in order and divides by their number.
func bestCandidate(scores [][]float64) (int, []float64) {
	means := make([]float64, len(scores[0]))
	for c := range means {
		s := 0.0
		for _, row := range scores {
			s += row[c]
		}
		means[c] = s / float64(len(scores))
	}
	best := 0
	for c, m := range means {
		if m > means[best] {
			best = c
		}
	}
	return best, means
}
