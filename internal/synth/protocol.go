package synth

import (
	"math"
	"math/rand/v2"
)

// Series roles and their folder names.
const (
	RoleCT   = "CT"
	RoleT1WI = "T1WI"
	RoleT2FS = "T2FS"
)

// Roles lists the image series of every study, in writing order.
var Roles = []string{RoleCT, RoleT1WI, RoleT2FS}

// contrast holds a series' intensity model: for each tissue a mean value
// and the amplitude of its low-frequency texture, in modality units
// (Hounsfield units for CT, arbitrary signal units for MR).
type contrast struct {
	mean    [numTissues]float64
	texture [numTissues]float64
	// noise is the standard deviation of the white noise; MR noise is
	// Rician (added to the real and imaginary channels).
	noise float64
	// bias is the peak relative amplitude of the MR receive bias field.
	bias [4]float64
}

// ctContrast returns the venous-phase contrast-enhanced CT model for case c.
// Unenhanced fat is about -100 HU and muscle 40 to 60 HU; enhancing tissue
// reaches 80 to 150 HU.
func ctContrast(rng *rand.Rand, c Case) contrast {
	sev, pos := c.Severity, math.Max(c.Severity, 0)
	enh := 0.8 + 0.4*rng.Float64()
	var m contrast
	m.mean = [numTissues]float64{
		tAir:       -1000,
		tSkin:      30,
		tFat:       -105 + 6*rng.NormFloat64(),
		tMuscle:    48 + 6*rng.Float64(),
		tCortex:    1100 + 150*rng.Float64(),
		tMarrow:    60 + 60*rng.Float64(),
		tVessel:    140 + 80*enh,
		tOrgan:     45 + 70*enh,
		tLung:      -850,
		tTumourFat: -100 + 3.5*sev + 4*rng.NormFloat64(),
		tSeptum:    25 + 14*pos*enh + 8*rng.NormFloat64(),
		tNodule:    clamp(70+18*sev+15*rng.NormFloat64(), 40, 160),
	}
	m.texture = [numTissues]float64{tFat: 6, tMuscle: 8, tOrgan: 10, tTumourFat: 4 + 2*pos, tSeptum: 10, tNodule: 20, tMarrow: 30, tLung: 40}
	m.noise = 9 + 5*rng.Float64()
	return m
}

// t1Contrast returns the T1-weighted spin-echo model: fat bright, muscle
// intermediate, septa and nodules close to muscle.
func t1Contrast(rng *rand.Rand, c Case) contrast {
	gain := 0.8 + 0.45*rng.Float64()
	var m contrast
	m.mean = [numTissues]float64{
		tAir:       0,
		tSkin:      320,
		tFat:       1000,
		tMuscle:    360,
		tCortex:    25,
		tMarrow:    820,
		tVessel:    110,
		tOrgan:     480,
		tLung:      30,
		tTumourFat: 985 - 12*c.Severity,
		tSeptum:    380,
		tNodule:    400 + 40*rng.NormFloat64(),
	}
	m.texture = [numTissues]float64{tFat: 25, tMuscle: 20, tOrgan: 25, tTumourFat: 20, tSeptum: 30, tNodule: 40, tMarrow: 40}
	for i := range m.mean {
		m.mean[i] *= gain
		m.texture[i] *= gain
	}
	m.noise = 18 * gain
	m.bias = randomBias(rng)
	return m
}

// t2fsContrast returns the fat-suppressed T2-weighted model: fat dark,
// fluid-rich tissue bright; WDLPS septa and nodules are bright.
func t2fsContrast(rng *rand.Rand, c Case) contrast {
	sev, pos := c.Severity, math.Max(c.Severity, 0)
	gain := 0.8 + 0.45*rng.Float64()
	var m contrast
	m.mean = [numTissues]float64{
		tAir:       0,
		tSkin:      260,
		tFat:       95,
		tMuscle:    190,
		tCortex:    15,
		tMarrow:    120,
		tVessel:    420,
		tOrgan:     520,
		tLung:      25,
		tTumourFat: 100 + 15*pos + 10*rng.NormFloat64(),
		tSeptum:    230 + 90*pos + 30*rng.NormFloat64(),
		tNodule:    clamp(620+110*sev+80*rng.NormFloat64(), 300, 1300),
	}
	m.texture = [numTissues]float64{tFat: 10, tMuscle: 15, tOrgan: 30, tTumourFat: 12, tSeptum: 40, tNodule: 90, tMarrow: 15}
	for i := range m.mean {
		m.mean[i] *= gain
		m.texture[i] *= gain
	}
	m.noise = 12 * gain
	m.bias = randomBias(rng)
	return m
}

// randomBias draws the coefficients of a smooth multiplicative bias field
// 1 + b0*x + b1*y + b2*x*y + b3*(x^2+y^2) over coordinates normalised to
// [-1, 1] across the field of view.
func randomBias(rng *rand.Rand) [4]float64 {
	return [4]float64{
		0.15 * (2*rng.Float64() - 1),
		0.15 * (2*rng.Float64() - 1),
		0.08 * (2*rng.Float64() - 1),
		-0.2 * rng.Float64(),
	}
}

func (m *contrast) biasAt(u, v float64) float64 {
	return 1 + m.bias[0]*u + m.bias[1]*v + m.bias[2]*u*v + m.bias[3]*(u*u+v*v)
}
