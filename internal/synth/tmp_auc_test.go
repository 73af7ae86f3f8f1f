package synth

import (
	"testing"
)

func aucOf(pos, neg []float64) float64 {
	s := 0.0
	for _, p := range pos { for _, n := range neg { if p > n { s++ } else if p == n { s += 0.5 } } }
	return s / float64(len(pos)*len(neg))
}

func TestTmpAUC(t *testing.T) {
	p := Params{Out: "x", Seed: 11, CTMatrix: 128, CTSlices: 16, MRMatrix: 96, MRSlices: 12}
	feats := map[string][2][]float64{}
	add := func(name string, wd bool, v float64) {
		f := feats[name]
		if wd { f[0] = append(f[0], v) } else { f[1] = append(f[1], v) }
		feats[name] = f
	}
	for i := 1; i <= 120; i++ {
		st, err := Render(p, i)
		if err != nil { t.Fatal(err) }
		wd := st.Case.Label == LabelWDLPS
		ct := st.Series[RoleCT]
		n, sum, nonfat := 0, 0.0, 0
		for j, m := range ct.Mask.Data { if m != 0 { n++; sum += float64(ct.Image.Data[j]); if ct.Image.Data[j] > -30 { nonfat++ } } }
		add("ct_mean", wd, sum/float64(n)); add("ct_nonfat", wd, float64(nonfat)/float64(n)); add("volume", wd, float64(n))
		t2 := st.Series[RoleT2FS]
		n, sum = 0, 0
		for j, m := range t2.Mask.Data { if m != 0 { n++; sum += float64(t2.Image.Data[j]) } }
		add("t2_mean", wd, sum/float64(n))
		add("age", wd, float64(st.Case.Age)); add("ldh", wd, st.Case.LDH)
	}
	for k, f := range feats { t.Logf("%s: AUC %.3f (n wd %d, lip %d)", k, aucOf(f[0], f[1]), len(f[0]), len(f[1])) }
}
