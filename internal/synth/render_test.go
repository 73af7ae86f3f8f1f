package synth

import (
	"slices"
	"testing"
)

func TestRenderIsDeterministic(t *testing.T) {
	p := smallParams("unused", 9)
	a, err := Render(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	p.Workers = 1 // another slice order must give the same result
	b, err := Render(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Render(p, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range Roles {
		if !slices.Equal(a.Series[role].Image.Data, b.Series[role].Image.Data) {
			t.Errorf("%s image differs between runs", role)
		}
		if !slices.Equal(a.Series[role].Mask.Data, b.Series[role].Mask.Data) {
			t.Errorf("%s mask differs between runs", role)
		}
		if slices.Equal(a.Series[role].Image.Data, c.Series[role].Image.Data) {
			t.Errorf("%s image of studies 2 and 3 is the same", role)
		}
	}
}

// tumourStats returns the mean value inside the mask and the share of
// region voxels above threshold.
func tumourStats(s *Series, threshold float32) (mean, above float64) {
	n := 0
	for i, m := range s.Mask.Data {
		if m == 0 {
			continue
		}
		n++
		mean += float64(s.Image.Data[i])
		if s.Image.Data[i] > threshold {
			above++
		}
	}
	return mean / float64(n), above / float64(n)
}

// auc returns the probability that a value of pos exceeds one of neg (ties
// count half), the Mann-Whitney form of the ROC AUC.
func auc(pos, neg []float64) float64 {
	s := 0.0
	for _, p := range pos {
		for _, n := range neg {
			switch {
			case p > n:
				s++
			case p == n:
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

// TestClassesDifferButOverlap renders lipomas and WDLPS and checks that the
// CT share of non-fatty voxels (above -30 HU) and the T2FS signal are
// higher with WDLPS on average, while the classes still overlap.
func TestClassesDifferButOverlap(t *testing.T) {
	const perClass = 14
	p := Params{Out: "unused", Seed: 21, CTMatrix: 64, CTSlices: 10, MRMatrix: 48, MRSlices: 8, Workers: 2}
	feature := map[string]map[string][]float64{"ct_nonfat": {}, "t2fs_mean": {}}
	for _, label := range []string{LabelLipoma, LabelWDLPS} {
		p.Label = label
		for i := 1; i <= perClass; i++ {
			st, err := Render(p, i)
			if err != nil {
				t.Fatal(err)
			}
			_, nonfat := tumourStats(st.Series[RoleCT], -30)
			t2, _ := tumourStats(st.Series[RoleT2FS], 0)
			feature["ct_nonfat"][label] = append(feature["ct_nonfat"][label], nonfat)
			feature["t2fs_mean"][label] = append(feature["t2fs_mean"][label], t2)
		}
	}
	for name, f := range feature {
		a := auc(f[LabelWDLPS], f[LabelLipoma])
		t.Logf("%s: mean lipoma %.3f, WDLPS %.3f, AUC %.3f", name, mean(f[LabelLipoma]), mean(f[LabelWDLPS]), a)
		if mean(f[LabelWDLPS]) <= mean(f[LabelLipoma]) {
			t.Errorf("%s: WDLPS mean %.3f not above lipoma mean %.3f", name, mean(f[LabelWDLPS]), mean(f[LabelLipoma]))
		}
		if a >= 1 {
			t.Errorf("%s separates the classes perfectly (AUC 1)", name)
		}
		if a < 0.6 {
			t.Errorf("%s: AUC %.3f, want a clear difference (at least 0.6)", name, a)
		}
	}
}
