package learn

import (
	"fmt"
	"math"
)

// Scaler standardises features to zero mean and unit variance with the mean
// and population standard deviation (divisor n) of the training samples, as
// scikit-learn's StandardScaler. A feature with zero variance gets scale 1,
// so it becomes 0 after centring.
type Scaler struct {
	Mean  []float64
	Scale []float64
}

// FitScaler computes the mean and scale of every column of x.
func FitScaler(x [][]float64) (*Scaler, error) {
	p, err := checkMatrix(x)
	if err != nil {
		return nil, err
	}
	n := float64(len(x))
	s := &Scaler{Mean: make([]float64, p), Scale: make([]float64, p)}
	for _, row := range x {
		for j, v := range row {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for _, row := range x {
		for j, v := range row {
			d := v - s.Mean[j]
			s.Scale[j] += d * d
		}
	}
	for j := range s.Scale {
		sd := math.Sqrt(s.Scale[j] / n)
		if sd == 0 {
			sd = 1
		}
		s.Scale[j] = sd
	}
	return s, nil
}

// Transform returns a standardised copy of x.
func (s *Scaler) Transform(x [][]float64) ([][]float64, error) {
	out := make([][]float64, len(x))
	flat := make([]float64, len(x)*len(s.Mean))
	for i, row := range x {
		if len(row) != len(s.Mean) {
			return nil, fmt.Errorf("%w: row %d has %d values, scaler has %d", ErrShape, i, len(row), len(s.Mean))
		}
		r := flat[i*len(s.Mean) : (i+1)*len(s.Mean)]
		for j, v := range row {
			r[j] = (v - s.Mean[j]) / s.Scale[j]
		}
		out[i] = r
	}
	return out, nil
}
