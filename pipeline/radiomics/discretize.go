package radiomics

import (
	"fmt"
	"math"
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
		lo = min(lo, v)
		hi = max(hi, v)
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
// lowest region value falls into bin 1. Edges must be ascending and are
// about equally wide: the search starts at the bin that the first width
// predicts and steps to the exact count, usually in one or two comparisons.
func digitize(v float64, edges []float64) int32 {
	n := len(edges)
	k := 0
	if g := (v - edges[0]) / (edges[1] - edges[0]); g >= float64(n) {
		k = n
	} else if g >= 0 {
		k = int(g) + 1
	}
	for k < n && edges[k] <= v {
		k++
	}
	for k > 0 && edges[k-1] > v {
		k--
	}
	return int32(k)
}

// discretize returns the grey level (bin number, from 1) of every voxel of b,
// 0 outside the region.
func discretize(b *box, s *Settings) ([]int32, error) {
	return discretizeValues(b, b.values(), s)
}

// discretizeValues is discretize with the region values of b (b.values())
// already at hand.
func discretizeValues(b *box, vals []float64, s *Settings) ([]int32, error) {
	edges, err := binEdges(vals, s)
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
