package plots

import (
	"gonum.org/v1/plot"

	"github.com/mdm2node/mdm2node/report/stats"
)

// PRSeries is one named precision-recall curve.
type PRSeries struct {
	Name  string
	Curve stats.PRCurve
}

// PrecisionRecall plots precision against recall as a step function: from
// the previous recall to each point's recall at that point's precision, so
// the area under the drawn curve is the average precision.
func PrecisionRecall(title string, series []PRSeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title, "recall", "precision", false, true)
	unitAxes(p)
	p.Y.Max = 1.02
	for i, s := range series {
		xs, ys := prSteps(s.Curve)
		line, err := seriesLine(xs, ys, i)
		if err != nil {
			return nil, err
		}
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	return p, nil
}

// prSteps returns the corners of the step function of a precision-recall
// curve, starting at recall 0.
func prSteps(curve stats.PRCurve) (xs, ys []float64) {
	previous := 0.0
	for k := range curve.Recall {
		xs = append(xs, previous, curve.Recall[k])
		ys = append(ys, curve.Precision[k], curve.Precision[k])
		previous = curve.Recall[k]
	}
	return xs, ys
}
