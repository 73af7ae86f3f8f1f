package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// gray is the colour of reference lines (chance, perfect calibration,
// treat none).
var gray = color.Gray{Y: 128}

// newPlot returns a plot with a title, axis labels, a legend in the given
// corner and a light grid.
func newPlot(title, xLabel, yLabel string, legendTop, legendLeft bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = legendTop
	p.Legend.Left = legendLeft
	p.Legend.XOffs = -vg.Points(6)
	if legendLeft {
		p.Legend.XOffs = vg.Points(6)
	}
	p.Legend.YOffs = vg.Points(6)
	if legendTop {
		p.Legend.YOffs = -vg.Points(6)
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 225}
	grid.Horizontal.Color = color.Gray{Y: 225}
	p.Add(grid)
	return p
}

// unitAxes fixes both axes to [0, 1].
func unitAxes(p *plot.Plot) {
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, 1
}

// seriesLine returns a line through xs and ys in the colour of series i.
func seriesLine(xs, ys []float64, i int) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(xs))
	for k := range xs {
		pts[k].X, pts[k].Y = xs[k], ys[k]
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = plotutil.Color(i)
	line.Width = vg.Points(1.5)
	return line, nil
}

// referenceLine returns a dashed gray line through the given points.
func referenceLine(xs, ys []float64) (*plotter.Line, error) {
	line, err := seriesLine(xs, ys, 0)
	if err != nil {
		return nil, err
	}
	line.Color = gray
	line.Width = vg.Points(1)
	line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	return line, nil
}
