package radiomics

import "math"

// neighbourhood holds the GLDM and NGTDM matrices, which come from one pass
// over the region neighbours of every voxel.
type neighbourhood struct {
	dependence     *sizeMatrix
	ngtdmN, ngtdmS []float64
}

// neighbourhood computes (once per texture) the dependence matrix and the
// NGTDM vectors for the neighbours within s.Distances.
func (t *texture) neighbourhood(s *Settings) *neighbourhood {
	if t.nb != nil {
		return t.nb
	}
	// Every voxel reads all of its neighbours (both directions of each
	// offset). Sums and counts are integers, so the order of visits does
	// not change the result.
	steps := t.deltas(bothDirections(angles(t.size, s.Distances, s.Force2D, s.Force2DDimension)))
	// Grey levels are integers, so |h - g| <= alpha is |h - g| <= floor(alpha).
	alpha := int32(math.Min(math.Floor(s.GLDMA), math.MaxInt32))
	nb := &neighbourhood{
		dependence: newSizeMatrix(t.levels, len(steps)+1),
		ngtdmN:     make([]float64, len(t.levels)),
		ngtdmS:     make([]float64, len(t.levels)),
	}
	qp := t.qp
	cols := nb.dependence.cols
	for _, v := range t.vox {
		i := int(v)
		g := qp[i]
		var tot int64
		var cnt, dep int32
		for _, step := range steps {
			h := qp[i+step]
			if h == 0 {
				continue
			}
			tot += int64(h)
			cnt++
			if d := h - g; d <= alpha && -d <= alpha {
				dep++
			}
		}
		row := int(t.index[g])
		nb.dependence.p[row*cols+int(dep)]++
		// A voxel without region neighbours still counts in n_i, as in
		// PyRadiomics.
		nb.ngtdmN[row]++
		if cnt > 0 {
			nb.ngtdmS[row] += math.Abs(float64(g) - float64(tot)/float64(cnt))
		}
	}
	t.nb = nb
	return nb
}
