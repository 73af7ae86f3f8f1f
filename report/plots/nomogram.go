package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/mdm2node/mdm2node/report/stats"
)

// nomogramProbabilities are the candidate labels of the probability axis;
// those whose total points fall inside the total-points range are drawn.
var nomogramProbabilities = []float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99}

// Tick mark heights in row units (rows are 1 apart), and the least
// distance between two probability labels on the 0-100 points scale.
const (
	majorTick   = 0.15
	minorTick   = 0.08
	minLabelGap = 4.5
)

// nomogramAxis is one horizontal scale of the nomogram: the value at each
// tick and the x position (0-100 on the points scale) where it sits.
type nomogramAxis struct {
	name  string
	ticks []plot.Tick
	// position maps a tick value to x on the points scale.
	position func(v float64) float64
	// from and to are the x positions of the ends of the scale's line.
	from, to float64
}

// Nomogram draws the points nomogram of a logistic model: a Points scale
// from 0 to 100 at the top, one scale per variable over its range, a Total
// points scale and the Probability scale it maps to.
func Nomogram(title string, nomo *stats.Nomogram) (*plot.Plot, error) {
	if nomo == nil || len(nomo.Variables) == 0 {
		return nil, ErrNoData
	}
	maxTotal := nomo.MaxTotalPoints()

	// 1. The scales, top to bottom.
	axes := []nomogramAxis{{
		name:     "Points",
		ticks:    niceTicks(0, 100, 10),
		position: func(v float64) float64 { return v },
		from:     0,
		to:       100,
	}}
	for i, v := range nomo.Variables {
		axes = append(axes, nomogramAxis{
			name:     v.Name,
			ticks:    niceTicks(v.Min, v.Max, 6),
			position: func(x float64) float64 { return nomo.Points(i, x) },
			from:     nomo.Points(i, v.Min),
			to:       nomo.Points(i, v.Max),
		})
	}
	toScale := func(total float64) float64 { return total * 100 / maxTotal }
	axes = append(axes, nomogramAxis{
		name:     "Total points",
		ticks:    niceTicks(0, maxTotal, 8),
		position: toScale,
		from:     0,
		to:       100,
	})
	// Probability labels crowd where the logistic curve is steep, so a
	// label closer than minLabelGap to the previous one is left out.
	var probabilityTicks []plot.Tick
	lastX := math.Inf(-1)
	for _, prob := range nomogramProbabilities {
		total := nomo.TotalForProbability(prob)
		x := toScale(total)
		if total < 0 || total > maxTotal || x-lastX < minLabelGap {
			continue
		}
		probabilityTicks = append(probabilityTicks, plot.Tick{Value: prob, Label: strconv.FormatFloat(prob, 'f', -1, 64)})
		lastX = x
	}
	axes = append(axes, nomogramAxis{
		name:     "Probability",
		ticks:    probabilityTicks,
		position: func(prob float64) float64 { return toScale(nomo.TotalForProbability(prob)) },
		from:     0,
		to:       100,
	})

	// 2. Draw each scale as a row at y = -row.
	p := plot.New()
	p.Title.Text = title
	p.HideX()
	rowTicks := make([]plot.Tick, len(axes))
	for row, axis := range axes {
		y := -float64(row)
		rowTicks[row] = plot.Tick{Value: y, Label: axis.name}
		if err := addNomogramAxis(p, axis, y); err != nil {
			return nil, fmt.Errorf("plots: nomogram scale %q: %w", axis.name, err)
		}
	}

	// 3. Row names on the y axis, without its line and tick marks.
	p.Y.Tick.Marker = plot.ConstantTicks(rowTicks)
	p.Y.Min, p.Y.Max = -float64(len(axes)-1)-0.3, 0.6
	p.Y.LineStyle.Width = 0
	p.Y.Tick.LineStyle.Width = 0
	p.X.Min, p.X.Max = -4, 104
	return p, nil
}

// addNomogramAxis adds the line, tick marks and labels of one scale at
// height y.
func addNomogramAxis(p *plot.Plot, axis nomogramAxis, y float64) error {
	var labelXYs plotter.XYs
	var labels []string
	for _, tick := range axis.ticks {
		x := axis.position(tick.Value)
		height := minorTick
		if !tick.IsMinor() {
			height = majorTick
			labelXYs = append(labelXYs, plotter.XY{X: x, Y: y + majorTick})
			labels = append(labels, tick.Label)
		}
		mark, err := plotter.NewLine(plotter.XYs{{X: x, Y: y}, {X: x, Y: y + height}})
		if err != nil {
			return err
		}
		mark.Color = color.Black
		p.Add(mark)
	}
	line, err := plotter.NewLine(plotter.XYs{{X: axis.from, Y: y}, {X: axis.to, Y: y}})
	if err != nil {
		return err
	}
	line.Width = vg.Points(1)
	p.Add(line)

	if len(labels) == 0 {
		return nil
	}
	names, err := plotter.NewLabels(plotter.XYLabels{XYs: labelXYs, Labels: labels})
	if err != nil {
		return err
	}
	for i := range names.TextStyle {
		names.TextStyle[i].XAlign = text.XCenter
		names.TextStyle[i].YAlign = text.YBottom
		names.TextStyle[i].Font.Size = vg.Points(8)
	}
	names.Offset = vg.Point{Y: vg.Points(1)}
	p.Add(names)
	return nil
}

// niceTicks returns labelled ticks from lo to hi at a step of 1, 2 or 5
// times a power of ten, chosen so that there are about target intervals,
// and an unlabelled tick halfway between neighbouring labels.
func niceTicks(lo, hi float64, target int) []plot.Tick {
	raw := (hi - lo) / float64(target)
	magnitude := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * magnitude
	for _, m := range []float64{1, 2, 5} {
		if m*magnitude >= raw {
			step = m * magnitude
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	start := math.Ceil(lo/step-1e-9) * step
	var ticks []plot.Tick
	for k := 0; ; k++ {
		v := start + float64(k)*step
		if v > hi+step*1e-9 {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if half := v + step/2; half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}
