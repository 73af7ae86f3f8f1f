package learn

import (
	"math/rand/v2"
)

// synthData returns n samples of p features with labels 0 and 1 (n1 of
// them label 1). The first informative features have a class-dependent mean
// shift of decreasing size; the others are noise. Columns get different
// scales and offsets so that standardisation matters. The values depend only
// on the arguments.
func synthData(n, n1, p, informative int, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	labels := make([]int, n)
	for i := 0; i < n1; i++ {
		labels[i] = 1
	}
	rng.Shuffle(n, func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
	scale := make([]float64, p)
	offset := make([]float64, p)
	for j := range scale {
		scale[j] = 0.5 + 3*rng.Float64()
		offset[j] = 10 * rng.NormFloat64()
	}
	x := make([][]float64, n)
	for i := range x {
		x[i] = make([]float64, p)
		for j := range x[i] {
			v := rng.NormFloat64()
			if j < informative && labels[i] == 1 {
				v += 1.5 / float64(1+j%4)
			}
			x[i][j] = offset[j] + scale[j]*v
		}
	}
	return x, labels
}
