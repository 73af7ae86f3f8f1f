package plots

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/mdm2node/mdm2node/report/stats"
)

// CalibrationSeries is one named calibration curve.
type CalibrationSeries struct {
	Name string
	Bins []stats.CalibrationBin
}

// Calibration plots the observed fraction of positives against the mean
// predicted probability of each bin, with the line of perfect calibration.
func Calibration(title string, series []CalibrationSeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title, "mean predicted probability", "observed fraction of positives", true, true)
	unitAxes(p)
	ideal, err := referenceLine([]float64{0, 1}, []float64{0, 1})
	if err != nil {
		return nil, err
	}
	p.Add(ideal)
	p.Legend.Add("perfect calibration", ideal)
	for i, s := range series {
		xs := make([]float64, len(s.Bins))
		ys := make([]float64, len(s.Bins))
		for k, b := range s.Bins {
			xs[k], ys[k] = b.MeanPredicted, b.Observed
		}
		line, err := seriesLine(xs, ys, i)
		if err != nil {
			return nil, err
		}
		points, err := plotter.NewScatter(line.XYs)
		if err != nil {
			return nil, err
		}
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(3)
		p.Add(line, points)
		p.Legend.Add(s.Name, line, points)
	}
	return p, nil
}
