package synth

import (
	"errors"
	"testing"
)

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *Params)
		valid  bool
	}{
		{"defaults", func(p *Params) {}, true},
		{"small test sizes", func(p *Params) { p.CTMatrix, p.CTSlices, p.MRMatrix, p.MRSlices = 64, 8, 48, 6 }, true},
		{"negative count", func(p *Params) { p.N = -1 }, false},
		{"unknown label", func(p *Params) { p.Label = "lymphoma" }, false},
		{"tiny CT matrix", func(p *Params) { p.CTMatrix = 8 }, false},
		{"huge MR matrix", func(p *Params) { p.MRMatrix = 2048 }, false},
		{"two slices", func(p *Params) { p.MRSlices = 2 }, false},
		{"zero thickness after defaults", func(p *Params) { p.CTSliceThickness = -1 }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Params{Out: t.TempDir()}
			c.change(&p)
			err := p.withDefaults().validate()
			if c.valid && err != nil {
				t.Fatalf("validate: %v", err)
			}
			if !c.valid && !errors.Is(err, ErrParams) {
				t.Fatalf("validate = %v, want ErrParams", err)
			}
		})
	}
}
