package radiomics

import "math"

// ngtdmMatrix returns per grey level the voxel count n_i and s_i, the sum of
// |i - mean grey level of the region neighbours| over voxels of level i. A
// voxel without region neighbours counts in n_i and adds 0 to s_i, as in
// PyRadiomics.
func ngtdmMatrix(t *texture, s *Settings) (n, sum []float64) {
	nb := t.neighbourhood(s)
	return nb.ngtdmN, nb.ngtdmS
}

func ngtdmFeatures(t *texture, s *Settings) map[string]float64 {
	n, sv := ngtdmMatrix(t, s)
	var np float64
	for _, v := range n {
		np += v
	}
	if np == 0 {
		return map[string]float64{}
	}
	ng := len(n)
	p := make([]float64, ng)
	ngp := 0
	for i := range n {
		p[i] = n[i] / np
		if p[i] > 0 {
			ngp++
		}
	}
	var sumPS, sumS float64
	for i := 0; i < ng; i++ {
		sumPS += p[i] * sv[i]
		sumS += sv[i]
	}
	f := map[string]float64{}
	if sumPS == 0 {
		f["Coarseness"] = 1e6
	} else {
		f["Coarseness"] = 1 / sumPS
	}
	var con, busyDen, complexity, strength float64
	for i := 0; i < ng; i++ {
		if p[i] == 0 {
			continue
		}
		gi := float64(t.levels[i])
		for j := 0; j < ng; j++ {
			if p[j] == 0 {
				continue
			}
			gj := float64(t.levels[j])
			d := gi - gj
			con += p[i] * p[j] * d * d
			busyDen += math.Abs(gi*p[i] - gj*p[j])
			complexity += math.Abs(d) * (p[i]*sv[i] + p[j]*sv[j]) / (p[i] + p[j])
			strength += (p[i] + p[j]) * d * d
		}
	}
	if ngp > 1 {
		f["Contrast"] = con / float64(ngp*(ngp-1)) * sumS / np
	} else {
		f["Contrast"] = 0
	}
	if busyDen == 0 {
		f["Busyness"] = 0
	} else {
		f["Busyness"] = sumPS / busyDen
	}
	f["Complexity"] = complexity / np
	if sumS == 0 {
		f["Strength"] = 0
	} else {
		f["Strength"] = strength / sumS
	}
	return f
}
