package radiomics

import (
	"math"
	"sort"
)

// eps is numpy's float64 machine epsilon, which PyRadiomics adds inside
// every logarithm.
const eps = 2.220446049250313e-16

// log2 is the base-2 logarithm computed as ln(x)/ln(2), which matches
// numpy's log2 at 1+eps, where the flat-region baselines are sensitive.
func log2(x float64) float64 { return math.Log(x) / math.Ln2 }

// firstOrder computes the first-order features of the region of b on the raw
// intensities; Entropy and Uniformity use the discretised levels q.
func firstOrder(b *box, q []int32, s *Settings) map[string]float64 {
	x := b.values()
	n := float64(len(x))
	f := map[string]float64{}

	sorted := append([]float64(nil), x...)
	sort.Float64s(sorted)
	pct := func(p float64) float64 {
		pos := p / 100 * (n - 1)
		i := int(math.Floor(pos))
		if i >= len(sorted)-1 {
			return sorted[len(sorted)-1]
		}
		frac := pos - float64(i)
		return sorted[i] + frac*(sorted[i+1]-sorted[i])
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
	counts := map[int32]float64{}
	for i, in := range b.in {
		if in {
			counts[q[i]]++
		}
	}
	var entropy, uniformity float64
	for _, c := range counts {
		p := c / n
		entropy -= p * log2(p+eps)
		uniformity += p * p
	}

	f["Energy"] = energy
	f["TotalEnergy"] = energy * b.spacing[0] * b.spacing[1] * b.spacing[2]
	f["Entropy"] = entropy
	f["Minimum"] = sorted[0]
	f["Maximum"] = sorted[len(sorted)-1]
	f["10Percentile"] = p10
	f["90Percentile"] = p90
	f["Mean"] = mean
	f["Median"] = pct(50)
	f["InterquartileRange"] = pct(75) - pct(25)
	f["Range"] = sorted[len(sorted)-1] - sorted[0]
	f["MeanAbsoluteDeviation"] = mad
	f["RobustMeanAbsoluteDeviation"] = rmad
	f["RootMeanSquared"] = math.Sqrt(energy / n)
	f["Variance"] = m2
	f["StandardDeviation"] = math.Sqrt(m2)
	f["Uniformity"] = uniformity
	if m2 == 0 {
		f["Skewness"], f["Kurtosis"] = 0, 0
	} else {
		f["Skewness"] = m3 / math.Pow(m2, 1.5)
		f["Kurtosis"] = m4 / (m2 * m2)
	}
	return f
}
