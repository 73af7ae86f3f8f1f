package plots

import (
	"gonum.org/v1/plot"

	"github.com/mdm2node/mdm2node/report/stats"
)

// ROCSeries is one named ROC curve, for example "deep features (AUC 0.95)".
type ROCSeries struct {
	Name  string
	Curve stats.ROCCurve
}

// ROC plots one or more ROC curves (1 - specificity against sensitivity)
// with the chance diagonal.
func ROC(title string, series []ROCSeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title, "1 - specificity", "sensitivity", false, false)
	unitAxes(p)
	chance, err := referenceLine([]float64{0, 1}, []float64{0, 1})
	if err != nil {
		return nil, err
	}
	p.Add(chance)
	for i, s := range series {
		line, err := seriesLine(s.Curve.FPR, s.Curve.TPR, i)
		if err != nil {
			return nil, err
		}
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	return p, nil
}
