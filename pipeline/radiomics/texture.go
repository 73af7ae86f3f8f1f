package radiomics

// texture is a discretised region shared by the texture classes.
type texture struct {
	size    [3]int
	spacing [3]float64
	// q is the grey level of each voxel, 0 outside the region.
	q []int32
	// levels are the grey levels present, ascending; index maps a level
	// to its position in levels (-1 when absent).
	levels []int32
	index  []int32
	// ng is the highest grey level present.
	ng int32
	// nvox is the number of region voxels.
	nvox int

	// qp is q surrounded by pad voxels of grey level 0 on every side, so
	// that a neighbour within pad voxels is always inside the array and
	// needs no bounds check. Psize is its size. Vox lists the qp indices
	// of the region voxels in ascending order.
	pad   int
	psize [3]int
	qp    []int32
	vox   []int32

	// nb caches the GLDM and NGTDM pass.
	nb *neighbourhood
}

// newTexture builds the texture of b with grey levels q, padded by pad
// voxels. Its qp comes from int32Pool; call release when done with t.
func newTexture(b *box, q []int32, pad int) *texture {
	t := &texture{size: b.size, spacing: b.spacing, q: q, pad: pad}
	t.levels, t.index = levelIndex(q)
	if len(t.levels) > 0 {
		t.ng = t.levels[len(t.levels)-1]
	}
	for a := 0; a < 3; a++ {
		t.psize[a] = b.size[a] + 2*pad
	}
	t.qp = getInt32(t.psize[0] * t.psize[1] * t.psize[2])
	n := 0
	for _, g := range q {
		if g > 0 {
			n++
		}
	}
	t.vox = make([]int32, 0, n)
	for z := 0; z < b.size[2]; z++ {
		for y := 0; y < b.size[1]; y++ {
			src := (z*b.size[1] + y) * b.size[0]
			dst := ((z+pad)*t.psize[1]+y+pad)*t.psize[0] + pad
			for x := 0; x < b.size[0]; x++ {
				if g := q[src+x]; g > 0 {
					t.qp[dst+x] = g
					t.vox = append(t.vox, int32(dst+x))
				}
			}
		}
	}
	t.nvox = len(t.vox)
	return t
}

// release returns the padded grey levels to int32Pool; t must not be used
// afterwards.
func (t *texture) release() {
	putInt32(t.qp)
	t.qp = nil
}

// delta returns the qp index step of offset o.
func (t *texture) delta(o offset) int {
	return (o[0]*t.psize[1]+o[1])*t.psize[0] + o[2]
}

// deltas returns the qp index steps of offsets.
func (t *texture) deltas(os []offset) []int {
	out := make([]int, len(os))
	for i, o := range os {
		out[i] = t.delta(o)
	}
	return out
}

// featureMean averages per-angle feature maps over the angles.
func featureMean(per []map[string]float64) map[string]float64 {
	out := map[string]float64{}
	if len(per) == 0 {
		return out
	}
	for _, m := range per {
		for k, v := range m {
			out[k] += v
		}
	}
	for k := range out {
		out[k] /= float64(len(per))
	}
	return out
}
