package radiomics

import "math"

// offset is a neighbour offset (dz, dy, dx) in PyRadiomics' numpy axis order.
type offset [3]int

// angles returns the one-directional neighbour offsets for the given
// Chebyshev distances, in PyRadiomics' order: descending lexicographic in
// (dz, dy, dx), keeping offsets whose first non-zero component is positive.
// An offset is left out when it reaches outside a box of size (x, y, z) in
// some axis, or when force2D is set and it leaves the plane normal to
// dim2D (0 = z, 1 = y, 2 = x).
func angles(size [3]int, distances []int, force2D bool, dim2D int) []offset {
	maxD := 0
	want := map[int]bool{}
	for _, d := range distances {
		want[d] = true
		maxD = max(maxD, d)
	}
	zyx := [3]int{size[2], size[1], size[0]}
	var out []offset
	for dz := maxD; dz >= -maxD; dz-- {
		for dy := maxD; dy >= -maxD; dy-- {
			for dx := maxD; dx >= -maxD; dx-- {
				o := offset{dz, dy, dx}
				if !positive(o) {
					continue
				}
				norm := max(abs(dz), abs(dy), abs(dx))
				if !want[norm] {
					continue
				}
				ok := true
				for a := 0; a < 3; a++ {
					if abs(o[a]) >= zyx[a] && o[a] != 0 {
						ok = false
					}
				}
				if force2D && o[dim2D] != 0 {
					ok = false
				}
				if ok {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// bothDirections returns the offsets and their negations.
func bothDirections(a []offset) []offset {
	out := append([]offset(nil), a...)
	for _, o := range a {
		out = append(out, offset{-o[0], -o[1], -o[2]})
	}
	return out
}

func positive(o offset) bool {
	for _, v := range o {
		if v != 0 {
			return v > 0
		}
	}
	return false
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// offsetLength returns the length in millimetres of o under the named norm;
// spacing is (x, y, z).
func offsetLength(o offset, spacing [3]float64, norm string) float64 {
	d := [3]float64{float64(o[0]) * spacing[2], float64(o[1]) * spacing[1], float64(o[2]) * spacing[0]}
	switch norm {
	case "manhattan":
		return math.Abs(d[0]) + math.Abs(d[1]) + math.Abs(d[2])
	case "euclidean":
		return math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
	case "infinity":
		return math.Max(math.Abs(d[0]), math.Max(math.Abs(d[1]), math.Abs(d[2])))
	}
	return 1
}
