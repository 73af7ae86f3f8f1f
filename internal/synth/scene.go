package synth

import (
	"math"
	"math/rand/v2"
)

// scene is the continuous phantom in patient coordinates (LPS,
// millimetres): x to the patient's left, y posterior, z superior. Axial
// slices are planes of constant z.
type scene struct {
	// Body outline: an ellipse of semi-axes rx, ry around the origin that
	// varies slowly with z; skin and subcutaneous fat layers inside it.
	rx, ry, skin, fatLayer float64
	bones                  []bone
	vessels                []circle
	organs                 []ellipse
	// lungs are air-filled lung parenchyma in the trunk.
	lungs []ellipse
	// cavity, when set, is filled with visceral fat around the organs.
	cavity  *ellipse
	tumour  *tumour
	texture texture
}

type circle struct{ x, y, r float64 }

type ellipse struct{ x, y, rx, ry float64 }

// bone is a tubular bone along z with a cortex of the given thickness.
type bone struct {
	circle
	cortex float64
}

// outlineScale returns the factor by which the body outline at height z is
// larger than at z = 0: extremities and trunks taper gently.
func (s *scene) outlineScale(z float64) float64 { return 1 + 0.06*math.Sin(z/90) }

// tissueAt returns the tissue at point p.
func (s *scene) tissueAt(p [3]float64) tissue {
	x, y, z := p[0], p[1], p[2]
	if s.tumour != nil {
		if t, ok := s.tumour.tissueAt(p); ok {
			return t
		}
	}
	f := s.outlineScale(z)
	rx, ry := s.rx*f, s.ry*f
	e := math.Hypot(x/rx, y/ry)
	if e >= 1 {
		return tAir
	}
	// Depth below the skin surface in millimetres, approximated along the
	// ellipse's mean radius.
	depth := (1 - e) * math.Sqrt(rx*ry)
	if depth < s.skin {
		return tSkin
	}
	if depth < s.skin+s.fatLayer {
		return tFat
	}
	for _, b := range s.bones {
		d := math.Hypot(x-b.x, y-b.y)
		if d < b.r {
			if d > b.r-b.cortex {
				return tCortex
			}
			return tMarrow
		}
	}
	for _, v := range s.vessels {
		if math.Hypot(x-v.x, y-v.y) < v.r {
			return tVessel
		}
	}
	for _, o := range s.organs {
		if math.Hypot((x-o.x)/o.rx, (y-o.y)/o.ry) < 1 {
			return tOrgan
		}
	}
	for _, l := range s.lungs {
		if math.Hypot((x-l.x)/l.rx, (y-l.y)/l.ry) < 1 {
			return tLung
		}
	}
	if c := s.cavity; c != nil && math.Hypot((x-c.x)/c.rx, (y-c.y)/c.ry) < 1 {
		return tFat
	}
	return tMuscle
}

// texture is a smooth random field in [-1, 1] made of a few plane waves, used
// to give tissues a low-frequency heterogeneity.
type texture struct {
	k     [6][3]float64
	phase [6]float64
}

func newTexture(rng *rand.Rand, wavelengthMM float64) texture {
	var t texture
	for i := range t.k {
		d := randomUnit(rng)
		f := 2 * math.Pi / (wavelengthMM * (0.6 + 0.8*rng.Float64()))
		t.k[i] = [3]float64{d[0] * f, d[1] * f, d[2] * f}
		t.phase[i] = 2 * math.Pi * rng.Float64()
	}
	return t
}

func (t *texture) at(p [3]float64) float64 {
	sum := 0.0
	for i := range t.k {
		sum += math.Sin(t.k[i][0]*p[0] + t.k[i][1]*p[1] + t.k[i][2]*p[2] + t.phase[i])
	}
	return sum / float64(len(t.k))
}

// randomUnit returns a direction uniformly distributed on the unit sphere.
func randomUnit(rng *rand.Rand) [3]float64 {
	for {
		v := [3]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		n := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
		if n > 1e-9 {
			return [3]float64{v[0] / n, v[1] / n, v[2] / n}
		}
	}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
