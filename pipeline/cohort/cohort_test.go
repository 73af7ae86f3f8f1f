package cohort

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestReadManifest(t *testing.T) {
	in := "Study,Label,Cohort,Age,LDH,Sex,path\n" +
		"1.2.3,lipoma,train,45,150,F,a\n" +
		"1.2.4, WDLPS ,TRAIN,61,,M,b\n" +
		"1.2.5,,validation,50,170,F,c\n"
	m, err := ReadManifest(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.ClinicalNames, []string{"age", "ldh"}; !reflect.DeepEqual(got, want) {
		t.Errorf("clinical columns %v, want %v", got, want)
	}
	if got, want := m.TextNames, []string{"sex"}; !reflect.DeepEqual(got, want) {
		t.Errorf("text columns %v, want %v", got, want)
	}
	if len(m.Studies) != 3 {
		t.Fatalf("%d studies, want 3", len(m.Studies))
	}
	s := m.Studies[1]
	if s.Label != LabelWDLPS || s.Cohort != CohortTrain || s.Path != "b" {
		t.Errorf("study 2 = %+v", s)
	}
	if !math.IsNaN(s.Clinical["ldh"]) || s.Clinical["age"] != 61 {
		t.Errorf("study 2 clinical %v, want age 61 and ldh NaN", s.Clinical)
	}
	if m.Studies[2].Label != LabelUnknown {
		t.Errorf("validation study without label has label %d, want %d", m.Studies[2].Label, LabelUnknown)
	}
	if n := len(m.Cohort(CohortTrain)); n != 2 {
		t.Errorf("%d training studies, want 2", n)
	}
}

func TestReadManifestErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"missing label column", "study,cohort\n1,train\n", ErrMissingColumn},
		{"duplicate study", "study,label,cohort\n1,lipoma,train\n1,WDLPS,train\n", ErrDuplicateID},
		{"unknown label", "study,label,cohort\n1,liposarcoma,train\n", ErrUnknownLabel},
		{"empty training label", "study,label,cohort\n1,,train\n", ErrUnknownLabel},
		{"unknown cohort", "study,label,cohort\n1,lipoma,test\n", ErrUnknownCohort},
		{"ragged row", "study,label,cohort\n1,lipoma\n", ErrFormat},
		{"empty file", "", ErrFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadManifest(strings.NewReader(tc.in))
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseFeatureName(t *testing.T) {
	cases := []struct {
		name, modality, kind string
		ok                   bool
	}{
		{"CT_original_firstorder_Mean", "CT", KindRadiomics, true},
		{"T2FS_wavelet-LLH_glcm_Contrast", "T2FS", KindRadiomics, true},
		{"T1WI_deep_resnet50_0000", "T1WI", KindDeep, true},
		{"MR_original_firstorder_Mean", "", "", false},
		{"CT_", "", "", false},
		{"ct_original_firstorder_Mean", "", "", false},
	}
	for _, tc := range cases {
		m, k, err := ParseFeatureName(tc.name)
		if (err == nil) != tc.ok || m != tc.modality || k != tc.kind {
			t.Errorf("ParseFeatureName(%q) = %q, %q, %v; want %q, %q, ok=%v", tc.name, m, k, err, tc.modality, tc.kind, tc.ok)
		}
	}
}

func TestFeatureTableRoundTrip(t *testing.T) {
	in := &FeatureTable{
		Names: []string{"CT_original_firstorder_Mean", "T1WI_deep_resnet50_0000"},
		IDs:   []string{"a", "b"},
		Rows:  [][]float64{{0.1, 1e-300}, {-3.141592653589793, math.NaN()}},
	}
	var buf bytes.Buffer
	if err := WriteFeatureTable(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadFeatureTable(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Names, in.Names) || !reflect.DeepEqual(out.IDs, in.IDs) {
		t.Fatalf("names %v ids %v, want %v %v", out.Names, out.IDs, in.Names, in.IDs)
	}
	for i := range in.Rows {
		for j, v := range in.Rows[i] {
			got := out.Rows[i][j]
			if got != v && !(math.IsNaN(got) && math.IsNaN(v)) {
				t.Errorf("row %d column %d = %v, want %v", i, j, got, v)
			}
		}
	}
	if row, ok := out.Row("b"); !ok || row[0] != -3.141592653589793 {
		t.Errorf("Row(b) = %v, %v", row, ok)
	}
	if deep := out.Columns(func(_, k string) bool { return k == KindDeep }); !reflect.DeepEqual(deep, []int{1}) {
		t.Errorf("deep columns %v, want [1]", deep)
	}
}

func TestReadFeatureTableErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"first column not study", "id,CT_a\n1,2\n", ErrMissingColumn},
		{"unknown modality", "study,PET_a\n1,2\n", ErrFeatureName},
		{"duplicate feature", "study,CT_a,CT_a\n1,2,3\n", ErrFeatureName},
		{"duplicate study", "study,CT_a\n1,2\n1,3\n", ErrDuplicateID},
		{"not a number", "study,CT_a\n1,abc\n", ErrFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFeatureTable(strings.NewReader(tc.in))
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}
