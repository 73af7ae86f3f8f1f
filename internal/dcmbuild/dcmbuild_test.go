package dcmbuild

import (
	"errors"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

var errTest = errors.New("test: encode failed")

func TestFormatDSFitsSixteenCharacters(t *testing.T) {
	cases := map[float64]string{
		0.5:                   "0.5",
		-1024:                 "-1024",
		0.1234567890123456789: "0.123456789",
		123456789012345678:    "1.23456789e+17",
	}
	for v, want := range cases {
		got := FormatDS(v)
		if got != want {
			t.Errorf("FormatDS(%v) = %q, want %q", v, got, want)
		}
		if len(got) > 16 {
			t.Errorf("FormatDS(%v) = %q has %d characters", v, got, len(got))
		}
	}
}

func TestBuilderKeepsFirstError(t *testing.T) {
	b := &Builder{Sentinel: errTest}
	b.Str(tag.PatientName, "SYNTH^0001")
	if b.Err != nil {
		t.Fatalf("valid element: %v", b.Err)
	}
	b.El(tag.Rows, "not a number")
	first := b.Err
	b.El(tag.Columns, "also not a number")
	if !errors.Is(first, errTest) {
		t.Fatalf("Err = %v, want it to wrap the sentinel", first)
	}
	if b.Err != first {
		t.Errorf("Err changed to %v after a second failure", b.Err)
	}
}

func TestSortElementsSortsItems(t *testing.T) {
	b := &Builder{Sentinel: errTest}
	item := []*dicom.Element{b.Str(tag.CodeMeaning, "Neoplasm"), b.Str(tag.CodeValue, "108369006")}
	elems := []*dicom.Element{b.Str(tag.PatientID, "S1"), b.Seq(tag.AnatomicRegionSequence, item), b.Str(tag.PatientName, "SYNTH^S1")}
	if b.Err != nil {
		t.Fatal(b.Err)
	}
	SortElements(elems)
	if elems[0].Tag != tag.AnatomicRegionSequence || elems[1].Tag != tag.PatientName || elems[2].Tag != tag.PatientID {
		t.Errorf("top level order %v, %v, %v", elems[0].Tag, elems[1].Tag, elems[2].Tag)
	}
	if item[0].Tag != tag.CodeValue {
		t.Errorf("item not sorted: first tag %v", item[0].Tag)
	}
}
