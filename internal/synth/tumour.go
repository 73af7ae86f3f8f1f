package synth

import "math"

// tumour is a lobulated ellipsoid of fat with septa and nodules.
type tumour struct {
	centre [3]float64
	// radii along the rotated axes; axes holds the unit axes as rows.
	radii [3]float64
	axes  [3][3]float64
	lobes []lobe
	septa []septum
	nods  []nodule
}

// lobe perturbs the surface: the boundary's normalised radius is
// 1 + sum of amp*sin(freq*(dir . u) + phase) over the lobes, for a surface
// direction u.
type lobe struct {
	dir              [3]float64
	amp, freq, phase float64
}

// septum is a fibrous sheet: the points within thickness/2 of a wavy plane.
// The thickness varies along the sheet by the factor 1 + irregular*sin(...)
// so that thick septa look nodular and irregular.
type septum struct {
	normal, along         [3]float64
	offset, thickness     float64
	waveAmp, waveFreq     float64
	phase, irregular      float64
	irregularFreq, phase2 float64
}

// nodule is a roughly spherical non-fatty component.
type nodule struct {
	centre          [3]float64
	radius          float64
	bumpAmp, bumpFq float64
}

// maxLobeSum bounds the surface perturbation: a point beyond this
// normalised radius is outside whatever the lobes do.
func (t *tumour) maxLobeSum() float64 {
	s := 1.0
	for _, l := range t.lobes {
		s += math.Abs(l.amp)
	}
	return s
}

// tissueAt returns the tumour tissue at p and true, or false when p is
// outside the tumour.
func (t *tumour) tissueAt(p [3]float64) (tissue, bool) {
	d := sub(p, t.centre)
	var u [3]float64
	for a := 0; a < 3; a++ {
		u[a] = dot(t.axes[a], d) / t.radii[a]
	}
	rho := math.Sqrt(dot(u, u))
	if rho > t.maxLobeSum() {
		return 0, false
	}
	boundary := 1.0
	if rho > 1e-9 {
		dir := [3]float64{u[0] / rho, u[1] / rho, u[2] / rho}
		for _, l := range t.lobes {
			boundary += l.amp * math.Sin(l.freq*dot(l.dir, dir)+l.phase)
		}
	}
	if rho >= boundary {
		return 0, false
	}
	for _, n := range t.nods {
		nd := sub(p, n.centre)
		r := math.Sqrt(dot(nd, nd))
		bump := 1 + n.bumpAmp*math.Sin(n.bumpFq*nd[0]/n.radius)*math.Cos(n.bumpFq*nd[1]/n.radius)
		if r < n.radius*bump {
			return tNodule, true
		}
	}
	for _, s := range t.septa {
		off := dot(s.normal, d) - s.offset + s.waveAmp*math.Sin(s.waveFreq*dot(s.along, d)+s.phase)
		half := 0.5 * s.thickness * (1 + s.irregular*math.Sin(s.irregularFreq*dot(s.along, d)+s.phase2))
		if math.Abs(off) < half {
			return tSeptum, true
		}
	}
	return tTumourFat, true
}
