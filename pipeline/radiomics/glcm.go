package radiomics

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// glcmCountBudget bounds the number of int32 counts that glcmGroups holds
// at once (8 MB), so that several angles share one pass over the region
// only while their matrices are small.
const glcmCountBudget = 1 << 21

// glcmGroups splits angs into runs of angles whose count matrices fit in
// glcmCountBudget together; each run is counted in one pass.
func glcmGroups(t *texture, angs []offset) [][]offset {
	w := len(t.levels) + 1
	n := max(1, glcmCountBudget/(w*w))
	var out [][]offset
	for len(angs) > 0 {
		k := min(n, len(angs))
		out = append(out, angs[:k])
		angs = angs[k:]
	}
	return out
}

// glcmCounts counts the co-occurrences of every angle of angs in one pass
// over the region. Matrix a has (ng+1) x (ng+1) entries. Entry (i+1, j+1)
// counts pairs of level indices i and j. Row and column 0 collect pairs
// with a voxel outside the region and are not used.
// Counting the angles together keeps successive increments of one entry
// apart.
func glcmCounts(t *texture, angs []offset) [][]int32 {
	w := len(t.levels) + 1
	// column maps a grey level to its matrix column, 0 for outside.
	column := make([]int32, len(t.index))
	for g := 1; g < len(t.index); g++ {
		column[g] = t.index[g] + 1
	}
	steps := t.deltas(angs)
	counts := make([][]int32, len(angs))
	for a := range counts {
		counts[a] = make([]int32, w*w)
	}
	qp := t.qp
	for _, v := range t.vox {
		i := int(v)
		row := int(column[qp[i]]) * w
		for a, step := range steps {
			counts[a][row+int(column[qp[i+step]])]++
		}
	}
	return counts
}

// glcmMatrix returns the co-occurrence count matrix of one angle from its
// glcmCounts matrix (row-major len(levels) x len(levels)), made symmetric
// when s.SymmetricalGLCM is set.
func glcmMatrix(t *texture, s *Settings, counts []int32) []float64 {
	ng := len(t.levels)
	w := ng + 1
	p := make([]float64, ng*ng)
	for i := 0; i < ng; i++ {
		for j := 0; j < ng; j++ {
			p[i*ng+j] = float64(counts[(i+1)*w+j+1])
		}
	}
	if s.SymmetricalGLCM {
		for i := 0; i < ng; i++ {
			for j := i; j < ng; j++ {
				v := p[i*ng+j] + p[j*ng+i]
				p[i*ng+j], p[j*ng+i] = v, v
			}
		}
	}
	return p
}

// glcmMatrices returns the matrices of every angle with the angles used.
func glcmMatrices(t *texture, s *Settings) ([][]float64, []offset) {
	angs := angles(t.size, s.Distances, s.Force2D, s.Force2DDimension)
	var out [][]float64
	for _, group := range glcmGroups(t, angs) {
		for _, c := range glcmCounts(t, group) {
			out = append(out, glcmMatrix(t, s, c))
		}
	}
	return out, angs
}

// glcmFeatures computes the GLCM features: per angle and averaged, or on the
// weighted sum of the angle matrices when s.WeightingNorm is set. Angles
// whose matrix is empty are dropped. The int32 counts of one group of
// angles take at most 8 MB unless a single angle needs more, and one
// float64 matrix is held at a time, so memory does not grow with the
// number of angles.
func glcmFeatures(t *texture, s *Settings) map[string]float64 {
	angs := angles(t.size, s.Distances, s.Force2D, s.Force2DDimension)
	ng := len(t.levels)
	var per []map[string]float64
	one := func(p []float64) {
		var total float64
		for _, v := range p {
			total += v
		}
		if total == 0 {
			return
		}
		for k := range p {
			p[k] /= total
		}
		per = append(per, glcmOne(p, t.levels, t.ng, s.SymmetricalGLCM))
	}
	if s.WeightingNorm == "" {
		for _, group := range glcmGroups(t, angs) {
			for _, c := range glcmCounts(t, group) {
				one(glcmMatrix(t, s, c))
			}
		}
		return featureMean(per)
	}
	sum := make([]float64, ng*ng)
	k := 0
	for _, group := range glcmGroups(t, angs) {
		for _, c := range glcmCounts(t, group) {
			o := angs[k]
			k++
			w := 1.0
			if s.WeightingNorm != "no_weighting" {
				d := offsetLength(o, t.spacing, s.WeightingNorm)
				w = math.Exp(-d * d)
			}
			for i, v := range glcmMatrix(t, s, c) {
				sum[i] += w * v
			}
		}
	}
	one(sum)
	return featureMean(per)
}

