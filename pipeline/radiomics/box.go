package radiomics

// box is an image cropped to a region: values and a region flag per voxel,
// x fastest. Spacing is in millimetres along x, y, z.
type box struct {
	size    [3]int
	spacing [3]float64
	data    []float64
	in      []bool
}

func (b *box) index(x, y, z int) int { return (z*b.size[1]+y)*b.size[0] + x }

// count returns the number of voxels inside the region.
func (b *box) count() int {
	n := 0
	for _, v := range b.in {
		if v {
			n++
		}
	}
	return n
}

// values returns the intensities of the region voxels in index order.
func (b *box) values() []float64 {
	out := make([]float64, 0, b.count())
	for i, v := range b.in {
		if v {
			out = append(out, b.data[i])
		}
	}
	return out
}

// bounds is an index range [lo, hi] per axis (inclusive).
type bounds struct{ lo, hi [3]int }

func (r bounds) size() [3]int {
	return [3]int{r.hi[0] - r.lo[0] + 1, r.hi[1] - r.lo[1] + 1, r.hi[2] - r.lo[2] + 1}
}

// regionBounds returns the bounding box of the true (non-zero) voxels of in
// on a grid of the given size, and false when there is none.
func regionBounds[T bool | uint8](size [3]int, in []T) (bounds, bool) {
	var outside T
	r := bounds{lo: size, hi: [3]int{-1, -1, -1}}
	i := 0
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				if in[i] != outside {
					p := [3]int{x, y, z}
					for a := 0; a < 3; a++ {
						r.lo[a] = min(r.lo[a], p[a])
						r.hi[a] = max(r.hi[a], p[a])
					}
				}
				i++
			}
		}
	}
	return r, r.hi[0] >= 0
}

// crop copies the part r of a grid of the given size.
func cropFloat(size [3]int, data []float64, r bounds) []float64 {
	s := r.size()
	out := make([]float64, 0, s[0]*s[1]*s[2])
	for z := r.lo[2]; z <= r.hi[2]; z++ {
		for y := r.lo[1]; y <= r.hi[1]; y++ {
			off := (z*size[1]+y)*size[0] + r.lo[0]
			out = append(out, data[off:off+s[0]]...)
		}
	}
	return out
}

func cropBool(size [3]int, data []bool, r bounds) []bool {
	s := r.size()
	out := make([]bool, 0, s[0]*s[1]*s[2])
	for z := r.lo[2]; z <= r.hi[2]; z++ {
		for y := r.lo[1]; y <= r.hi[1]; y++ {
			off := (z*size[1]+y)*size[0] + r.lo[0]
			out = append(out, data[off:off+s[0]]...)
		}
	}
	return out
}

// cropMask returns the region flags (mask value non-zero) of the part r of a
// mask grid of the given size.
func cropMask(size [3]int, mask []uint8, r bounds) []bool {
	s := r.size()
	out := make([]bool, 0, s[0]*s[1]*s[2])
	for z := r.lo[2]; z <= r.hi[2]; z++ {
		for y := r.lo[1]; y <= r.hi[1]; y++ {
			off := (z*size[1]+y)*size[0] + r.lo[0]
			for _, v := range mask[off : off+s[0]] {
				out = append(out, v != 0)
			}
		}
	}
	return out
}
