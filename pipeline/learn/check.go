package learn

import (
	"fmt"
	"math"
)

// checkMatrix verifies that x is a non-empty rectangular matrix of finite
// values and returns its number of columns.
func checkMatrix(x [][]float64) (int, error) {
	if len(x) == 0 {
		return 0, fmt.Errorf("%w: no samples", ErrTooFewSamples)
	}
	p := len(x[0])
	if p == 0 {
		return 0, fmt.Errorf("%w: no features", ErrShape)
	}
	for i, row := range x {
		if len(row) != p {
			return 0, fmt.Errorf("%w: row %d has %d values, row 0 has %d", ErrShape, i, len(row), p)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%w: row %d, column %d", ErrNonFinite, i, j)
			}
		}
	}
	return p, nil
}

// checkLabels verifies that labels are 0 or 1, match n rows and hold both
// classes. It returns the counts of label 0 and label 1.
func checkLabels(labels []int, n int) (n0, n1 int, err error) {
	if len(labels) != n {
		return 0, 0, fmt.Errorf("%w: %d labels for %d samples", ErrShape, len(labels), n)
	}
	for i, l := range labels {
		switch l {
		case 0:
			n0++
		case 1:
			n1++
		default:
			return 0, 0, fmt.Errorf("%w: sample %d has label %d", ErrLabel, i, l)
		}
	}
	if n0 == 0 || n1 == 0 {
		return n0, n1, ErrOneClass
	}
	return n0, n1, nil
}

// CheckData verifies a training matrix and its labels: rectangular, finite,
// labels 0 or 1 with both classes present, and no feature constant over all
// samples. The error names the first offending row or column.
func CheckData(x [][]float64, labels []int) error {
	p, err := checkMatrix(x)
	if err != nil {
		return err
	}
	if _, _, err := checkLabels(labels, len(x)); err != nil {
		return err
	}
	if j := firstConstantColumn(x, p); j >= 0 {
		return fmt.Errorf("%w: column %d", ErrConstantFeature, j)
	}
	return nil
}

// ConstantColumns returns the indices of the columns of x whose values are
// all equal.
func ConstantColumns(x [][]float64) []int {
	if len(x) == 0 {
		return nil
	}
	var out []int
	for j := range x[0] {
		constant := true
		for i := 1; i < len(x); i++ {
			if x[i][j] != x[0][j] {
				constant = false
				break
			}
		}
		if constant {
			out = append(out, j)
		}
	}
	return out
}

func firstConstantColumn(x [][]float64, p int) int {
	for j := 0; j < p; j++ {
		constant := true
		for i := 1; i < len(x); i++ {
			if x[i][j] != x[0][j] {
				constant = false
				break
			}
		}
		if constant {
			return j
		}
	}
	return -1
}

// subRows returns the rows of x at idx (sharing the row slices).
func subRows(x [][]float64, idx []int) [][]float64 {
	out := make([][]float64, len(idx))
	for i, r := range idx {
		out[i] = x[r]
	}
	return out
}

// subLabels returns labels at idx.
func subLabels(labels []int, idx []int) []int {
	out := make([]int, len(idx))
	for i, r := range idx {
		out[i] = labels[r]
	}
	return out
}

// subColumns returns a new matrix with the columns cols of x.
func subColumns(x [][]float64, cols []int) [][]float64 {
	out := make([][]float64, len(x))
	flat := make([]float64, len(x)*len(cols))
	for i, row := range x {
		r := flat[i*len(cols) : (i+1)*len(cols)]
		for c, j := range cols {
			r[c] = row[j]
		}
		out[i] = r
	}
	return out
}
