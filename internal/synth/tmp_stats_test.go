package synth

import (
	"math/rand/v2"
	"sort"
	"testing"
)

func q(v []float64, p float64) float64 { s := append([]float64(nil), v...); sort.Float64s(s); return s[int(p*float64(len(s)-1))] }

func TestTmpStats(t *testing.T) {
	var age, ldh []float64
	lip, hi, deep := 0, 0, 0
	loc := map[string]int{}
	for i := 0; i < 20000; i++ {
		c := drawCase(rand.New(rand.NewPCG(3, uint64(i))), 3, i, LabelAuto)
		age = append(age, float64(c.Age)); ldh = append(ldh, c.LDH)
		if c.Label == LabelLipoma { lip++ }
		if c.LDH > 220 { hi++ }
		if c.Deep { deep++ }
		loc[c.Location]++
	}
	t.Logf("age median %.1f IQR %.1f; LDH median %.1f IQR %.1f; >220 %.3f; lipoma %.3f deep %.3f loc %v", q(age, .5), q(age, .75)-q(age, .25), q(ldh, .5), q(ldh, .75)-q(ldh, .25), float64(hi)/20000, float64(lip)/20000, float64(deep)/20000, loc)
}
