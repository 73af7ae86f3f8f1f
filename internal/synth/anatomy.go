package synth

import (
	"math"
	"math/rand/v2"
)

// morphology summarises the drawn tumour for the manifest.
type morphology struct {
	// LongestMM is the longest diameter of the underlying ellipsoid.
	LongestMM float64
	Septa     int
	Nodules   int
}

// buildScene draws the body and the tumour of case c. maxHalfZ bounds the
// tumour's craniocaudal semi-axis so that every series covers it.
func buildScene(rng *rand.Rand, c Case, maxHalfZ float64) (*scene, morphology) {
	s := &scene{skin: 1.5 + rng.Float64()}
	var anchor circle

	// 1. Body part with its bones, vessels and organs.
	switch c.Location {
	case "extremity":
		s.rx = 70 + 25*rng.Float64()
		s.ry = s.rx * (0.85 + 0.15*rng.Float64())
		s.fatLayer = 8 + 17*rng.Float64()
		femur := bone{circle{x: -10 + 20*rng.Float64(), y: -5 + 20*rng.Float64(), r: 13 + 3*rng.Float64()}, 4 + 2*rng.Float64()}
		s.bones = []bone{femur}
		s.vessels = []circle{{femur.x + 14, femur.y - 22, 4}, {femur.x + 20, femur.y - 18, 3}}
		anchor = femur.circle
	case "trunk":
		s.rx = 150 + 30*rng.Float64()
		s.ry = 95 + 25*rng.Float64()
		s.fatLayer = 12 + 23*rng.Float64()
		spine := bone{circle{x: 0, y: s.ry * 0.55, r: 18}, 2.5}
		s.bones = []bone{spine}
		s.vessels = []circle{{8, s.ry * 0.22, 11}}
		s.lungs = []ellipse{{-0.3 * s.rx, -0.05 * s.ry, 0.25 * s.rx, 0.45 * s.ry}, {0.3 * s.rx, -0.05 * s.ry, 0.25 * s.rx, 0.45 * s.ry}}
		anchor = spine.circle
	default: // abdomen
		s.rx = 145 + 30*rng.Float64()
		s.ry = 110 + 25*rng.Float64()
		s.fatLayer = 15 + 25*rng.Float64()
		spine := bone{circle{x: 0, y: s.ry * 0.45, r: 20}, 2.5}
		s.bones = []bone{spine}
		s.vessels = []circle{{12, s.ry * 0.2, 10}, {-22, s.ry * 0.2, 11}}
		s.organs = []ellipse{{60, s.ry * 0.35, 28, 22}, {-60, s.ry * 0.35, 28, 22}}
		for i := 0; i < 3+rng.IntN(3); i++ {
			s.organs = append(s.organs, ellipse{-70 + 140*rng.Float64(), -s.ry*0.5 + 0.5*s.ry*rng.Float64(), 12 + 15*rng.Float64(), 10 + 12*rng.Float64()})
		}
		s.cavity = &ellipse{0, -0.1 * s.ry, 0.72 * s.rx, 0.6 * s.ry}
		anchor = spine.circle
	}
	s.texture = newTexture(rng, 25)

	// 2. Tumour size and shape from the latent severity.
	sev := c.Severity
	pos := math.Max(sev, 0)
	inPlane := 27.5 * math.Exp(0.22*sev+0.3*rng.NormFloat64()) // semi-axis, mm
	inPlane = clamp(inPlane, 8, 90)
	elong := 1.2 + 0.6*rng.Float64()
	halfZ := math.Min(inPlane*elong, maxHalfZ)
	t := &tumour{}
	flatten := 1.0
	if !c.Deep {
		flatten = 0.55 + 0.2*rng.Float64()
	}
	t.radii = [3]float64{inPlane * flatten, inPlane, halfZ}

	// 3. Placement: deep tumours lie beside the anchor bone, superficial
	// ones in the subcutaneous fat, which thickens around them up to
	// maxSuperficialFat. The body grows to hold the tumour.
	theta := 2 * math.Pi * rng.Float64()
	if c.Location == "abdomen" {
		theta = math.Pi + math.Pi*rng.Float64() // anterior half (y < 0)
	}
	dir := [3]float64{math.Cos(theta), math.Sin(theta), 0}
	t.axes = [3][3]float64{dir, {-dir[1], dir[0], 0}, {0, 0, 1}}
	var centreDist float64
	if c.Deep {
		centreDist = anchor.r + 4 + t.radii[0]
		t.centre = [3]float64{anchor.x + centreDist*dir[0], anchor.y + centreDist*dir[1], 0}
	} else {
		s.fatLayer = math.Max(s.fatLayer, math.Min(2*t.radii[0]+6, maxSuperficialFat))
		reach := s.surfaceDistance(dir) - s.skin - 0.5*s.fatLayer
		t.centre = [3]float64{reach * dir[0], reach * dir[1], 0}
		centreDist = math.Hypot(t.centre[0]-anchor.x, t.centre[1]-anchor.y)
		if centreDist < anchor.r+4+t.radii[0] {
			// A large superficial tumour would reach the bone, so move it out.
			shift := anchor.r + 4 + t.radii[0] - centreDist
			t.centre[0] += shift * dir[0]
			t.centre[1] += shift * dir[1]
		}
	}
	margin := s.skin + 2
	if c.Deep {
		margin = s.skin + s.fatLayer + 3
	}
	s.fitBody(t, margin)

	// 4. Lobulation, septa and nodules.
	for i := 0; i < 3+rng.IntN(3); i++ {
		t.lobes = append(t.lobes, lobe{dir: randomUnit(rng), amp: 0.025 + 0.02*pos*rng.Float64(), freq: 2 + 3*rng.Float64(), phase: 2 * math.Pi * rng.Float64()})
	}
	nSepta := int(math.Round(clamp(0.8+1.0*sev+0.8*rng.NormFloat64(), 0, 7)))
	for i := 0; i < nSepta; i++ {
		// Septa run mostly craniocaudally, as sheets along the tumour's
		// long axis, so their normals lie close to the axial plane.
		phi := 2 * math.Pi * rng.Float64()
		nz := 0.3 * (2*rng.Float64() - 1)
		nxy := math.Sqrt(1 - nz*nz)
		n := [3]float64{nxy * math.Cos(phi), nxy * math.Sin(phi), nz}
		along := [3]float64{-math.Sin(phi), math.Cos(phi), 0}
		if rng.Float64() < 0.5 {
			along = [3]float64{0, 0, 1}
		}
		t.septa = append(t.septa, septum{
			normal:        n,
			along:         along,
			offset:        (rng.Float64()*1.4 - 0.7) * inPlane,
			thickness:     clamp(1.2*math.Exp(0.35*sev+0.25*rng.NormFloat64()), 0.6, 8),
			waveAmp:       1 + 1.5*pos*rng.Float64(),
			waveFreq:      2 * math.Pi / (20 + 20*rng.Float64()),
			phase:         2 * math.Pi * rng.Float64(),
			irregular:     clamp(0.1+0.15*sev+0.1*rng.NormFloat64(), 0, 0.6),
			irregularFreq: 2 * math.Pi / (8 + 10*rng.Float64()),
			phase2:        2 * math.Pi * rng.Float64(),
		})
	}
	nNodules := poisson(rng, 2.5*sigmoid(2*(sev-1.6)))
	for i := 0; i < nNodules; i++ {
		u := randomUnit(rng)
		r := 0.6 * math.Cbrt(rng.Float64())
		var off [3]float64
		for a := 0; a < 3; a++ {
			off[a] += u[0]*r*t.radii[0]*t.axes[0][a] + u[1]*r*t.radii[1]*t.axes[1][a] + u[2]*r*t.radii[2]*t.axes[2][a]
		}
		t.nods = append(t.nods, nodule{
			centre:  [3]float64{t.centre[0] + off[0], t.centre[1] + off[1], t.centre[2] + off[2]},
			radius:  clamp(4+3*pos+3*rng.NormFloat64(), 3, 0.4*math.Min(t.radii[0], t.radii[2])),
			bumpAmp: 0.1 + 0.15*rng.Float64(),
			bumpFq:  2 + 2*rng.Float64(),
		})
	}
	s.tumour = t
	longest := 2 * math.Max(math.Max(t.radii[0], t.radii[1]), t.radii[2])
	return s, morphology{LongestMM: math.Round(longest*10) / 10, Septa: nSepta, Nodules: nNodules}
}

