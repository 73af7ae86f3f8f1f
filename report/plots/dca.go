package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/mdm2node/mdm2node/report/stats"
)

// DecisionSeries is one named decision curve.
type DecisionSeries struct {
	Name  string
	Curve stats.DecisionCurve
}

// DecisionCurve plots the net benefit of each model against the threshold
// probability, with the treat-all curve of the first series (all series
// should come from the same cohort) and the treat-none line at 0. The y axis
// runs from a little below 0 to a little above the largest net benefit, so
// the steep fall of treat-all at high thresholds is cut off, as is usual for
// decision curves.
func DecisionCurve(title string, series []DecisionSeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title, "threshold probability", "net benefit", true, false)
	first := series[0].Curve

	// 1. Reference strategies.
	treatAll, err := seriesLine(first.Thresholds, first.TreatAll, 0)
	if err != nil {
		return nil, err
	}
	treatAll.Color = gray
	treatAll.Width = vg.Points(1)
	p.Add(treatAll)
	p.Legend.Add("treat all", treatAll)
	treatNone, err := referenceLine(first.Thresholds, first.TreatNone)
	if err != nil {
		return nil, err
	}
	p.Add(treatNone)
	p.Legend.Add("treat none", treatNone)

	// 2. Models.
	top := 0.0
	for _, v := range first.TreatAll {
		top = math.Max(top, v)
	}
	for i, s := range series {
		line, err := seriesLine(s.Curve.Thresholds, s.Curve.Model, i)
		if err != nil {
			return nil, err
		}
		p.Add(line)
		p.Legend.Add(s.Name, line)
		for _, v := range s.Curve.Model {
			top = math.Max(top, v)
		}
	}

	// 3. Axis ranges.
	p.X.Min, p.X.Max = 0, 1
	margin := math.Max(0.05, 0.1*top)
	p.Y.Min, p.Y.Max = -margin, top+margin
	return p, nil
}
