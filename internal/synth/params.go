package synth

import "fmt"

// Label values of the manifest.
const (
	LabelLipoma = "lipoma"
	LabelWDLPS  = "WDLPS"
	// LabelAuto draws the label with probability LipomaFraction of lipoma.
	LabelAuto = "auto"
)

// LipomaFraction is the share of lipomas in a generated cohort, 69 of 127 in
// the two-centre reference cohort that the demonstration model imitates.
const LipomaFraction = 69.0 / 127.0

// Params sets what Generate writes. Zero values take the defaults of
// DefaultParams.
type Params struct {
	// Out is the output folder of Generate, created when missing. Render
	// ignores it.
	Out string
	// N is the number of studies; Seed makes the output reproducible.
	N    int
	Seed uint64
	// First is the number of the first study (1 by default), so that
	// several runs with the same seed can produce distinct studies.
	First int
	// Label is LabelAuto, LabelLipoma or LabelWDLPS.
	Label string
	// Cohort is written to the manifest's cohort column.
	Cohort string
	// CTMatrix is the CT matrix (rows and columns), CTSlices the number of
	// CT slices of CTSliceThickness millimetres.
	CTMatrix         int
	CTSlices         int
	CTSliceThickness float64
	// MRMatrix is the MR matrix, MRSlices the number of slices per MR series
	// of MRSliceThickness millimetres, with a 20 % gap between slices.
	MRMatrix         int
	MRSlices         int
	MRSliceThickness float64
	// Workers is the number of goroutines that render slices; 0 means
	// runtime.GOMAXPROCS.
	Workers int
}

// DefaultParams returns the defaults: one study, 512 x 512 CT with 40
// slices of 5 mm (about 21 MB), 320 x 320 MR with 30 slices of 5 mm.
func DefaultParams() Params {
	return Params{
		N:                1,
		Seed:             1,
		First:            1,
		Label:            LabelAuto,
		Cohort:           "synthetic",
		CTMatrix:         512,
		CTSlices:         40,
		CTSliceThickness: 5,
		MRMatrix:         320,
		MRSlices:         30,
		MRSliceThickness: 5,
	}
}

// withDefaults fills the zero fields of p from DefaultParams.
func (p Params) withDefaults() Params {
	d := DefaultParams()

	if p.N == 0 {
		p.N = d.N
	}
	if p.First == 0 {
		p.First = d.First
	}
	if p.Label == "" {
		p.Label = d.Label
	}
	if p.Cohort == "" {
		p.Cohort = d.Cohort
	}

	if p.CTMatrix == 0 {
		p.CTMatrix = d.CTMatrix
	}
	if p.CTSlices == 0 {
		p.CTSlices = d.CTSlices
	}
	if p.CTSliceThickness == 0 {
		p.CTSliceThickness = d.CTSliceThickness
	}
	if p.MRMatrix == 0 {
		p.MRMatrix = d.MRMatrix
	}
	if p.MRSlices == 0 {
		p.MRSlices = d.MRSlices
	}
	if p.MRSliceThickness == 0 {
		p.MRSliceThickness = d.MRSliceThickness
	}
	return p
}

// Limits of the generator's sizes: a matrix below 16 cannot show a tumour,
// one above 1024 is beyond clinical CT and MR.
const (
	minMatrix = 16
	maxMatrix = 1024
	minSlices = 3
	maxSlices = 400
)

func (p Params) validate() error {
	if p.N < 0 || p.First < 1 {
		return fmt.Errorf("%w: n %d and first %d must be positive", ErrParams, p.N, p.First)
	}
	switch p.Label {
	case LabelAuto, LabelLipoma, LabelWDLPS:
	default:
		return fmt.Errorf("%w: label %q, want %s, %s or %s", ErrParams, p.Label, LabelAuto, LabelLipoma, LabelWDLPS)
	}
	for _, m := range []int{p.CTMatrix, p.MRMatrix} {
		if m < minMatrix || m > maxMatrix {
			return fmt.Errorf("%w: matrix %d outside %d to %d", ErrParams, m, minMatrix, maxMatrix)
		}
	}
	for _, s := range []int{p.CTSlices, p.MRSlices} {
		if s < minSlices || s > maxSlices {
			return fmt.Errorf("%w: %d slices outside %d to %d", ErrParams, s, minSlices, maxSlices)
		}
	}
	for _, th := range []float64{p.CTSliceThickness, p.MRSliceThickness} {
		if !(th >= 0.5 && th <= 20) {
			return fmt.Errorf("%w: slice thickness %g mm outside 0.5 to 20", ErrParams, th)
		}
	}
	return nil
}
