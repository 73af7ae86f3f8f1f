package radiomics

import (
	"math"
	"sort"
)

// meshDiameters returns the largest distance between marching-cubes
// vertices (midpoints of lattice edges whose ends differ in the padded mask
// pad of size ps): overall, within planes of equal z (slice), equal y
// (column) and equal x (row).
//
// Only convex-hull vertices can end a longest segment. Within each plane the
// 2D hull of the plane's vertices is computed. A vertex of the 3D hull is
// also a hull vertex of its z-, y- and x-plane, so only such vertices are
// compared for the 3D diameter. Scaling the axes by the spacing
// keeps convexity, so the hulls are computed on the doubled integer
// coordinates.
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
	h := [3]float64{spacing[0] / 2, spacing[1] / 2, spacing[2] / 2}
	dist2 := func(p, q [3]int32) float64 {
		var s float64
		for a := 0; a < 3; a++ {
			d := float64(p[a]-q[a]) * h[a]
			s += d * d
		}
		return s
	}
	longest := func(pts [][3]int32) float64 {
		best := 0.0
		for i := range pts {
			for j := i + 1; j < len(pts); j++ {
				if d := dist2(pts[i], pts[j]); d > best {
					best = d
				}
			}
		}
		return best
	}

	// 2. Per plane normal to each axis: 2D hull vertices and the plane's
	// longest distance.
	onHull := make([]uint8, len(verts))
	var planeBest [3]float64
	for axis := 2; axis >= 0; axis-- {
		planes := map[int32][]int{}
		for i, v := range verts {
			planes[v[axis]] = append(planes[v[axis]], i)
		}
		u, w := (axis+1)%3, (axis+2)%3
		for _, idx := range planes {
			hull := hull2D(verts, idx, u, w)
			pts := make([][3]int32, len(hull))
			for k, i := range hull {
				onHull[i] |= 1 << axis
				pts[k] = verts[i]
			}
			planeBest[axis] = math.Max(planeBest[axis], longest(pts))
		}
	}

	// 3. The 3D diameter among vertices on all three plane hulls.
	var cand [][3]int32
	for i, v := range verts {
		if onHull[i] == 7 {
			cand = append(cand, v)
		}
	}
	d3 = math.Sqrt(longest(cand))
	return d3, math.Sqrt(planeBest[2]), math.Sqrt(planeBest[1]), math.Sqrt(planeBest[0])
}

// hull2D returns the indices (into verts, chosen by idx) of the vertices of
// the convex hull of the points projected on axes u and w, without points
// in the middle of hull edges (Andrew's monotone chain).
func hull2D(verts [][3]int32, idx []int, u, w int) []int {
	pts := append([]int(nil), idx...)
	sort.Slice(pts, func(a, b int) bool {
		pa, pb := verts[pts[a]], verts[pts[b]]
		if pa[u] != pb[u] {
			return pa[u] < pb[u]
		}
		return pa[w] < pb[w]
	})
	if len(pts) <= 2 {
		return pts
	}
	cross := func(o, a, b int) int64 {
		po, pa, pb := verts[o], verts[a], verts[b]
		return int64(pa[u]-po[u])*int64(pb[w]-po[w]) - int64(pa[w]-po[w])*int64(pb[u]-po[u])
	}
	out := make([]int, 0, 2*len(pts))
	for _, p := range pts {
		for len(out) >= 2 && cross(out[len(out)-2], out[len(out)-1], p) <= 0 {
			out = out[:len(out)-1]
		}
		out = append(out, p)
	}
	lower := len(out) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(out) >= lower && cross(out[len(out)-2], out[len(out)-1], p) <= 0 {
			out = out[:len(out)-1]
		}
		out = append(out, p)
	}
	return out[:len(out)-1]
}
