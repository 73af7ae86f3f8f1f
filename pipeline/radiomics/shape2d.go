package radiomics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// shape2DFeatures computes PyRadiomics' shape2D features of a region that
// is one voxel thick along dim2D (0 = z, 1 = y, 2 = x, numpy order). The
// outline is traced by marching squares with vertices at the midpoints of
// pixel edges; where two set pixels of a square are diagonal they stay
// connected, as in the 3D mesh.
func shape2DFeatures(size [3]int, spacing [3]float64, in []bool, dim2D int) (map[string]float64, error) {
	// 1. The plane's two axes (x, y, z numbering) and its pixels.
	normal := 2 - dim2D
	if size[normal] != 1 {
		return nil, fmt.Errorf("%w: shape2D needs a region one voxel thick along axis %d (force2Ddimension %d), bounding box is %v",
			ErrSettings, normal, dim2D, size)
	}
	u, w := (normal+1)%3, (normal+2)%3
	if u > w {
		u, w = w, u
	}
	nu, nw := size[u], size[w]
	su, sw := spacing[u], spacing[w]
	pu, pw := nu+2, nw+2
	pad := make([]bool, pu*pw)
	n := 0
	var mean [2]float64
	var cov [2][2]float64
	for i, v := range in {
		if !v {
			continue
		}
		p := [3]int{i % size[0], (i / size[0]) % size[1], i / (size[0] * size[1])}
		pad[(p[w]+1)*pu+p[u]+1] = true
		n++
		c := [2]float64{float64(p[u]) * su, float64(p[w]) * sw}
		for a := 0; a < 2; a++ {
			mean[a] += c[a]
			for b := 0; b < 2; b++ {
				cov[a][b] += c[a] * c[b]
			}
		}
	}
	at := func(x, y int) bool { return pad[y*pu+x] }

	// 2. Marching squares: area (shoelace) and perimeter.
	corners := [4][2]int{{0, 0}, {1, 0}, {1, 1}, {0, 1}}
	mid := func(e int) [2]float64 {
		a, b := corners[e], corners[(e+1)%4]
		return [2]float64{float64(a[0]+b[0]) / 2, float64(a[1]+b[1]) / 2}
	}
	var area2, perimeter float64
	var verts [][2]float64
	for y := 0; y+1 < pw; y++ {
		for x := 0; x+1 < pu; x++ {
			var set [4]bool
			count := 0
			for k, c := range corners {
				set[k] = at(x+c[0], y+c[1])
				if set[k] {
					count++
				}
			}
			if count == 0 || count == 4 {
				continue
			}
			var segs [][2]int
			if count == 2 && set[0] == set[2] {
				for k := 0; k < 4; k++ {
					if set[k] {
						segs = append(segs, [2]int{(k + 3) % 4, (k + 2) % 4})
					}
				}
			} else {
				var a, b int
				for k := 0; k < 4; k++ {
					if set[k] && !set[(k+3)%4] {
						a = k
					}
					if set[k] && !set[(k+1)%4] {
						b = k
					}
				}
				segs = append(segs, [2]int{(a + 3) % 4, b})
			}
			for _, sg := range segs {
				p, q := mid(sg[0]), mid(sg[1])
				p = [2]float64{(float64(x) + p[0]) * su, (float64(y) + p[1]) * sw}
				q = [2]float64{(float64(x) + q[0]) * su, (float64(y) + q[1]) * sw}
				area2 += p[0]*q[1] - p[1]*q[0]
				perimeter += math.Hypot(q[0]-p[0], q[1]-p[1])
				verts = append(verts, p)
			}
		}
	}
	area := math.Abs(area2) / 2

	// 3. Diameter between outline vertices (each segment start; every
	// vertex starts one segment of the closed outline).
	var d2 float64
	for i := range verts {
		for j := i + 1; j < len(verts); j++ {
			dx, dy := verts[i][0]-verts[j][0], verts[i][1]-verts[j][1]
			if d := dx*dx + dy*dy; d > d2 {
				d2 = d
			}
		}
	}

	// 4. Principal axes of the pixel centres (covariance divided by N).
	nf := float64(n)
	sym := mat.NewSymDense(2, []float64{
		cov[0][0]/nf - mean[0]*mean[0]/(nf*nf), cov[0][1]/nf - mean[0]*mean[1]/(nf*nf),
		cov[1][0]/nf - mean[1]*mean[0]/(nf*nf), cov[1][1]/nf - mean[1]*mean[1]/(nf*nf),
	})
	var es mat.EigenSym
	var ev [2]float64
	if es.Factorize(sym, false) {
		v := es.Values(nil)
		ev = [2]float64{math.Max(v[0], 0), math.Max(v[1], 0)}
	}

	f := map[string]float64{
		"MeshSurface":     area,
		"PixelSurface":    nf * su * sw,
		"Perimeter":       perimeter,
		"MaximumDiameter": math.Sqrt(d2),
		"MajorAxisLength": 4 * math.Sqrt(ev[1]),
		"MinorAxisLength": 4 * math.Sqrt(ev[0]),
	}
	f["PerimeterSurfaceRatio"] = perimeter / area
	f["Sphericity"] = 2 * math.Sqrt(math.Pi*area) / perimeter
	f["SphericalDisproportion"] = perimeter / (2 * math.Sqrt(math.Pi*area))
	if ev[1] > 0 {
		f["Elongation"] = math.Sqrt(ev[0] / ev[1])
	}
	return f, nil
}
