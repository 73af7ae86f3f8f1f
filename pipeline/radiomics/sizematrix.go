package radiomics

// sizeMatrix is a count matrix over grey levels (rows, the values in
// levels) and sizes (column c is size c+1, or sizes[c] when sizes is set):
// run lengths for GLRLM, zone sizes for GLSZM, dependence counts for GLDM.
// Leaving out sizes that never occur changes no feature, because their
// columns add only zeros.
type sizeMatrix struct {
	levels []int32
	cols   int
	sizes  []int
	p      []float64
}

// size returns the size of column c.
func (m *sizeMatrix) size(c int) float64 {
	if m.sizes != nil {
		return float64(m.sizes[c])
	}
	return float64(c + 1)
}

func newSizeMatrix(levels []int32, cols int) *sizeMatrix {
	return &sizeMatrix{levels: levels, cols: cols, p: make([]float64, len(levels)*cols)}
}

// emphases computes the features shared by GLRLM, GLSZM and GLDM, under
// neutral names: SE/LE small/large size emphasis, GLN(N) grey-level
// non-uniformity (normalised), SN(N) size non-uniformity (normalised), GLV
// and SV grey-level and size variance, E entropy, LGE/HGE low/high grey-level
// emphasis and the four combined emphases. np is the voxel count of the
// percentage feature P. It returns nil for an empty matrix.
func (m *sizeMatrix) emphases(np float64) map[string]float64 {
	n := len(m.levels)
	var nz float64
	for _, v := range m.p {
		nz += v
	}
	if nz == 0 {
		return nil
	}
	pg := make([]float64, n)
	ps := make([]float64, m.cols)
	for i := 0; i < n; i++ {
		for j := 0; j < m.cols; j++ {
			v := m.p[i*m.cols+j]
			pg[i] += v
			ps[j] += v
		}
	}
	var se, le, lge, hge, selg, sehg, lelg, lehg, ent, mui, muj float64
	for i := 0; i < n; i++ {
		gi := float64(m.levels[i])
		for j := 0; j < m.cols; j++ {
			v := m.p[i*m.cols+j]
			if v == 0 {
				continue
			}
			sj := m.size(j)
			se += v / (sj * sj)
			le += v * sj * sj
			lge += v / (gi * gi)
			hge += v * gi * gi
			selg += v / (gi * gi * sj * sj)
			sehg += v * gi * gi / (sj * sj)
			lelg += v * sj * sj / (gi * gi)
			lehg += v * gi * gi * sj * sj
			pr := v / nz
			ent -= pr * log2(pr+eps)
		}
	}
	for i := 0; i < n; i++ {
		mui += pg[i] / nz * float64(m.levels[i])
	}
	for j := 0; j < m.cols; j++ {
		muj += ps[j] / nz * m.size(j)
	}
	var gln, sn, glv, sv float64
	for i := 0; i < n; i++ {
		gln += pg[i] * pg[i]
		d := float64(m.levels[i]) - mui
		glv += pg[i] / nz * d * d
	}
	for j := 0; j < m.cols; j++ {
		sn += ps[j] * ps[j]
		d := m.size(j) - muj
		sv += ps[j] / nz * d * d
	}
	return map[string]float64{
		"SE": se / nz, "LE": le / nz,
		"GLN": gln / nz, "GLNN": gln / (nz * nz),
		"SN": sn / nz, "SNN": sn / (nz * nz),
		"P":   nz / np,
		"GLV": glv, "SV": sv, "E": ent,
		"LGE": lge / nz, "HGE": hge / nz,
		"SELG": selg / nz, "SEHG": sehg / nz, "LELG": lelg / nz, "LEHG": lehg / nz,
	}
}

// rename maps the neutral names of emphases to a class's feature names.
func rename(e map[string]float64, names map[string]string) map[string]float64 {
	out := make(map[string]float64, len(names))
	for k, v := range names {
		out[v] = e[k]
	}
	return out
}