// glcmOne computes the features of one normalised matrix p over the grey
// levels g; ngMax is the highest grey level (Ng of Idmn and Idn).
func glcmOne(p []float64, g []int32, ngMax int32, symmetric bool) map[string]float64 {
	n := len(g)
	px := make([]float64, n)
	py := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			px[i] += p[i*n+j]
			py[j] += p[i*n+j]
		}
	}
	var ux, uy float64
	for i := 0; i < n; i++ {
		ux += float64(g[i]) * px[i]
		uy += float64(g[i]) * py[i]
	}
	var vx, vy float64
	for i := 0; i < n; i++ {
		vx += (float64(g[i]) - ux) * (float64(g[i]) - ux) * px[i]
		vy += (float64(g[i]) - uy) * (float64(g[i]) - uy) * py[i]
	}
	sigx, sigy := math.Sqrt(vx), math.Sqrt(vy)

	top := int(ngMax)
	psum := make([]float64, 2*top+1)
	pdiff := make([]float64, top)
	var autocorr, prom, shade, tend, contrast, energy, jentropy, maxp, hxy1, hxy2, sumsq float64
	for i := 0; i < n; i++ {
		gi := float64(g[i])
		for j := 0; j < n; j++ {
			gj := float64(g[j])
			v := p[i*n+j]
			psum[g[i]+g[j]] += v
			d := g[i] - g[j]
			if d < 0 {
				d = -d
			}
			pdiff[d] += v
			c := gi + gj - ux - uy
			autocorr += v * gi * gj
			prom += v * c * c * c * c
			shade += v * c * c * c
			tend += v * c * c
			contrast += v * (gi - gj) * (gi - gj)
			energy += v * v
			jentropy -= v * log2(v+eps)
			maxp = math.Max(maxp, v)
			pxy := px[i] * py[j]
			hxy1 -= v * log2(pxy+eps)
			hxy2 -= pxy * log2(pxy+eps)
			sumsq += v * (gi - ux) * (gi - ux)
		}
	}
	var hx, hy float64
	for i := 0; i < n; i++ {
		hx -= px[i] * log2(px[i]+eps)
		hy -= py[i] * log2(py[i]+eps)
	}

	var davg, dent, idm, idmn, id, idn, invvar float64
	ngf := float64(ngMax)
	for k, v := range pdiff {
		kf := float64(k)
		davg += kf * v
		dent -= v * log2(v+eps)
		idm += v / (1 + kf*kf)
		idmn += v / (1 + kf*kf/(ngf*ngf))
		id += v / (1 + kf)
		idn += v / (1 + kf/ngf)
		if k > 0 {
			invvar += v / (kf * kf)
		}
	}
	var dvar float64
	for k, v := range pdiff {
		dvar += (float64(k) - davg) * (float64(k) - davg) * v
	}
	var savg, sent float64
	for k, v := range psum {
		savg += float64(k) * v
		sent -= v * log2(v+eps)
	}

	f := map[string]float64{
		"Autocorrelation":    autocorr,
		"JointAverage":       ux,
		"ClusterProminence":  prom,
		"ClusterShade":       shade,
		"ClusterTendency":    tend,
		"Contrast":           contrast,
		"DifferenceAverage":  davg,
		"DifferenceEntropy":  dent,
		"DifferenceVariance": dvar,
		"JointEnergy":        energy,
		"JointEntropy":       jentropy,
		"Idm":                idm,
		"Idmn":               idmn,
		"Id":                 id,
		"Idn":                idn,
		"InverseVariance":    invvar,
		"MaximumProbability": maxp,
		"SumAverage":         savg,
		"SumEntropy":         sent,
		"SumSquares":         sumsq,
		// Deprecated features, computed only when named.
		"Dissimilarity": davg,
		"Homogeneity1":  id,
		"Homogeneity2":  idm,
		"SumVariance":   tend,
	}
	if sigx*sigy == 0 {
		f["Correlation"] = 1
	} else {
		f["Correlation"] = (autocorr - ux*uy) / (sigx * sigy)
	}
	if m := math.Max(hx, hy); m == 0 {
		f["Imc1"] = 0
	} else {
		f["Imc1"] = (jentropy - hxy1) / m
	}
	if d := hxy2 - jentropy; d <= 0 {
		f["Imc2"] = 0
	} else {
		f["Imc2"] = math.Sqrt(1 - math.Exp(-2*d))
	}
	f["MCC"] = glcmMCC(p, px, py, n, symmetric)
	return f
}

// glcmMCC returns the maximal correlation coefficient: the square root of
// the second largest eigenvalue of Q(i,j) = sum_k p(i,k) p(j,k) / (px(i)
// py(k)), or 1 when only one grey level occurs. Rows and columns with zero
// marginal probability are left out.
func glcmMCC(p, px, py []float64, n int, symmetric bool) float64 {
	var keep []int
	for i := 0; i < n; i++ {
		if px[i] > 0 && py[i] > 0 {
			keep = append(keep, i)
		}
	}
	m := len(keep)
	if m < 2 {
		return 1
	}
	var eig []float64
	if symmetric {
		// Q = D^-1 P D^-1 P is similar to S^2 with S = D^-1/2 P D^-1/2,
		// so its eigenvalues are the squares of S's (real) eigenvalues.
		sym := mat.NewSymDense(m, nil)
		for a, i := range keep {
			for b, j := range keep {
				sym.SetSym(a, b, p[i*n+j]/math.Sqrt(px[i]*px[j]))
			}
		}
		var es mat.EigenSym
		if !es.Factorize(sym, false) {
			return math.NaN()
		}
		for _, v := range es.Values(nil) {
			eig = append(eig, v*v)
		}
	} else {
		q := mat.NewDense(m, m, nil)
		for a, i := range keep {
			for b, j := range keep {
				var v float64
				for _, k := range keep {
					v += p[i*n+k] * p[j*n+k] / (px[i] * py[k])
				}
				q.Set(a, b, v)
			}
		}
		var e mat.Eigen
		if !e.Factorize(q, mat.EigenNone) {
			return math.NaN()
		}
		for _, v := range e.Values(nil) {
			eig = append(eig, real(v))
		}
	}
	sort.Float64s(eig)
	v := eig[len(eig)-2]
	if v < 0 {
		v = 0
	}
	return math.Sqrt(v)
}
