package plots

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ErrNoData is returned when a plot is requested without any series.
var ErrNoData = errors.New("plots: no data to plot")

// DPI is the resolution of the PNG images.
const DPI = 150

// Default figure sizes.
const (
	// SquareSize is the width and height of ROC, precision-recall and
	// calibration plots.
	SquareSize = 4.5 * vg.Inch
	// WideWidth and WideHeight are the size of decision curves and
	// nomograms.
	WideWidth  = 6.5 * vg.Inch
	WideHeight = 4.5 * vg.Inch
)

// PNG renders p at width x height and DPI dots per inch and returns the PNG
// bytes.
func PNG(p *plot.Plot, width, height vg.Length) ([]byte, error) {
	if width <= 0 || height <= 0 {
		return nil, fmt.Errorf("plots: invalid size %v x %v", width, height)
	}
	canvas := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))
	p.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// WritePNG renders p as PNG into the file at path, replacing it.
func WritePNG(p *plot.Plot, width, height vg.Length, path string) error {
	data, err := PNG(p, width, height)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}
