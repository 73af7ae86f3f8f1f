package radiomics

// coif1 decomposition filters of PyWavelets (pywt.Wavelet("coif1").dec_lo
// and dec_hi, PyWavelets 1.1.1): the unnormalised ones, whose low-pass taps
// sum to sqrt(2).
var (
	coif1Lo = []float64{-0.015655728135791993, -0.07273261951252645, 0.3848648468648578, 0.8525720202116004, 0.3378976624574818, -0.07273261951252645}
	coif1Hi = []float64{0.07273261951252645, 0.3378976624574818, -0.8525720202116004, 0.3848648468648578, 0.07273261951252645, -0.015655728135791993}
)

// coif1Taps is the length of the coif1 filters.
const coif1Taps = 6

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
	whole := bounds{hi: [3]int{size[0] - 1, size[1] - 1, size[2] - 1}}
	names := bandNames(len(axes))
	out := map[string][]float64{}
	for i, b := range swtRegion(size, data, axes, whole) {
		out[names[i]] = b
	}
	return out
}

// swtRegion returns the bands of swt cropped to r, in the order of
// bandNames(len(axes)). Each pass filters only the lines that the region
// depends on. Along an axis not yet filtered, these are the region plus the
// filter reach, and along an axis already filtered the region alone. Every
// value is computed with the same operations in the same order as on the
// whole image, so the result equals the crop of swt.
func swtRegion(size [3]int, data []float64, axes []int, r bounds) [][]float64 {
	// 1. Per axis: the extended (even) length and the windows of positions
	// needed before and after that axis is filtered.
	var ext [3]int
	var final, need [3]window
	filtered := [3]bool{}
	for _, a := range axes {
		filtered[a] = true
	}
	for a := 0; a < 3; a++ {
		ext[a] = size[a] + size[a]%2
		final[a] = window{start: r.lo[a], len: r.hi[a] - r.lo[a] + 1, n: ext[a]}
		need[a] = final[a]
		if filtered[a] {
			need[a] = window{start: r.lo[a] - coif1Shift + 1, len: final[a].len + len(coif1Lo) - 1, n: ext[a]}
			if need[a].len >= ext[a] {
				need[a] = window{len: ext[a], n: ext[a]}
			}
		}
	}

	// 2. The source stage: position p of the extended axis reads voxel
	// p mod size, which is the wrap extension of odd axes.
	src := stage{dims: size}
	for a := 0; a < 3; a++ {
		src.lookup[a] = make([]int, ext[a])
		for p := range src.lookup[a] {
			src.lookup[a][p] = p % size[a]
		}
	}
	bands := [][]float64{data}

	// 3. Filter along each axis in turn; each pass doubles the bands. Band
	// order follows bandNames: L before H, the last axis varying fastest.
	cur := src
	done := [3]bool{}
	for _, axis := range axes {
		done[axis] = true
		var w [3]window
		for a := 0; a < 3; a++ {
			w[a] = need[a]
			if done[a] || !filtered[a] {
				w[a] = final[a]
			}
		}
		next := newStage(w)
		var out [][]float64
		for _, b := range bands {
			out = append(out, filterPass(cur, next, w, b, axis, coif1Lo), filterPass(cur, next, w, b, axis, coif1Hi))
		}
		bands, cur = out, next
	}
	if len(axes) == 0 {
		return bands
	}

	// 4. PyRadiomics lists the all-low band last.
	return append(bands[1:], bands[0])
}

// window is a run of positions along one periodic axis of length n: compact
// index c is position (start + c) mod n.
type window struct{ start, len, n int }

func (w window) position(c int) int { return ((w.start+c)%w.n + w.n) % w.n }

// stage is the layout of an intermediate array of swtRegion: its size per
// axis (x fastest) and, per axis, the compact index of every position of
// the extended axis (-1 where the array has no value).
type stage struct {
	dims   [3]int
	lookup [3][]int
}

func newStage(w [3]window) stage {
	var s stage
	for a := 0; a < 3; a++ {
		s.dims[a] = w[a].len
		s.lookup[a] = make([]int, w[a].n)
		for p := range s.lookup[a] {
			s.lookup[a][p] = -1
		}
		for c := 0; c < w[a].len; c++ {
			s.lookup[a][w[a].position(c)] = c
		}
	}
	return s
}

