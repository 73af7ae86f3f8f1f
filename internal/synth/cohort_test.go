package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func quantile(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(math.Round(p*float64(len(s)-1)))]
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestCohortMatchesReference checks the clinical draws against the
// reference cohort of 127 patients: age median 48 (IQR 23), LDH median 160
// U/L (IQR 46) with 13 % above 220 U/L, 54 % lipoma, both variables higher
// with WDLPS. The tolerances allow for the sampling error of 5000 draws and
// the integer rounding of ages and LDH.
func TestCohortMatchesReference(t *testing.T) {
	const n = 5000
	var age, ldh [2][]float64 // [0] lipoma, [1] WDLPS
	var all [2][]float64
	above := 0
	for i := 0; i < n; i++ {
		c := drawCase(rand.New(rand.NewPCG(5, uint64(i))), 5, i, LabelAuto)
		w := 0
		if c.Label == LabelWDLPS {
			w = 1
		}
		age[w] = append(age[w], float64(c.Age))
		ldh[w] = append(ldh[w], c.LDH)
		all[0] = append(all[0], float64(c.Age))
		all[1] = append(all[1], c.LDH)
		if c.LDH > 220 {
			above++
		}
	}
	checks := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"lipoma share", float64(len(age[0])) / n, LipomaFraction, 0.03},
		{"age median", quantile(all[0], 0.5), 48, 2},
		{"age IQR", quantile(all[0], 0.75) - quantile(all[0], 0.25), 23, 3},
		{"LDH median", quantile(all[1], 0.5), 160, 5},
		{"LDH IQR", quantile(all[1], 0.75) - quantile(all[1], 0.25), 46, 5},
		{"LDH share above 220", float64(above) / n, 0.13, 0.025},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.3f, want %.3f within %.3f", c.name, c.got, c.want, c.tol)
		}
	}
	if mean(age[1]) <= mean(age[0]) {
		t.Errorf("mean age WDLPS %.1f not above lipoma %.1f", mean(age[1]), mean(age[0]))
	}
	if mean(ldh[1]) <= mean(ldh[0]) {
		t.Errorf("mean LDH WDLPS %.1f not above lipoma %.1f", mean(ldh[1]), mean(ldh[0]))
	}
}

func TestDrawCaseFixedLabel(t *testing.T) {
	for _, label := range []string{LabelLipoma, LabelWDLPS} {
		for i := 0; i < 50; i++ {
			if c := drawCase(rand.New(rand.NewPCG(1, uint64(i))), 1, i, label); c.Label != label {
				t.Fatalf("drawCase(label %s) = %s", label, c.Label)
			}
		}
	}
}
