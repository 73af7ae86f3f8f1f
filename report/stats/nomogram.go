package stats

import (
	"fmt"
	"math"
)

// NomogramVariable is one predictor of a logistic model drawn on a
// nomogram: its coefficient on the log-odds scale and the range of values
// its axis covers.
type NomogramVariable struct {
	Name        string
	Coefficient float64
	Min         float64
	Max         float64
}

// Nomogram is the points scale of a logistic model
// logit(p) = Intercept + sum_i Coefficient_i * x_i, built by NewNomogram.
type Nomogram struct {
	Intercept float64
	Variables []NomogramVariable
	// maxEffect is the widest effect range |Coefficient|*(Max-Min) on the
	// log-odds scale; it spans 100 points.
	maxEffect float64
	// base is the linear predictor when every variable sits at its
	// 0-point end.
	base float64
}

// NewNomogram returns the points scale of a logistic model in the usual
// nomogram layout. The variable with the widest effect range |b|*(max-min)
// gets 0 to 100 points and every other variable a proportionally shorter
// scale. Each variable's 0-point end is the end of its range with the lower
// linear predictor. It copies vars. It needs at
// least one variable, finite coefficients and ranges with Min < Max, and at
// least one non-zero coefficient.
func NewNomogram(intercept float64, vars []NomogramVariable) (*Nomogram, error) {
	if len(vars) == 0 {
		return nil, fmt.Errorf("%w: nomogram without variables", ErrEmpty)
	}
	if math.IsNaN(intercept) || math.IsInf(intercept, 0) {
		return nil, fmt.Errorf("%w: intercept %g is not finite", ErrRange, intercept)
	}
	nomo := &Nomogram{Intercept: intercept, Variables: append([]NomogramVariable(nil), vars...)}
	nomo.base = intercept
	for _, v := range vars {
		if math.IsNaN(v.Coefficient) || math.IsNaN(v.Min) || math.IsNaN(v.Max) {
			return nil, fmt.Errorf("%w: variable %q", ErrNaN, v.Name)
		}
		if math.IsInf(v.Coefficient, 0) || math.IsInf(v.Min, 0) || math.IsInf(v.Max, 0) || !(v.Min < v.Max) {
			return nil, fmt.Errorf("%w: variable %q needs a finite coefficient and a finite range with min < max, got coefficient %g, range [%g, %g]",
				ErrRange, v.Name, v.Coefficient, v.Min, v.Max)
		}
		nomo.maxEffect = math.Max(nomo.maxEffect, math.Abs(v.Coefficient)*(v.Max-v.Min))
		nomo.base += v.Coefficient * zeroPointValue(v)
	}
	if nomo.maxEffect == 0 {
		return nil, fmt.Errorf("%w: every coefficient is 0, so the nomogram has no scale", ErrRange)
	}
	return nomo, nil
}

// zeroPointValue returns the end of v's range that gets 0 points.
func zeroPointValue(v NomogramVariable) float64 {
	if v.Coefficient < 0 {
		return v.Max
	}
	return v.Min
}

// Points returns the points of variable i at value x:
// 100 * Coefficient*(x - x0) / maxEffect, with x0 the 0-point end of the
// range. A value outside the variable's range extrapolates the scale, so it
// may give negative points or more than the variable's maximum.
func (n *Nomogram) Points(i int, x float64) float64 {
	v := n.Variables[i]
	return 100 * v.Coefficient * (x - zeroPointValue(v)) / n.maxEffect
}

// MaxPoints returns the points of variable i at the far end of its range.
func (n *Nomogram) MaxPoints(i int) float64 {
	v := n.Variables[i]
	return 100 * math.Abs(v.Coefficient) * (v.Max - v.Min) / n.maxEffect
}

// MaxTotalPoints returns the sum of every variable's maximum points.
func (n *Nomogram) MaxTotalPoints() float64 {
	var total float64
	for i := range n.Variables {
		total += n.MaxPoints(i)
	}
	return total
}

// TotalPoints returns the sum of the points of values, one per variable in
// order. It panics when the lengths differ, as indexing would.
func (n *Nomogram) TotalPoints(values []float64) float64 {
	if len(values) != len(n.Variables) {
		panic(fmt.Sprintf("stats: %d values for a nomogram of %d variables", len(values), len(n.Variables)))
	}
	var total float64
	for i, x := range values {
		total += n.Points(i, x)
	}
	return total
}

// LinearPredictor returns the log-odds for total points.
func (n *Nomogram) LinearPredictor(total float64) float64 {
	return n.base + total*n.maxEffect/100
}

// Probability returns the predicted probability for total points.
func (n *Nomogram) Probability(total float64) float64 {
	return 1 / (1 + math.Exp(-n.LinearPredictor(total)))
}

// TotalForProbability returns the total points at which the predicted
// probability is p, for p in (0, 1); it is the inverse of Probability.
func (n *Nomogram) TotalForProbability(p float64) float64 {
	return (math.Log(p/(1-p)) - n.base) * 100 / n.maxEffect
}