// filterPass convolves data (laid out as in) periodically with f along axis
// and returns the values at the positions of the windows w (laid out as
// out): out[n] = sum_k f[k] x[(n + coif1Shift - k) mod N], summed in
// ascending k. f has coif1Taps taps.
func filterPass(in, out stage, w [3]window, data []float64, axis int, f []float64) []float64 {
	inStride := [3]int{1, in.dims[0], in.dims[0] * in.dims[1]}
	outStride := [3]int{1, out.dims[0], out.dims[0] * out.dims[1]}
	res := make([]float64, out.dims[0]*out.dims[1]*out.dims[2])

	// The taps are unrolled for the six of coif1, in ascending order.
	k := [coif1Taps]float64(f)

	// gather[t] is the input offset along axis of position
	// start - (len(f) - 1 - coif1Shift) + t, so that output c reads
	// gather[c + len(f) - 1 - k] for tap k.
	taps := len(f)
	n := out.dims[axis]
	gather := make([]int, n+taps-1)
	for t := range gather {
		p := window{start: w[axis].start - (taps - 1 - coif1Shift), n: w[axis].n}.position(t)
		gather[t] = in.lookup[axis][p] * inStride[axis]
	}

	// Along y or z, whole x rows are filtered at once when the output x
	// positions read consecutive input voxels, which keeps memory access
	// sequential.
	if axis != 0 {
		if x0, ok := contiguousX(in, w[0], out.dims[0]); ok {
			o := 3 - axis // the axis that is neither x nor the filter axis
			filterRows(data, res, k, gather, x0, out.dims[0], n,
				in.lookup[o], w[o], inStride[o], outStride[o], out.dims[o], outStride[axis])
			return res
		}
	}

	line := make([]float64, len(gather))
	other := [2]int{(axis + 1) % 3, (axis + 2) % 3}
	for u := 0; u < out.dims[other[0]]; u++ {
		iu := in.lookup[other[0]][w[other[0]].position(u)] * inStride[other[0]]
		for v := 0; v < out.dims[other[1]]; v++ {
			iv := in.lookup[other[1]][w[other[1]].position(v)] * inStride[other[1]]
			base := iu + iv
			for t, g := range gather {
				line[t] = data[base+g]
			}
			ob := u*outStride[other[0]] + v*outStride[other[1]]
			for c := 0; c < n; c++ {
				x := line[c : c+coif1Taps : c+coif1Taps]
				var s float64
				s += k[0] * x[5]
				s += k[1] * x[4]
				s += k[2] * x[3]
				s += k[3] * x[2]
				s += k[4] * x[1]
				s += k[5] * x[0]
				res[ob+c*outStride[axis]] = s
			}
		}
	}
	return res
}

// contiguousX returns the input x offset of the first of nx output x
// positions of window w, and whether the others follow it one by one.
func contiguousX(in stage, w window, nx int) (int, bool) {
	x0 := in.lookup[0][w.position(0)]
	for c := 1; c < nx; c++ {
		if in.lookup[0][w.position(c)] != x0+c {
			return 0, false
		}
	}
	return x0, true
}

// filterRows is filterPass along y or z for contiguous x rows: output row
// (c along the filter axis, u along axis o) is the tap-weighted sum of six
// input rows, each output summed in the same order as in filterPass.
func filterRows(data, res []float64, k [coif1Taps]float64, gather []int, x0, nx, n int,
	lookupO []int, wo window, inStrideO, outStrideO, dimO, outStrideAxis int) {
	for u := 0; u < dimO; u++ {
		io := lookupO[wo.position(u)]*inStrideO + x0
		for c := 0; c < n; c++ {
			dst := res[u*outStrideO+c*outStrideAxis:][:nx]
			r0 := data[io+gather[c+5]:][:nx]
			r1 := data[io+gather[c+4]:][:nx]
			r2 := data[io+gather[c+3]:][:nx]
			r3 := data[io+gather[c+2]:][:nx]
			r4 := data[io+gather[c+1]:][:nx]
			r5 := data[io+gather[c]:][:nx]
			for x := range dst {
				var s float64
				s += k[0] * r0[x]
				s += k[1] * r1[x]
				s += k[2] * r2[x]
				s += k[3] * r3[x]
				s += k[4] * r4[x]
				s += k[5] * r5[x]
				dst[x] = s
			}
		}
	}
}
