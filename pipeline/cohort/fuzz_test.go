package cohort

import (
	"strings"
	"testing"
)

func FuzzReadManifest(f *testing.F) {
	f.Add("study,label,cohort,age,ldh\n1.2.3,lipoma,train,45,150\n1.2.4,WDLPS,validation,,\n")
	f.Add("study,label,cohort\n1,liposarcoma,train\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ReadManifest(strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range m.Studies {
			if seen[s.ID] {
				t.Fatalf("duplicate study %q accepted", s.ID)
			}
			seen[s.ID] = true
			if s.Cohort == CohortTrain && s.Label == LabelUnknown {
				t.Fatalf("training study %q without label accepted", s.ID)
			}
		}
	})
}

func FuzzReadFeatureTable(f *testing.F) {
	f.Add("study,CT_original_firstorder_Mean,T1WI_deep_resnet50_0000\na,1.5,NaN\nb,-2,\n")
	f.Add("study,PET_a\n1,2\n")
	f.Fuzz(func(t *testing.T, in string) {
		table, err := ReadFeatureTable(strings.NewReader(in))
		if err != nil {
			return
		}
		for i, row := range table.Rows {
			if len(row) != len(table.Names) {
				t.Fatalf("row %d has %d values for %d names", i, len(row), len(table.Names))
			}
		}
	})
}
