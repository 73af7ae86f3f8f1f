package radiomics

import "math"

// ngtdmMatrix returns per grey level the voxel count n_i and s_i, the sum of
// |i - mean grey level of the region neighbours| over voxels of level i. A
// voxel without region neighbours counts in n_i and adds 0 to s_i, as in
// PyRadiomics.
func ngtdmMatrix(t *texture, s *Settings) (n, sum []float64) {
	nbrs := bothDirections(angles(t.size, s.Distances, s.Force2D, s.Force2DDimension))
	nx, ny, nz := t.size[0], t.size[1], t.size[2]
	n = make([]float64, len(t.levels))
	sum = make([]float64, len(t.levels))
	for z := 0; z < nz; z++ {
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				g := t.q[(z*ny+y)*nx+x]
				if g == 0 {
					continue
				}
				var tot float64
				c := 0
				for _, o := range nbrs {
					j := neighbour(t.size, x, y, z, o)
					if j < 0 || t.q[j] == 0 {
						continue
					}
					tot += float64(t.q[j])
					c++
				}
				k := t.index[g]
				n[k]++
				if c > 0 {
					sum[k] += math.Abs(float64(g) - tot/float64(c))
				}
			}
		}
	}
	return n, sum
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
