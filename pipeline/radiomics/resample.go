package radiomics

import (
	"fmt"
	"math"

	"github.com/mdm2node/mdm2node/series/volume"
)

// splineMargin is how many voxels beyond the interpolation points the
// B-spline coefficients are computed on. The recursive prefilter's pole
// (sqrt(3) - 2) decays below 1e-14 within this distance, so a crop this far
// out gives the coefficients of the whole image.
const splineMargin = 25

// maxResampledVoxels bounds the size of a resampled region: 64 Mi voxels
// are 512 MB of float64 intensities alone.
const maxResampledVoxels = 1 << 26

// resampleGrid is the output grid of PyRadiomics' resampling, in continuous
// index coordinates of the input grid: output voxel n along axis a sits at
// origin[a] + n * step[a].
type resampleGrid struct {
	size    [3]int
	spacing [3]float64
	origin  [3]float64
	step    [3]float64
}

// newResampleGrid computes PyRadiomics' resampling grid for a region with
// bounding box roi on a grid of the given size and spacing: the new grid is
// aligned with the outer corner of the input grid, covers the region plus
// PadDistance new voxels, and is clipped to the image. Axes with a new
// spacing of 0, and axes on which the region is one voxel thick, keep their
// spacing.
func newResampleGrid(size [3]int, spacing [3]float64, roi bounds, s *Settings) resampleGrid {
	var g resampleGrid
	rs := roi.size()
	pad := float64(s.PadDistance)
	for a := 0; a < 3; a++ {
		sp := s.ResampledPixelSpacing[a]
		if sp == 0 || rs[a] == 1 {
			sp = spacing[a]
		}
		ratio := spacing[a] / sp
		lo := math.Floor((float64(roi.lo[a])-0.5)*ratio - pad)
		hi := math.Ceil((float64(roi.lo[a]+rs[a])-0.5)*ratio + pad)
		maxHi := math.Ceil(float64(size[a])*ratio) - 1
		lo = math.Max(lo, 0)
		hi = math.Min(hi, maxHi)
		g.size[a] = int(hi - lo + 1)
		g.spacing[a] = sp
		g.step[a] = 1 / ratio
		g.origin[a] = 0.5*(sp-spacing[a])/spacing[a] + lo/ratio
	}
	return g
}

// sourceBounds returns the part of the input grid the interpolation reads,
// with margin voxels around it; an axis that would reach the image border
// is kept whole.
func (g resampleGrid) sourceBounds(size [3]int, margin int) bounds {
	var r bounds
	for a := 0; a < 3; a++ {
		first := g.origin[a]
		last := g.origin[a] + float64(g.size[a]-1)*g.step[a]
		r.lo[a] = int(math.Floor(first)) - 2 - margin
		r.hi[a] = int(math.Ceil(last)) + 2 + margin
		if r.lo[a] <= 0 || r.hi[a] >= size[a]-1 {
			r.lo[a], r.hi[a] = 0, size[a]-1
		}
	}
	return r
}

// resampleRegion resamples img and the region (non-zero voxels of mask, on
// img's grid) to the grid of s.ResampledPixelSpacing around roi. The image
// is normalised first when s.Normalize is set. Images whose values are all
// integers are truncated toward zero after interpolation, as SimpleITK does
// when it writes an integer pixel type. Points outside the image get 0.
func resampleRegion(img *volume.Volume, mask []uint8, roi bounds, s *Settings) (*box, error) {
	g := newResampleGrid(img.Size, img.Spacing, roi, s)
	if int64(g.size[0])*int64(g.size[1])*int64(g.size[2]) > maxResampledVoxels {
		return nil, fmt.Errorf("%w: resampled grid %v is too large", ErrSettings, g.size)
	}
	src := g.sourceBounds(img.Size, splineMargin)
	data, err := workingImage(img, src, s)
	if err != nil {
		return nil, err
	}
	integral := !s.Normalize
	for _, v := range img.Data {
		if float32(math.Trunc(float64(v))) != v {
			integral = false
			break
		}
	}
	ss := src.size()
	srcIn := cropMask(img.Size, mask, src)

	var sample func(c [3]float64) float64
	switch s.Interpolator {
	case "sitkLinear":
		sample = func(c [3]float64) float64 { return linearAt(ss, data, c) }
	case "sitkBSpline":
		coef := splineCoefficients(ss, data)
		sample = func(c [3]float64) float64 { return splineAt(ss, coef, c) }
	default:
		return nil, fmt.Errorf("%w: interpolator %q (want sitkBSpline or sitkLinear)", ErrSettings, s.Interpolator)
	}

	n := g.size[0] * g.size[1] * g.size[2]
	b := &box{size: g.size, spacing: g.spacing, data: make([]float64, n), in: make([]bool, n)}
	i := 0
	for z := 0; z < g.size[2]; z++ {
		for y := 0; y < g.size[1]; y++ {
			for x := 0; x < g.size[0]; x++ {
				p := [3]int{x, y, z}
				var c [3]float64
				inside := true
				for a := 0; a < 3; a++ {
					full := g.origin[a] + float64(p[a])*g.step[a]
					if full < -0.5 || full >= float64(img.Size[a])-0.5 {
						inside = false
					}
					c[a] = full - float64(src.lo[a])
				}
				if inside {
					v := sample(c)
					if integral {
						v = math.Trunc(v)
					}
					b.data[i] = v
					// Nearest neighbour for the mask (ITK rounds half up).
					var k [3]int
					for a := 0; a < 3; a++ {
						k[a] = min(max(int(math.Floor(c[a]+0.5)), 0), ss[a]-1)
					}
					b.in[i] = srcIn[(k[2]*ss[1]+k[1])*ss[0]+k[0]]
				}
				i++
			}
		}
	}
	return b, nil
}

