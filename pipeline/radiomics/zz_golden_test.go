package radiomics

// Temporary: bit-exact comparison of outputs before and after the speed work.

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

func TestZZGolden(t *testing.T) {
	path := os.Getenv("GOLDEN")
	if path == "" {
		t.Skip()
	}
	all := func(p *Params) {
		for c := range p.FeatureClass {
			cl := classes[c]
			p.FeatureClass[c] = append(append([]string(nil), cl.active...), cl.deprecated...)
		}
	}
	brainImg, brainMask := loadBrain1(t)
	ctImg, ctMask := benchCT()
	mrImg, mrMask := benchMR()
	type cs struct {
		name string
		set  func(p *Params)
		ct   int
	}
	cases := []cs{
		{"ct", func(p *Params) {}, 1},
		{"mr", func(p *Params) {}, 2},
		{"brain", func(p *Params) {}, 0},
		{"brainall", func(p *Params) {
			all(p)
			p.ImageType["LoG"] = ImageType{Sigma: []float64{1, 2.5}}
			p.Setting.BinCount = 32
			p.Setting.Distances = []int{1, 2}
			p.Setting.SymmetricalGLCM = false
			p.Setting.GLDMA = 1
		}, 0},
		{"brainweight", func(p *Params) { all(p); p.Setting.WeightingNorm = "euclidean"; p.Setting.Distances = []int{1, 3} }, 0},
		{"brainweight2", func(p *Params) { p.Setting.WeightingNorm = "no_weighting" }, 0},
		{"brain2d", func(p *Params) {
			all(p)
			p.Setting.Force2D = true
		}, 0},
		{"brain2dx", func(p *Params) {
			p.Setting.Force2D = true
			p.Setting.Force2DDimension = 2
		}, 0},
		{"brainres", func(p *Params) {
			p.Setting.ResampledPixelSpacing = []float64{2, 2, 2}
			p.Setting.ResegmentRange = []float64{-3, 3}
			p.Setting.ResegmentMode = "sigma"
		}, 0},
		{"brainnorm", func(p *Params) { p.Setting.Normalize = true; p.Setting.NormalizeScale = 100; p.Setting.BinWidth = 5 }, 0},
		{"mrbins", func(p *Params) { p.Setting.BinWidth = 8; p.Setting.Distances = []int{1, 2} }, 2},
		{"negalpha", func(p *Params) { p.Setting.GLDMA = -1.5 }, 0},
		{"flat", func(p *Params) { p.Setting.ResegmentRange = []float64{0}; p.Setting.BinWidth = 5000 }, 0},
	}
	var sb strings.Builder
	for _, c := range cases {
		p := DefaultParams()
		c.set(&p)
		img, mask := brainImg, brainMask
		switch c.ct {
		case 1:
			img, mask = ctImg, ctMask
		case 2:
			img, mask = mrImg, mrMask
		}
		res, err := Extract(context.Background(), img, mask, p)
		if err != nil {
			fmt.Fprintf(&sb, "%s error %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(&sb, "%s diag %v %v %v %v %v\n", c.name, res.VoxelCount, res.ShapeVoxelCount, res.BoundingBox, res.Spacing, res.ImageTypes)
		for i, n := range res.Names {
			fmt.Fprintf(&sb, "%s %s %016x %v\n", c.name, n, math.Float64bits(res.Values[i]), res.Values[i])
		}
	}
	got := sb.String()
	if os.Getenv("GOLDEN_WRITE") != "" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		os.WriteFile(path+".got", []byte(got), 0o644)
		t.Fatalf("outputs differ from %s (see %s.got)", path, path)
	}
}
