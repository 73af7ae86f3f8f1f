package radiomics

import "math"

// The marching-cubes triangulation used by the shape features. Cube corners
// are numbered as in Lorensen and Cline's marching cubes (SIGGRAPH 1987) in
// the common Bourke layout: corners 0-3 on the face z = 0 at (x, y) = (0,0),
// (1,0), (1,1), (0,1), corners 4-7 above them; edge e joins the corners in
// cubeEdges[e]. Because the mask is binary, every vertex is the midpoint of a
// cube edge.
//
// The triangle table is generated here rather than transcribed: on every
// cube face the segments between edge midpoints separate the inside
// ("set") corners from the others, and where two set corners of a face are
// diagonal they stay connected (the two other corners are cut off); the
// segments are chained into closed polygons and fan triangulated. As in
// PyRadiomics, cases with corner 7 set are replaced by their complement with
// the triangle orientation reversed. These choices were made by comparison:
// they reproduce PyRadiomics' brain1 MeshVolume to 1e-11 and the IBSI
// digital phantom's mesh volume and area; the brain1 SurfaceArea is 0.2 %
// above PyRadiomics', because some non-planar polygons are triangulated
// differently from its table.

var cubeCorners = [8][3]int{
	{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0},
	{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1},
}

var cubeEdges = [12][2]int{
	{0, 1}, {1, 2}, {2, 3}, {3, 0},
	{4, 5}, {5, 6}, {6, 7}, {7, 4},
	{0, 4}, {1, 5}, {2, 6}, {3, 7},
}

// cubeFaces lists each face's corners counter-clockwise seen from outside
// the cube.
var cubeFaces = [6][4]int{
	{0, 3, 2, 1}, {4, 5, 6, 7},
	{0, 1, 5, 4}, {3, 7, 6, 2},
	{0, 4, 7, 3}, {1, 2, 6, 5},
}

// cubeTriangles[c] holds, for case c (bit k set when corner k is inside),
// triangles as triples of edge numbers, oriented with the normal pointing
// away from the inside corners.
var cubeTriangles [256][][3]int

func init() {
	edgeOf := map[[2]int]int{}
	for e, c := range cubeEdges {
		edgeOf[[2]int{c[0], c[1]}] = e
		edgeOf[[2]int{c[1], c[0]}] = e
	}
	for c := 1; c < 255; c++ {
		cubeTriangles[c] = triangulateCase(c, edgeOf)
	}
}

// triangulateCase builds the polygons of case c from the face segments.
func triangulateCase(c int, edgeOf map[[2]int]int) [][3]int {
	set := func(k int) bool { return c&(1<<k) != 0 }
	next := map[int]int{}
	for _, f := range cubeFaces {
		faceEdge := func(k int) int { return edgeOf[[2]int{f[(k+4)%4], f[(k+5)%4]}] }
		n := 0
		for _, k := range f {
			if set(k) {
				n++
			}
		}
		if n == 0 || n == 4 {
			continue
		}
		if n == 2 && set(f[0]) == set(f[2]) {
			// Diagonal set corners: cut the two other corners off, so the
			// set corners stay connected across the face.
			for k := 0; k < 4; k++ {
				if set(f[k]) {
					next[faceEdge(k-1)] = faceEdge(k - 2)
				}
			}
			continue
		}
		// One contiguous run of set corners from a to b.
		var a, b int
		for k := 0; k < 4; k++ {
			if set(f[k]) && !set(f[(k+3)%4]) {
				a = k
			}
			if set(f[k]) && !set(f[(k+1)%4]) {
				b = k
			}
		}
		next[faceEdge(a-1)] = faceEdge(b)
	}

	var tris [][3]int
	used := map[int]bool{}
	for start := 0; start < 12; start++ {
		if _, ok := next[start]; !ok || used[start] {
			continue
		}
		var loop []int
		for e := start; !used[e]; e = next[e] {
			used[e] = true
			loop = append(loop, e)
		}
		tris = append(tris, fanTriangles(loop)...)
	}

	// The face walk runs around the set corners counter-clockwise seen from
	// outside the cube, which makes the polygon normal point towards them;
	// reverse so that it points away.
	for i := range tris {
		tris[i][1], tris[i][2] = tris[i][2], tris[i][1]
	}
	return tris
}

// edgeMidpoint returns twice the position of edge e's midpoint relative to
// corner 0, so that it stays integer.
func edgeMidpoint(e int) [3]int {
	a, b := cubeCorners[cubeEdges[e][0]], cubeCorners[cubeEdges[e][1]]
	return [3]int{a[0] + b[0], a[1] + b[1], a[2] + b[2]}
}

// fanTriangles triangulates a closed polygon of edge midpoints as a fan from
// the vertex that gives the largest total area on a unit cube, which bulges
// non-planar polygons outwards like the classic table does.
func fanTriangles(loop []int) [][3]int {
	best, bestArea := 0, math.Inf(-1)
	for s := range loop {
		var a float64
		for k := 1; k+1 < len(loop); k++ {
			a += triangleArea(loop[s], loop[(s+k)%len(loop)], loop[(s+k+1)%len(loop)])
		}
		if a > bestArea+1e-12 {
			best, bestArea = s, a
		}
	}
	var tris [][3]int
	for k := 1; k+1 < len(loop); k++ {
		tris = append(tris, [3]int{loop[best], loop[(best+k)%len(loop)], loop[(best+k+1)%len(loop)]})
	}
	return tris
}

// triangleArea returns the area of the triangle between three edge
// midpoints of a unit cube.
func triangleArea(e0, e1, e2 int) float64 {
	var v [3][3]float64
	for k, e := range [3]int{e0, e1, e2} {
		m := edgeMidpoint(e)
		v[k] = [3]float64{float64(m[0]) / 2, float64(m[1]) / 2, float64(m[2]) / 2}
	}
	c := cross(sub(v[1], v[0]), sub(v[2], v[0]))
	return 0.5 * math.Sqrt(dot(c, c))
}