// surfaceDistance returns the distance from the origin to the body outline
// at z = 0 along the in-plane unit direction dir.
func (s *scene) surfaceDistance(dir [3]float64) float64 {
	return 1 / math.Hypot(dir[0]/s.rx, dir[1]/s.ry)
}

// maxSuperficialFat is the thickest subcutaneous fat layer, in millimetres,
// that a superficial tumour gets around it. A larger tumour reaches into the
// muscle below.
const maxSuperficialFat = 45.0

// fitBody enlarges the body outline so that the tumour lies at least margin
// millimetres below the surface in the plane z = 0.
func (s *scene) fitBody(t *tumour, margin float64) {
	reach := 0.0
	for _, sign := range []float64{1, -1} {
		for a := 0; a < 2; a++ {
			r := t.radii[a] * t.maxLobeSum()
			x := t.centre[0] + sign*(r+margin)*t.axes[a][0]
			y := t.centre[1] + sign*(r+margin)*t.axes[a][1]
			reach = math.Max(reach, math.Hypot(x/s.rx, y/s.ry))
		}
	}
	if reach > 1 {
		s.rx *= reach
		s.ry *= reach
		if s.cavity != nil {
			s.cavity.rx *= reach
			s.cavity.ry *= reach
		}
	}
}

// poisson draws a Poisson count with mean lambda by Knuth's method, which
// is fine for the small means used here.
func poisson(rng *rand.Rand, lambda float64) int {
	limit, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}
