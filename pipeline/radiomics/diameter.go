package radiomics

import "math"

// meshDiameters returns the largest distance between marching-cubes
// vertices (midpoints of lattice edges whose ends differ in the padded mask
// pad of size ps): overall, within planes of equal z (slice), equal y
// (column) and equal x (row).
//
// Only vertices that could lie on the convex hull are compared: a vertex
// with other vertices on both sides of it along some line is not a hull
// vertex, so it cannot end a longest segment. Vertices are kept when they
// are the first or last on their lines parallel to the axes involved.
func meshDiameters(ps [3]int, pad []bool, spacing [3]float64) (d3, dSlice, dCol, dRow float64) {
	at := func(x, y, z int) bool { return pad[(z*ps[1]+y)*ps[0]+x] }

	// 1. Vertices in doubled integer coordinates.
	var verts [][3]int32
	for z := 0; z < ps[2]; z++ {
		for y := 0; y < ps[1]; y++ {
			for x := 0; x < ps[0]; x++ {
				v := at(x, y, z)
				if x+1 < ps[0] && at(x+1, y, z) != v {
					verts = append(verts, [3]int32{int32(2*x + 1), int32(2 * y), int32(2 * z)})
				}
				if y+1 < ps[1] && at(x, y+1, z) != v {
					verts = append(verts, [3]int32{int32(2 * x), int32(2*y + 1), int32(2 * z)})
				}
				if z+1 < ps[2] && at(x, y, z+1) != v {
					verts = append(verts, [3]int32{int32(2 * x), int32(2 * y), int32(2*z + 1)})
				}
			}
		}
	}

	// 2. Extremes along the lines parallel to each axis, in arrays indexed
	// by the line's two other doubled coordinates.
	dim := [3]int32{int32(2 * ps[0]), int32(2 * ps[1]), int32(2 * ps[2])}
	var lo, hi [3][]int32
	for a := 0; a < 3; a++ {
		b, c := (a+1)%3, (a+2)%3
		lo[a] = make([]int32, dim[b]*dim[c])
		hi[a] = make([]int32, dim[b]*dim[c])
		for i := range lo[a] {
			lo[a][i], hi[a][i] = math.MaxInt32, -1
		}
		for _, v := range verts {
			k := v[b]*dim[c] + v[c]
			lo[a][k] = min(lo[a][k], v[a])
			hi[a][k] = max(hi[a][k], v[a])
		}
	}
	extreme := func(v [3]int32, a int) bool {
		b, c := (a+1)%3, (a+2)%3
		k := v[b]*dim[c] + v[c]
		return v[a] == lo[a][k] || v[a] == hi[a][k]
	}

	// 3. Longest distances among the candidates.
	h := [3]float64{spacing[0] / 2, spacing[1] / 2, spacing[2] / 2}
	dist2 := func(p, q [3]int32) float64 {
		var s float64
		for a := 0; a < 3; a++ {
			d := float64(p[a]-q[a]) * h[a]
			s += d * d
		}
		return s
	}
	longest := func(axesNeeded [2]int, groupAxis int) float64 {
		groups := map[int32][][3]int32{}
		for _, v := range verts {
			if extreme(v, axesNeeded[0]) && extreme(v, axesNeeded[1]) {
				g := int32(0)
				if groupAxis >= 0 {
					g = v[groupAxis]
				}
				groups[g] = append(groups[g], v)
			}
		}
		best := 0.0
		for _, g := range groups {
			for i := range g {
				for j := i + 1; j < len(g); j++ {
					if d := dist2(g[i], g[j]); d > best {
						best = d
					}
				}
			}
		}
		return math.Sqrt(best)
	}

	var cand [][3]int32
	for _, v := range verts {
		if extreme(v, 0) && extreme(v, 1) && extreme(v, 2) {
			cand = append(cand, v)
		}
	}
	var best float64
	for i := range cand {
		for j := i + 1; j < len(cand); j++ {
			if d := dist2(cand[i], cand[j]); d > best {
				best = d
			}
		}
	}
	d3 = math.Sqrt(best)
	dSlice = longest([2]int{0, 1}, 2)
	dCol = longest([2]int{0, 2}, 1)
	dRow = longest([2]int{1, 2}, 0)
	return d3, dSlice, dCol, dRow
}
