package radiomics

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/mdm2node/mdm2node/series/volume"
)

// For a row of three pixels the marching-squares outline is the hexagon
// (-0.5,0) (0,-0.5) (2,-0.5) (2.5,0) (2,0.5) (0,0.5) in pixel units.
func TestShape2DRowOfThree(t *testing.T) {
	const tol = 1e-12
	su, sw := 0.5, 2.0
	in := []bool{true, true, true}
	f, err := shape2DFeatures([3]int{3, 1, 1}, [3]float64{su, sw, 3}, in, 0)
	if err != nil {
		t.Fatal(err)
	}
	edge := math.Hypot(0.5*su, 0.5*sw)
	want := map[string]float64{
		"MeshSurface":     2.5 * su * sw,
		"PixelSurface":    3 * su * sw,
		"Perimeter":       2*2*su + 4*edge,
		"MaximumDiameter": math.Max(3*su, math.Hypot(2*su, sw)),
		"MajorAxisLength": 4 * math.Sqrt(2.0/3) * su,
		"MinorAxisLength": 0,
		"Elongation":      0,
	}
	for k, w := range want {
		if math.Abs(f[k]-w) > tol {
			t.Errorf("%s = %v, want %v", k, f[k], w)
		}
	}
	if s := f["Sphericity"]; math.Abs(s-2*math.Sqrt(math.Pi*want["MeshSurface"])/want["Perimeter"]) > tol {
		t.Errorf("Sphericity = %v", s)
	}
}

func TestShape2DNeedsSingleSlice(t *testing.T) {
	img, mask := synthetic([3]int{20, 18, 8}, [3]int{5, 5, 2}, [3]int{12, 12, 5})
	p := Params{Setting: DefaultSettings(), ImageType: map[string]ImageType{"Original": {}},
		FeatureClass: map[string][]string{"shape2D": nil}}
	p.Setting.Force2D = true
	if _, err := Extract(context.Background(), img, mask, p); !errors.Is(err, ErrSettings) {
		t.Errorf("thick region: error %v, want ErrSettings", err)
	}

	// One slice of the same region works and gives nine features.
	one := &volume.Mask{Geometry: mask.Geometry, Data: make([]uint8, len(mask.Data))}
	for y := 5; y <= 12; y++ {
		for x := 5; x <= 12; x++ {
			one.Data[one.Index(x, y, 3)] = 1
		}
	}
	p.Setting.MinimumROIDimensions = 2
	res, err := Extract(context.Background(), img, one, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Names) != 9 {
		t.Errorf("%d shape2D features, want 9", len(res.Names))
	}
	// An 8 x 8 square of 0.8 mm pixels: marching squares cuts each corner
	// by a triangle of half a pixel's legs.
	area, _ := res.Value("original_shape2D_MeshSurface")
	if want := (64 - 4*0.125) * 0.8 * 0.8; math.Abs(area-want) > 1e-9 {
		t.Errorf("MeshSurface = %v, want %v", area, want)
	}
}
