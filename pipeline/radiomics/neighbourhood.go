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
	// Every neighbour pair is visited once through the one-directional
	// offsets and counted for both voxels.
	fwd := t.deltas(angles(t.size, s.Distances, s.Force2D, s.Force2DDimension))
	// Grey levels are integers, so |h - g| <= alpha is |h - g| <= floor(alpha).
	alpha := int32(math.Min(math.Floor(s.GLDMA), math.MaxInt32))
	nb := &neighbourhood{
		dependence: newSizeMatrix(t.levels, 2*len(fwd)+1),
		ngtdmN:     make([]float64, len(t.levels)),
		ngtdmS:     make([]float64, len(t.levels)),
	}
	pos := make([]int32, len(t.qp))
	for k, v := range t.vox {
		pos[v] = int32(k)
	}
	tot := make([]int64, len(t.vox))
	cnt := make([]int32, len(t.vox))
	dep := make([]int32, len(t.vox))
	for k, v := range t.vox {
		i := int(v)
		g := t.qp[i]
		for _, step := range fwd {
			h := t.qp[i+step]
			if h == 0 {
				continue
			}
			m := pos[i+step]
			tot[k] += int64(h)
			tot[m] += int64(g)
			cnt[k]++
			cnt[m]++
			if d := h - g; d <= alpha && -d <= alpha {
				dep[k]++
				dep[m]++
			}
		}
	}
	cols := nb.dependence.cols
	for k, v := range t.vox {
		g := t.qp[v]
		row := int(t.index[g])
		nb.dependence.p[row*cols+int(dep[k])]++
		// A voxel without region neighbours still counts in n_i, as in
		// PyRadiomics.
		nb.ngtdmN[row]++
		if cnt[k] > 0 {
			nb.ngtdmS[row] += math.Abs(float64(g) - float64(tot[k])/float64(cnt[k]))
		}
	}
	t.nb = nb
	return nb
}
