package learn

import (
	"fmt"
	"math/rand/v2"
)

// Split is one train/test partition of sample indices, both ascending.
type Split struct {
	Train []int
	Test  []int
}

// StratifiedKFold partitions the samples into k folds that keep the class
// proportions: each class's indices are shuffled with rng and dealt to the
// folds in turn, the second class continuing where the first stopped, so
// fold sizes differ by at most one. It returns one Split per fold.
// ErrTooFewSamples is returned when a class has fewer than k samples.
func StratifiedKFold(labels []int, k int, rng *rand.Rand) ([]Split, error) {
	if k < 2 {
		return nil, fmt.Errorf("%w: %d folds, need at least 2", ErrInvalidParam, k)
	}
	n0, n1, err := checkLabels(labels, len(labels))
	if err != nil {
		return nil, err
	}
	if n0 < k || n1 < k {
		return nil, fmt.Errorf("%w: %d folds but the classes have %d (label 0) and %d (label 1) samples", ErrTooFewSamples, k, n0, n1)
	}
	fold := make([]int, len(labels))
	next := 0
	for class := 0; class < 2; class++ {
		var idx []int
		for i, l := range labels {
			if l == class {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	splits := make([]Split, k)
	for i, f := range fold {
		for s := range splits {
			if s == f {
				splits[s].Test = append(splits[s].Test, i)
			} else {
				splits[s].Train = append(splits[s].Train, i)
			}
		}
	}
	return splits, nil
}

// newRand returns a PCG generator for the given seed and stream, so that
// every repetition and fold of a run draws from its own reproducible
// sequence.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}
