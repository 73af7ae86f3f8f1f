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
}

func newTexture(b *box, q []int32) *texture {
	t := &texture{size: b.size, spacing: b.spacing, q: q}
	t.levels, t.index = levelIndex(q)
	if len(t.levels) > 0 {
		t.ng = t.levels[len(t.levels)-1]
	}
	for _, v := range q {
		if v > 0 {
			t.nvox++
		}
	}
	return t
}

// forPairs calls fn for every pair of region voxels (v, v+o) inside the box.
func (t *texture) forPairs(o offset, fn func(a, b int32)) {
	nx, ny, nz := t.size[0], t.size[1], t.size[2]
	dz, dy, dx := o[0], o[1], o[2]
	step := (dz*ny+dy)*nx + dx
	for z := max(0, -dz); z < min(nz, nz-dz); z++ {
		for y := max(0, -dy); y < min(ny, ny-dy); y++ {
			row := (z*ny + y) * nx
			for x := max(0, -dx); x < min(nx, nx-dx); x++ {
				i := row + x
				a := t.q[i]
				if a == 0 {
					continue
				}
				b := t.q[i+step]
				if b == 0 {
					continue
				}
				fn(a, b)
			}
		}
	}
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
