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
	nb := &neighbourhood{
		dependence: newSizeMatrix(t.levels, len(steps)+1),
		ngtdmN:     make([]float64, len(t.levels)),
		ngtdmS:     make([]float64, len(t.levels)),
	}
	qp := t.qp
	cols := nb.dependence.cols

	// Grey levels are integers, so |h - g| <= alpha is |h - g| <= floor(alpha),
	// tested below as one unsigned comparison of h - g + alpha with
	// 2 alpha. A negative alpha makes no neighbour dependent. The loop has
	// no data-dependent branches.
	alpha := int64(math.Min(math.Floor(s.GLDMA), math.MaxInt32))
	dependent := boolInt(alpha >= 0)
	for _, v := range t.vox {
		i := int(v)
		g := int64(qp[i])
		var tot int64
		var cnt, dep int32
		for _, step := range steps {
			// Voxels outside the region have level 0 and add nothing
			// to tot.
			h := int64(qp[i+step])
			tot += h
			inside := boolInt(h != 0)
			cnt += inside
			dep += inside & dependent & boolInt(uint64(h-g+alpha) <= uint64(2*alpha))
		}

		// Count the voxel in the dependence matrix and the NGTDM.
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

// boolInt returns 1 for true and 0 for false. It is inlined, and Go 1.26 on
// amd64 compiles it to a conditional set instruction instead of a branch.
func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
