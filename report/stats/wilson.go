package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// WilsonCC returns the two-sided Wilson score interval with continuity
// correction for x successes out of n trials at the given confidence level
// (0.95 for 95 %). It is method 4 of Newcombe (1998):
//
//	L = (2np + z² - 1 - z sqrt(z² - 2 - 1/n + 4p(n(1-p) + 1))) / (2(n + z²))
//	U = (2np + z² + 1 + z sqrt(z² + 2 - 1/n + 4p(n(1-p) - 1))) / (2(n + z²))
//
// with p = x/n and z the standard normal quantile at 1 - (1-level)/2;
// L is 0 when x = 0 and U is 1 when x = n. It rejects n < 1, x outside
// [0, n] and a level outside (0, 1) with ErrRange.
func WilsonCC(x, n int, level float64) (lower, upper float64, err error) {
	if n < 1 || x < 0 || x > n {
		return 0, 0, fmt.Errorf("%w: %d successes out of %d trials", ErrRange, x, n)
	}
	if err := checkLevel(level); err != nil {
		return 0, 0, err
	}
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	nf := float64(n)
	p := float64(x) / nf
	z2 := z * z
	denominator := 2 * (nf + z2)

	lower = 0
	if x > 0 {
		root := math.Sqrt(z2 - 2 - 1/nf + 4*p*(nf*(1-p)+1))
		lower = math.Max(0, (2*nf*p+z2-1-z*root)/denominator)
	}
	upper = 1
	if x < n {
		root := math.Sqrt(z2 + 2 - 1/nf + 4*p*(nf*(1-p)-1))
		upper = math.Min(1, (2*nf*p+z2+1+z*root)/denominator)
	}
	return lower, upper, nil
}
