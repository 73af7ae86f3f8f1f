package radiomics

// coif1 decomposition filters of PyWavelets (pywt.Wavelet("coif1").dec_lo
// and dec_hi, PyWavelets 1.1.1): the unnormalised ones, whose low-pass taps
// sum to sqrt(2).
var (
	coif1Lo = []float64{-0.015655728135791993, -0.07273261951252645, 0.3848648468648578, 0.8525720202116004, 0.3378976624574818, -0.07273261951252645}
	coif1Hi = []float64{0.07273261951252645, 0.3378976624574818, -0.8525720202116004, 0.3848648468648578, 0.07273261951252645, -0.015655728135791993}
)

// coif1Shift is the phase of pywt.swt's periodic convolution for a
// six-tap filter: out[n] = sum_k f[k] x[(n + 3 - k) mod N].
const coif1Shift = 3

// waveletBands are PyRadiomics' names and order of the eight level-1
// decompositions; the letters are the filters along x, y and z.
var waveletBands = bandNames(3)

// bandNames returns the band names of a transform over n axes in
// PyRadiomics' order: every combination of L and H in lexicographic order
// with L before H, except all-L, which comes last.
func bandNames(n int) []string {
	names := []string{""}
	for i := 0; i < n; i++ {
		var next []string
		for _, b := range names {
			next = append(next, b+"L", b+"H")
		}
		names = next
	}
	return append(names[1:], names[0])
}

// waveletAxes returns the axes (0 = x, 1 = y, 2 = z) the wavelet transform
// runs over: all three, or with force2D the two in-plane axes.
func waveletAxes(s *Settings) []int {
	if !s.Force2D {
		return []int{0, 1, 2}
	}
	normal := 2 - s.Force2DDimension
	var axes []int
	for a := 0; a < 3; a++ {
		if a != normal {
			axes = append(axes, a)
		}
	}
	return axes
}

// swt3 returns the eight undecimated level-1 coif1 decompositions of an
// image of the given size (x fastest), keyed by band name.
func swt3(size [3]int, data []float64) map[string][]float64 {
	return swt(size, data, []int{0, 1, 2})
}

// swt returns the undecimated level-1 coif1 decompositions of an image over
// the given axes (ascending), keyed by band name (one letter per axis). As
// in PyRadiomics, an axis of odd length is first extended by one voxel equal
// to its first voxel, the transform is periodic along every axis, and the
// extension is removed afterwards. The input is not modified.
func swt(size [3]int, data []float64, axes []int) map[string][]float64 {
	// 1. Extend odd axes by wrapping.
	ext := size
	for a := 0; a < 3; a++ {
		if ext[a]%2 == 1 {
			ext[a]++
		}
	}
	x := make([]float64, ext[0]*ext[1]*ext[2])
	for z := 0; z < ext[2]; z++ {
		for y := 0; y < ext[1]; y++ {
			for i := 0; i < ext[0]; i++ {
				x[(z*ext[1]+y)*ext[0]+i] = data[((z%size[2])*size[1]+y%size[1])*size[0]+i%size[0]]
			}
		}
	}

	// 2. Filter along each axis in turn; each pass doubles the bands.
	bands := map[string][]float64{"": x}
	for _, axis := range axes {
		next := map[string][]float64{}
		for name, b := range bands {
			next[name+"L"] = filterAxis(ext, b, axis, coif1Lo)
			next[name+"H"] = filterAxis(ext, b, axis, coif1Hi)
		}
		bands = next
	}

	// 3. Remove the extension.
	if ext == size {
		return bands
	}
	r := bounds{hi: [3]int{size[0] - 1, size[1] - 1, size[2] - 1}}
	for name, b := range bands {
		bands[name] = cropFloat(ext, b, r)
	}
	return bands
}

// filterAxis convolves every line of data along axis periodically with f.
func filterAxis(size [3]int, data []float64, axis int, f []float64) []float64 {
	out := make([]float64, len(data))
	n := size[axis]
	stride := [3]int{1, size[0], size[0] * size[1]}[axis]
	line := make([]float64, n)
	// Precompute, for each output position, the input positions.
	idx := make([][]int, n)
	for i := 0; i < n; i++ {
		idx[i] = make([]int, len(f))
		for k := range f {
			idx[i][k] = (((i + coif1Shift - k) % n) + n) % n
		}
	}
	other := [2]int{(axis + 1) % 3, (axis + 2) % 3}
	for u := 0; u < size[other[0]]; u++ {
		for v := 0; v < size[other[1]]; v++ {
			var p [3]int
			p[other[0]], p[other[1]] = u, v
			base := (p[2]*size[1]+p[1])*size[0] + p[0]
			for i := 0; i < n; i++ {
				line[i] = data[base+i*stride]
			}
			for i := 0; i < n; i++ {
				var s float64
				for k, c := range f {
					s += c * line[idx[i][k]]
				}
				out[base+i*stride] = s
			}
		}
	}
	return out
}
