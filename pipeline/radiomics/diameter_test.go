package radiomics

import (
	"math"
	"testing"
)

// The hull-pruned diameters must equal a brute-force search over all mesh
// vertices.
func TestMeshDiametersMatchBruteForce(t *testing.T) {
	const tol = 1e-12
	ps := [3]int{14, 12, 9}
	pad := make([]bool, ps[0]*ps[1]*ps[2])
	for z := 1; z < ps[2]-1; z++ {
		for y := 1; y < ps[1]-1; y++ {
			for x := 1; x < ps[0]-1; x++ {
				// An irregular, non-convex region.
				pad[(z*ps[1]+y)*ps[0]+x] = (x*x*3+y*5+z*z*7)%11 < 6 || (x > 4 && x < 8 && y > 3)
			}
		}
	}
	spacing := [3]float64{0.7, 1.1, 2.9}
	d3, ds, dc, dr := meshDiameters(ps, pad, spacing)

	at := func(x, y, z int) bool { return pad[(z*ps[1]+y)*ps[0]+x] }
	var verts [][3]float64
	for z := 0; z < ps[2]; z++ {
		for y := 0; y < ps[1]; y++ {
			for x := 0; x < ps[0]; x++ {
				p := [3]float64{float64(x), float64(y), float64(z)}
				for a, d := range [3][3]int{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} {
					nx, ny, nz := x+d[0], y+d[1], z+d[2]
					if nx < ps[0] && ny < ps[1] && nz < ps[2] && at(nx, ny, nz) != at(x, y, z) {
						q := p
						q[a] += 0.5
						verts = append(verts, [3]float64{q[0] * spacing[0], q[1] * spacing[1], q[2] * spacing[2]})
					}
				}
			}
		}
	}
	var want [4]float64
	for i := range verts {
		for j := i + 1; j < len(verts); j++ {
			d := math.Sqrt(dot(sub(verts[i], verts[j]), sub(verts[i], verts[j])))
			want[0] = math.Max(want[0], d)
			for k, axis := range []int{2, 1, 0} {
				if verts[i][axis] == verts[j][axis] {
					want[k+1] = math.Max(want[k+1], d)
				}
			}
		}
	}
	for k, got := range []float64{d3, ds, dc, dr} {
		if math.Abs(got-want[k]) > tol {
			t.Errorf("diameter %d (3D, slice, column, row) = %v, brute force %v", k, got, want[k])
		}
	}
}