// linearAt interpolates trilinearly at continuous index c, repeating the
// edge voxels.
func linearAt(size [3]int, data []float64, c [3]float64) float64 {
	var i0 [3]int
	var w [3]float64
	for a := 0; a < 3; a++ {
		f := math.Floor(c[a])
		i0[a] = int(f)
		w[a] = c[a] - f
	}
	clamp := func(v, a int) int { return min(max(v, 0), size[a]-1) }
	var sum float64
	for dz := 0; dz < 2; dz++ {
		wz := 1 - w[2]
		if dz == 1 {
			wz = w[2]
		}
		if wz == 0 {
			continue
		}
		z := clamp(i0[2]+dz, 2)
		for dy := 0; dy < 2; dy++ {
			wy := 1 - w[1]
			if dy == 1 {
				wy = w[1]
			}
			if wy == 0 {
				continue
			}
			y := clamp(i0[1]+dy, 1)
			for dx := 0; dx < 2; dx++ {
				wx := 1 - w[0]
				if dx == 1 {
					wx = w[0]
				}
				if wx == 0 {
					continue
				}
				x := clamp(i0[0]+dx, 0)
				sum += wx * wy * wz * data[(z*size[1]+y)*size[0]+x]
			}
		}
	}
	return sum
}

// splinePole is the pole of the cubic B-spline prefilter.
var splinePole = math.Sqrt(3) - 2

// splineCoefficients returns the cubic B-spline coefficients of data with
// mirror boundaries, computed as ITK's BSplineDecompositionImageFilter does
// (gain (1-z)(1-1/z), causal initialisation truncated where z^n < 1e-10).
func splineCoefficients(size [3]int, data []float64) []float64 {
	c := append([]float64(nil), data...)
	for axis := 0; axis < 3; axis++ {
		n := size[axis]
		if n == 1 {
			continue
		}
		stride := [3]int{1, size[0], size[0] * size[1]}[axis]
		other := [2]int{(axis + 1) % 3, (axis + 2) % 3}
		line := make([]float64, n)
		for u := 0; u < size[other[0]]; u++ {
			for v := 0; v < size[other[1]]; v++ {
				var p [3]int
				p[other[0]], p[other[1]] = u, v
				base := (p[2]*size[1]+p[1])*size[0] + p[0]
				for i := 0; i < n; i++ {
					line[i] = c[base+i*stride]
				}
				splineLine(line)
				for i := 0; i < n; i++ {
					c[base+i*stride] = line[i]
				}
			}
		}
	}
	return c
}

func splineLine(c []float64) {
	z := splinePole
	n := len(c)
	gain := (1 - z) * (1 - 1/z)
	for i := range c {
		c[i] *= gain
	}

	// Causal initialisation.
	horizon := int(math.Ceil(math.Log(1e-10) / math.Log(math.Abs(z))))
	if horizon < n {
		zn := z
		sum := c[0]
		for i := 1; i < horizon; i++ {
			sum += zn * c[i]
			zn *= z
		}
		c[0] = sum
	} else {
		zn := z
		iz := 1 / z
		z2n := math.Pow(z, float64(n-1))
		sum := c[0] + z2n*c[n-1]
		z2n *= z2n * iz
		for i := 1; i <= n-2; i++ {
			sum += (zn + z2n) * c[i]
			zn *= z
			z2n *= iz
		}
		c[0] = sum / (1 - zn*zn)
	}
	for i := 1; i < n; i++ {
		c[i] += z * c[i-1]
	}

	// Anti-causal initialisation and recursion.
	c[n-1] = (z / (z*z - 1)) * (z*c[n-2] + c[n-1])
	for i := n - 2; i >= 0; i-- {
		c[i] = z * (c[i+1] - c[i])
	}
}

// splineAt evaluates the cubic B-spline with coefficients coef at
// continuous index c, mirroring indices at the borders.
func splineAt(size [3]int, coef []float64, c [3]float64) float64 {
	var idx [3][4]int
	var wt [3][4]float64
	for a := 0; a < 3; a++ {
		f := math.Floor(c[a])
		start := int(f) - 1
		w := c[a] - f
		w3 := w * w * w / 6
		w0 := 1.0/6 + 0.5*w*(w-1) - w3
		w2 := w + w0 - 2*w3
		wt[a] = [4]float64{w0, 1 - w0 - w2 - w3, w2, w3}
		for k := 0; k < 4; k++ {
			idx[a][k] = mirror(start+k, size[a])
		}
	}
	var sum float64
	for kz := 0; kz < 4; kz++ {
		for ky := 0; ky < 4; ky++ {
			row := (idx[2][kz]*size[1] + idx[1][ky]) * size[0]
			wzy := wt[2][kz] * wt[1][ky]
			for kx := 0; kx < 4; kx++ {
				sum += wzy * wt[0][kx] * coef[row+idx[0][kx]]
			}
		}
	}
	return sum
}

// mirror reflects index i into [0, n) about the first and last samples.
func mirror(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}
