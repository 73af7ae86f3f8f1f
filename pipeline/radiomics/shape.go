package radiomics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// shapeFeatures computes the 3D shape features of the region in of a box of
// the given size and spacing (x, y, z, millimetres).
func shapeFeatures(size [3]int, spacing [3]float64, in []bool) map[string]float64 {
	// 1. Pad the mask with one empty voxel on every side.
	ps := [3]int{size[0] + 2, size[1] + 2, size[2] + 2}
	pad := make([]bool, ps[0]*ps[1]*ps[2])
	nvox := 0
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				if in[(z*size[1]+y)*size[0]+x] {
					pad[((z+1)*ps[1]+y+1)*ps[0]+x+1] = true
					nvox++
				}
			}
		}
	}
	at := func(x, y, z int) bool { return pad[(z*ps[1]+y)*ps[0]+x] }

	// 2. Marching cubes: surface area and signed mesh volume.
	var area, vol6 float64
	for z := 0; z+1 < ps[2]; z++ {
		for y := 0; y+1 < ps[1]; y++ {
			for x := 0; x+1 < ps[0]; x++ {
				c := 0
				for k, d := range cubeCorners {
					if at(x+d[0], y+d[1], z+d[2]) {
						c |= 1 << k
					}
				}
				if c == 0 || c == 255 {
					continue
				}
				sign := 1.0
				if c&0x80 != 0 {
					c ^= 0xff
					sign = -1
				}
				for _, tri := range cubeTriangles[c] {
					var v [3][3]float64
					for k, e := range tri {
						m := edgeMidpoint(e)
						v[k] = [3]float64{
							(float64(x) + float64(m[0])/2) * spacing[0],
							(float64(y) + float64(m[1])/2) * spacing[1],
							(float64(z) + float64(m[2])/2) * spacing[2],
						}
					}
					ab := sub(v[1], v[0])
					ac := sub(v[2], v[0])
					cr := cross(ab, ac)
					area += 0.5 * math.Sqrt(dot(cr, cr))
					vol6 += sign * dot(v[0], cross(v[1], v[2]))
				}
			}
		}
	}
	meshVolume := math.Abs(vol6) / 6
	voxelVolume := float64(nvox) * spacing[0] * spacing[1] * spacing[2]

	f := map[string]float64{
		"MeshVolume":  meshVolume,
		"VoxelVolume": voxelVolume,
		"SurfaceArea": area,
	}
	f["SurfaceVolumeRatio"] = area / meshVolume
	f["Sphericity"] = math.Cbrt(36*math.Pi*meshVolume*meshVolume) / area
	f["Compactness1"] = meshVolume / (math.Sqrt(math.Pi) * math.Pow(area, 1.5))
	f["Compactness2"] = 36 * math.Pi * meshVolume * meshVolume / (area * area * area)
	f["SphericalDisproportion"] = area / math.Cbrt(36*math.Pi*meshVolume*meshVolume)

	// 3. Diameters between mesh vertices.
	d3, dSlice, dCol, dRow := meshDiameters(ps, pad, spacing)
	f["Maximum3DDiameter"] = d3
	f["Maximum2DDiameterSlice"] = dSlice
	f["Maximum2DDiameterColumn"] = dCol
	f["Maximum2DDiameterRow"] = dRow

	// 4. Principal axes of the voxel-centre coordinates.
	ev := principalVariances(size, spacing, in, nvox)
	major, minor, least := ev[2], ev[1], ev[0]
	f["MajorAxisLength"] = 4 * math.Sqrt(major)
	f["MinorAxisLength"] = 4 * math.Sqrt(minor)
	f["LeastAxisLength"] = 4 * math.Sqrt(least)
	if major > 0 {
		f["Elongation"] = math.Sqrt(minor / major)
		f["Flatness"] = math.Sqrt(least / major)
	}
	return f
}

// principalVariances returns the eigenvalues (ascending, negatives clamped
// to 0) of the covariance (divided by N) of the physical coordinates of the
// region voxels.
func principalVariances(size [3]int, spacing [3]float64, in []bool, n int) [3]float64 {
	var mean [3]float64
	var c [3][3]float64
	i := 0
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				if in[i] {
					p := [3]float64{float64(x) * spacing[0], float64(y) * spacing[1], float64(z) * spacing[2]}
					for a := 0; a < 3; a++ {
						mean[a] += p[a]
						for b := 0; b < 3; b++ {
							c[a][b] += p[a] * p[b]
						}
					}
				}
				i++
			}
		}
	}
	nf := float64(n)
	sym := mat.NewSymDense(3, nil)
	for a := 0; a < 3; a++ {
		for b := a; b < 3; b++ {
			sym.SetSym(a, b, c[a][b]/nf-mean[a]*mean[b]/(nf*nf))
		}
	}
	var es mat.EigenSym
	var out [3]float64
	if !es.Factorize(sym, false) {
		return out
	}
	v := es.Values(nil)
	for k := 0; k < 3; k++ {
		out[k] = math.Max(v[k], 0)
	}
	return out
}

func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot(a, b [3]float64) float64    { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
