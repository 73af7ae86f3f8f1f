package radiomics

import "math"

// eps is numpy's float64 machine epsilon, which PyRadiomics adds inside
// every logarithm.
const eps = 2.220446049250313e-16

// log2 is the base-2 logarithm computed as ln(x)/ln(2), which matches
// numpy's log2 at 1+eps, where the flat-region baselines are sensitive.
func log2(x float64) float64 { return math.Log(x) / math.Ln2 }

// firstOrder computes the first-order features of the region of b on the raw
// intensities x (b.values(), not modified); Entropy and Uniformity use the
// discretised levels q.
func firstOrder(b *box, x []float64, q []int32, s *Settings) map[string]float64 {
	n := float64(len(x))
	f := map[string]float64{}

	pv := percentiles(x, []float64{10, 25, 50, 75, 90})
	pct := func(p float64) float64 {
		return pv[p]
	}

	var sum, energy float64
	for _, v := range x {
		sum += v
		energy += (v + s.VoxelArrayShift) * (v + s.VoxelArrayShift)
	}
	mean := sum / n
	var m2, m3, m4, mad float64
	for _, v := range x {
		d := v - mean
		m2 += d * d
		m3 += d * d * d
		m4 += d * d * d * d
		mad += math.Abs(d)
	}
	m2, m3, m4, mad = m2/n, m3/n, m4/n, mad/n

	p10, p90 := pct(10), pct(90)
	var rsum float64
	var rn int
	for _, v := range x {
		if v >= p10 && v <= p90 {
			rsum += v
			rn++
		}
	}
	var rmad float64
	if rn > 0 {
		rmean := rsum / float64(rn)
		for _, v := range x {
			if v >= p10 && v <= p90 {
				rmad += math.Abs(v - rmean)
			}
		}
		rmad /= float64(rn)
	}

	// Histogram of the discretised levels for Entropy and Uniformity.
	entropy, uniform := histogramEntropy(q, len(x))

	f["Energy"] = energy
	f["TotalEnergy"] = energy * b.spacing[0] * b.spacing[1] * b.spacing[2]
	f["Entropy"] = entropy
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	f["Minimum"] = lo
	f["Maximum"] = hi
	f["10Percentile"] = p10
	f["90Percentile"] = p90
	f["Mean"] = mean
	f["Median"] = pct(50)
	f["InterquartileRange"] = pct(75) - pct(25)
	f["Range"] = hi - lo
	f["MeanAbsoluteDeviation"] = mad
	f["RobustMeanAbsoluteDeviation"] = rmad
	f["RootMeanSquared"] = math.Sqrt(energy / n)
	f["Variance"] = m2
	f["StandardDeviation"] = math.Sqrt(m2)
	f["Uniformity"] = uniform
	if m2 == 0 {
		f["Skewness"], f["Kurtosis"] = 0, 0
	} else {
		f["Skewness"] = m3 / math.Pow(m2, 1.5)
		f["Kurtosis"] = m4 / (m2 * m2)
	}
	return f
}

// histogramEntropy returns the entropy (bits) and the uniformity of the
// grey-level histogram of the n region voxels of q (0 = outside).
func histogramEntropy(q []int32, n int) (entropy, uniformity float64) {
	var hi int32
	for _, v := range q {
		hi = max(hi, v)
	}
	counts := make([]float64, hi+1)
	for _, v := range q {
		counts[v]++
	}
	for _, c := range counts[1:] {
		if c == 0 {
			continue
		}
		p := c / float64(n)
		entropy -= p * log2(p+eps)
		uniformity += p * p
	}
	return entropy, uniformity
}

// uniformity returns the uniformity of the grey-level histogram of q.
func uniformity(q []int32, n int) float64 {
	_, u := histogramEntropy(q, n)
	return u
}

// percentiles returns numpy's default (linear) percentiles of x for the
// ascending list ps: the value at position p/100 (n-1) of the sorted values,
// interpolated between neighbours. It selects instead of sorting; x is not
// modified.
func percentiles(x []float64, ps []float64) map[float64]float64 {
	a := append([]float64(nil), x...)
	n := len(a)
	out := map[float64]float64{}
	from := 0
	for _, p := range ps {
		pos := p / 100 * float64(n-1)
		k := int(math.Floor(pos))
		selectKth(a[from:], k-from)
		from = k
		v := a[k]
		if k+1 < n {
			next := a[k+1]
			for _, w := range a[k+1:] {
				// The built-in min treats NaN and signed zeros as
				// math.Min does, and is inlined.
				next = min(next, w)
			}
			v += (pos - float64(k)) * (next - v)
		}
		out[p] = v
	}
	return out
}

// selectKth reorders a so that a[k] is the k-th smallest value, smaller or
// equal values before it and greater or equal after it (quickselect with a
// median-of-three pivot).
func selectKth(a []float64, k int) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
