package learn

import "math"

// KernelKind names a kernel function.
type KernelKind string

// Kernels of the SVM.
const (
	// KernelLinear is k(x, z) = x . z.
	KernelLinear KernelKind = "linear"
	// KernelRBF is k(x, z) = exp(-gamma ||x - z||^2).
	KernelRBF KernelKind = "rbf"
)

// evalKernel returns k(a, b).
func evalKernel(kind KernelKind, gamma float64, a, b []float64) float64 {
	if kind == KernelLinear {
		return dot(a, b)
	}
	return math.Exp(-gamma * sqDist(a, b))
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return s
}

// gramLinear returns the n x n matrix of dot products of the rows of x
// (row-major).
func gramLinear(x [][]float64) []float64 {
	n := len(x)
	k := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := dot(x[i], x[j])
			k[i*n+j] = v
			k[j*n+i] = v
		}
	}
	return k
}

// sqDistances returns the a x b matrix of squared Euclidean distances
// between the rows of xa and xb (row-major).
func sqDistances(xa, xb [][]float64) []float64 {
	d := make([]float64, len(xa)*len(xb))
	for i, a := range xa {
		for j, b := range xb {
			d[i*len(xb)+j] = sqDist(a, b)
		}
	}
	return d
}

// rbfFromDistances returns exp(-gamma d) element-wise.
func rbfFromDistances(d []float64, gamma float64) []float64 {
	k := make([]float64, len(d))
	for i, v := range d {
		k[i] = math.Exp(-gamma * v)
	}
	return k
}
