package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Case is the clinical and morphological description of one synthetic
// patient, drawn before any image is rendered.
type Case struct {
	// Number is the study's number within the run (Params.First onwards);
	// ID is the study folder name and the base of the patient identity.
	Number int
	ID     string
	// Label is LabelLipoma or LabelWDLPS.
	Label string
	// Age in years at the study date; LDH is serum lactate dehydrogenase in
	// U/L.
	Age int
	LDH float64
	Sex string
	// Location is "extremity", "trunk" or "abdomen"; Deep is true for a
	// subfascial tumour.
	Location string
	Deep     bool
	// Severity is the latent score that drives the tumour's morphology:
	// about N(0, 1) for lipomas and N(severityShift, 1) for WDLPS.
	Severity float64
}

// severityShift is the mean latent severity of WDLPS in units of the
// within-class standard deviation. With shift d two normal classes separate
// with AUC Phi(d/sqrt 2), about 0.89 for 1.7. That is the ceiling for a
// model of the image features, because they depend on the score and on
// noise. The location depends on the label itself and adds a little.
const severityShift = 1.7

// Clinical distributions. The reference cohort (127 patients) had age median
// 48 years with IQR 23 and LDH median 160 U/L with IQR 46, 13 % above 220
// U/L, both higher with WDLPS. The class-wise parameters below were tuned
// so that a cohort of both classes matches those figures. docs/SYNTH.md
// lists the values measured on generated cohorts.
const (
	ageLipomaMean = 45.0
	ageWDLPSMean  = 52.0
	ageSD         = 16.5
	minAge        = 18
	maxAge        = 88

	ldhLipomaMedian = 145.0
	ldhWDLPSMedian  = 163.0
	ldhLogSD        = 0.15
	// A minority has raised LDH from unrelated causes; it forms the upper
	// tail that a single log-normal does not give.
	ldhTailLipoma  = 0.15
	ldhTailWDLPS   = 0.24
	ldhTailMedian  = 1.55
	ldhTailLogSD   = 0.12
	minLDH, maxLDH = 90.0, 600.0
)

// drawCase draws one case from rng. label is LabelAuto or a fixed label.
func drawCase(rng *rand.Rand, seed uint64, number int, label string) Case {
	c := Case{Number: number, ID: fmt.Sprintf("S%d-%04d", seed, number)}

	// 1. Label and latent severity.
	c.Label = label
	if label == LabelAuto {
		c.Label = LabelWDLPS
		if rng.Float64() < LipomaFraction {
			c.Label = LabelLipoma
		}
	}
	wdlps := c.Label == LabelWDLPS
	c.Severity = rng.NormFloat64()
	if wdlps {
		c.Severity += severityShift
	}

	// 2. Clinical variables.
	ageMean, ldhMedian, ldhTail := ageLipomaMean, ldhLipomaMedian, ldhTailLipoma
	if wdlps {
		ageMean, ldhMedian, ldhTail = ageWDLPSMean, ldhWDLPSMedian, ldhTailWDLPS
	}
	c.Age = int(math.Round(clamp(ageMean+ageSD*rng.NormFloat64(), minAge, maxAge)))
	ldh := ldhMedian * math.Exp(ldhLogSD*rng.NormFloat64())
	if rng.Float64() < ldhTail {
		ldh *= ldhTailMedian * math.Exp(ldhTailLogSD*rng.NormFloat64())
	}
	c.LDH = math.Round(clamp(ldh, minLDH, maxLDH))
	c.Sex = "F"
	if rng.Float64() < 0.5 {
		c.Sex = "M"
	}

	// 3. Location and depth: WDLPS are more often deep and retroperitoneal.
	// The class-wise shares give the reference cohort's 48 % extremity,
	// 32 % trunk and 20 % abdomen or retroperitoneum for a 54 % lipoma mix.
	abdomen, trunk := 0.10, 0.50
	if wdlps {
		abdomen, trunk = 0.30, 0.52
	}
	u := rng.Float64()
	switch {
	case u < abdomen:
		c.Location = "abdomen"
	case u < trunk:
		c.Location = "trunk"
	default:
		c.Location = "extremity"
	}
	c.Deep = c.Location == "abdomen" || rng.Float64() < sigmoid(1.3*(c.Severity-0.2)+1.4)
	return c
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
