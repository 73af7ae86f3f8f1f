package radiomics

import (
	"fmt"
	"math"
	"sort"
)

// maxBins bounds the number of grey levels a discretisation may produce.
const maxBins = 100000

// pyMod is Python's float modulo: the result has the sign of b.
func pyMod(a, b float64) float64 {
	r := math.Mod(a, b)
	if r != 0 && (r < 0) != (b < 0) {
		r += b
	}
	return r
}

// binEdges returns the discretisation edges of the region values vals, as
// PyRadiomics computes them: with a fixed bin width W, numpy.arange from the
// multiple of W at or below the minimum to maximum + 2W; with a fixed bin
// count N, N equal bins from minimum to maximum with the top edge raised by
// one intensity unit.
func binEdges(vals []float64, s *Settings) ([]float64, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	if s.BinCount > 0 {
		n := s.BinCount
		if n > maxBins {
			return nil, fmt.Errorf("%w: binCount %d exceeds %d", ErrSettings, n, maxBins)
		}
		start, stop := lo, hi
		if start == stop {
			start, stop = start-0.5, stop+0.5
		}
		edges := make([]float64, n+1)
		step := (stop - start) / float64(n)
		for i := range edges {
			edges[i] = float64(i)*step + start
		}
		edges[n] = stop + 1
		return edges, nil
	}
	w := s.BinWidth
	low := lo - pyMod(lo, w)
	high := hi + 2*w
	n := int(math.Ceil((high - low) / w))
	if n > maxBins || n < 0 {
		return nil, fmt.Errorf("%w: binWidth %v gives %d bins for the range [%v, %v]; use a larger bin width", ErrSettings, w, n, lo, hi)
	}
	edges := make([]float64, n)
	for i := range edges {
		edges[i] = low + float64(i)*w
	}
	if len(edges) == 1 {
		edges = []float64{edges[0] - 0.5, edges[0] + 0.5}
	}
	return edges, nil
}

// digitize returns the number of edges <= v (numpy.digitize), so that the
// lowest region value falls into bin 1.
func digitize(v float64, edges []float64) int32 {
	return int32(sort.Search(len(edges), func(i int) bool { return edges[i] > v }))
}

// discretize returns the grey level (bin number, from 1) of every voxel of b,
// 0 outside the region.
func discretize(b *box, s *Settings) ([]int32, error) {
	edges, err := binEdges(b.values(), s)
	if err != nil {
		return nil, err
	}
	q := make([]int32, len(b.data))
	for i, in := range b.in {
		if in {
			q[i] = digitize(b.data[i], edges)
		}
	}
	return q, nil
}

// levelIndex maps the grey levels present in q to consecutive indices. It
// returns the sorted levels, the index of each level (-1 when absent) and
// the highest level.
func levelIndex(q []int32) (levels []int32, index []int32) {
	var hi int32
	for _, v := range q {
		hi = max(hi, v)
	}
	present := make([]bool, hi+1)
	for _, v := range q {
		present[v] = true
	}
	index = make([]int32, hi+1)
	for l := int32(1); l <= hi; l++ {
		index[l] = -1
		if present[l] {
			index[l] = int32(len(levels))
			levels = append(levels, l)
		}
	}
	return levels, index
}
