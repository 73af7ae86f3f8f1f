package plots

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/mdm2node/mdm2node/report/stats"
)

// Hand-written labels and probabilities of two models on one cohort of 20.
var (
	testLabels = []bool{
		true, false, true, true, false, false, true, false, false, true,
		false, true, true, false, false, true, false, true, false, false,
	}
	modelA = []float64{
		0.91, 0.12, 0.78, 0.45, 0.38, 0.05, 0.66, 0.33, 0.21, 0.87,
		0.58, 0.62, 0.73, 0.27, 0.61, 0.49, 0.08, 0.95, 0.44, 0.3,
	}
	modelB = []float64{
		0.7, 0.4, 0.5, 0.6, 0.5, 0.3, 0.55, 0.45, 0.35, 0.65,
		0.6, 0.5, 0.45, 0.4, 0.52, 0.58, 0.2, 0.8, 0.5, 0.42,
	}
)

// minInkPixels is the minimum number of non-white pixels expected of a
// figure with axes, labels and a curve at the test's sizes. An empty or
// failed rendering has none.
const minInkPixels = 5000

func TestPlotsRenderPNG(t *testing.T) {
	builders := map[string]struct {
		build         func(t *testing.T) (*plot.Plot, error)
		width, height vg.Length
	}{
		"roc":         {buildROC, SquareSize, SquareSize},
		"pr":          {buildPR, SquareSize, SquareSize},
		"calibration": {buildCalibration, SquareSize, SquareSize},
		"decision":    {buildDecision, WideWidth, WideHeight},
		"nomogram":    {buildNomogram, WideWidth, WideHeight},
	}
	dir := t.TempDir()
	if out := os.Getenv("PLOTS_OUT"); out != "" {
		dir = out
	}
	for name, b := range builders {
		t.Run(name, func(t *testing.T) {
			p, err := b.build(t)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name+".png")
			if err := WritePNG(p, b.width, b.height, path); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			wantW := int(float64(b.width/vg.Inch)*DPI + 0.5)
			wantH := int(float64(b.height/vg.Inch)*DPI + 0.5)
			if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
				t.Errorf("size = %v, want %dx%d", got, wantW, wantH)
			}
			if ink := inkPixels(img); ink < minInkPixels {
				t.Errorf("%d non-white pixels, want at least %d", ink, minInkPixels)
			}
		})
	}
}

func inkPixels(img image.Image) int {
	var n int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return n
}

func buildROC(t *testing.T) (*plot.Plot, error) {
	a, err := stats.ROC(testLabels, modelA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stats.ROC(testLabels, modelB)
	if err != nil {
		t.Fatal(err)
	}
	return ROC("ROC, validation", []ROCSeries{{"model A", a}, {"model B", b}})
}

func buildPR(t *testing.T) (*plot.Plot, error) {
	a, err := stats.PrecisionRecall(testLabels, modelA)
	if err != nil {
		t.Fatal(err)
	}
	return PrecisionRecall("Precision-recall", []PRSeries{{"model A", a}})
}

func buildCalibration(t *testing.T) (*plot.Plot, error) {
	a, err := stats.CalibrationCurve(testLabels, modelA, 5, stats.Uniform)
	if err != nil {
		t.Fatal(err)
	}
	return Calibration("Calibration", []CalibrationSeries{{"model A", a}})
}

func buildDecision(t *testing.T) (*plot.Plot, error) {
	grid, err := stats.ThresholdGrid(0.01, 0.99, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	a, err := stats.NetBenefit(testLabels, modelA, grid)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stats.NetBenefit(testLabels, modelB, grid)
	if err != nil {
		t.Fatal(err)
	}
	return DecisionCurve("Decision curve", []DecisionSeries{{"model A", a}, {"model B", b}})
}

func buildNomogram(t *testing.T) (*plot.Plot, error) {
	nomo, err := stats.NewNomogram(-6.2, []stats.NomogramVariable{
		{Name: "deep signature", Coefficient: 4.1, Min: -1.5, Max: 2.5},
		{Name: "age (years)", Coefficient: 0.04, Min: 20, Max: 85},
		{Name: "LDH (U/L)", Coefficient: 0.012, Min: 100, Max: 320},
	})
	if err != nil {
		t.Fatal(err)
	}
	return Nomogram("Nomogram", nomo)
}

func TestPlotsRejectNoData(t *testing.T) {
	calls := map[string]func() error{
		"roc":         func() error { _, err := ROC("x", nil); return err },
		"pr":          func() error { _, err := PrecisionRecall("x", nil); return err },
		"calibration": func() error { _, err := Calibration("x", nil); return err },
		"decision":    func() error { _, err := DecisionCurve("x", nil); return err },
		"nomogram":    func() error { _, err := Nomogram("x", nil); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNoData) {
			t.Errorf("%s: err = %v, want ErrNoData", name, err)
		}
	}
}

func TestPRStepsArea(t *testing.T) {
	// The area under the drawn steps equals the average precision.
	curve, err := stats.PrecisionRecall(testLabels, modelA)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := prSteps(curve)
	var area float64
	for k := 1; k < len(xs); k++ {
		area += (xs[k] - xs[k-1]) * ys[k]
	}
	ap, err := stats.AveragePrecision(testLabels, modelA)
	if err != nil {
		t.Fatal(err)
	}
	if d := area - ap; d > 1e-12 || d < -1e-12 {
		t.Errorf("area = %v, AP = %v", area, ap)
	}
}
