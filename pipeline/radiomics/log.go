package radiomics

import (
	"math"
	"strconv"
	"strings"
)

// logRadius returns the half-width in voxels of the Gaussian kernels for
// sigma (mm) on an axis with the given spacing: four standard deviations.
func logRadius(sigma, spacing float64) int {
	return int(math.Ceil(4 * sigma / spacing))
}

// logFilter returns the Laplacian of Gaussian of an image, scale-normalised
// (multiplied by sigma^2) as PyRadiomics requests from SimpleITK's
// LaplacianRecursiveGaussianImageFilter. It uses sampled Gaussian kernels
// truncated at four standard deviations instead of ITK's recursive
// (Deriche) approximation, with the edge voxel repeated beyond the border,
// so values agree with PyRadiomics only approximately. The input is not
// modified.
func logFilter(size [3]int, spacing [3]float64, data []float64, sigma float64) []float64 {
	g := make([][]float64, 3)
	d2 := make([][]float64, 3)
	for a := 0; a < 3; a++ {
		g[a], d2[a] = gaussianKernels(sigma, spacing[a])
	}
	out := make([]float64, len(data))
	for a := 0; a < 3; a++ {
		t := data
		for b := 0; b < 3; b++ {
			k := g[b]
			if b == a {
				k = d2[b]
			}
			t = convolveAxis(size, t, b, k)
		}
		for i, v := range t {
			out[i] += v
		}
	}
	for i := range out {
		out[i] *= sigma * sigma
	}
	return out
}

// gaussianKernels returns the sampled Gaussian (sum 1) and its second
// derivative (zero sum, second moment 2, in mm^-2) for sigma in mm.
func gaussianKernels(sigma, spacing float64) (g, d2 []float64) {
	r := logRadius(sigma, spacing)
	g = make([]float64, 2*r+1)
	d2 = make([]float64, 2*r+1)
	var sum float64
	for i := -r; i <= r; i++ {
		x := float64(i) * spacing
		g[i+r] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += g[i+r]
	}
	var mean, m2 float64
	for i := -r; i <= r; i++ {
		x := float64(i) * spacing
		g[i+r] /= sum
		d2[i+r] = (x*x/(sigma*sigma*sigma*sigma) - 1/(sigma*sigma)) * g[i+r]
		mean += d2[i+r]
	}
	mean /= float64(len(d2))
	for i := -r; i <= r; i++ {
		x := float64(i) * spacing
		d2[i+r] -= mean
		m2 += d2[i+r] * x * x
	}
	// Scale so that the kernel returns exactly 2 for x^2 (the second
	// derivative of x^2).
	for i := range d2 {
		d2[i] *= 2 / m2
	}
	return g, d2
}

// convolveAxis convolves data along axis with the odd-length kernel k,
// repeating the edge voxels beyond the border.
func convolveAxis(size [3]int, data []float64, axis int, k []float64) []float64 {
	out := make([]float64, len(data))
	n := size[axis]
	r := len(k) / 2
	stride := [3]int{1, size[0], size[0] * size[1]}[axis]
	other := [2]int{(axis + 1) % 3, (axis + 2) % 3}
	line := make([]float64, n)
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
				for j, c := range k {
					s += c * line[min(max(i+j-r, 0), n-1)]
				}
				out[base+i*stride] = s
			}
		}
	}
	return out
}

// logName returns PyRadiomics' image type name for sigma, for example
// "log-sigma-1-0-mm-3D" for 1.0 (Python's str of the float with "." as "-").
func logName(sigma float64) string {
	s := strconv.FormatFloat(sigma, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return "log-sigma-" + strings.ReplaceAll(s, ".", "-") + "-mm-3D"
}
