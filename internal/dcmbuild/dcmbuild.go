// Package dcmbuild builds data elements for the DICOM objects the node writes
// (synthetic images, segmentations) with github.com/suyashkumar/dicom, and
// puts them in the order PS3.5 section 7.1 requires.
package dcmbuild

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// Builder creates data elements and keeps the first error, so that long
// lists of attributes read as plain lists. Check Err once at the end.
type Builder struct {
	// Sentinel is wrapped into Err, so that callers can test the error of
	// their own package with errors.Is.
	Sentinel error
	// Err is the first error met, nil when every element was valid.
	Err error
}

// El returns a data element with the dictionary VR of t. Sequences get an
// undefined length because the codec writes their items with delimiters.
// On error it records Err and returns an empty element.
func (b *Builder) El(t tag.Tag, value any) *dicom.Element {
	e, err := dicom.NewElement(t, value)
	if err != nil {
		if b.Err == nil {
			b.Err = fmt.Errorf("%w: element %s: %v", b.Sentinel, tag.DebugString(t), err)
		}
		return &dicom.Element{Tag: t}
	}
	if e.RawValueRepresentation == "SQ" {
		e.ValueLength = tag.VLUndefinedLength
	}
	return e
}

// Str returns a string element; no values give one empty value.
func (b *Builder) Str(t tag.Tag, values ...string) *dicom.Element {
	if len(values) == 0 {
		values = []string{""}
	}
	return b.El(t, values)
}

// Ints returns an element of binary integers (US, SS, UL, SL).
func (b *Builder) Ints(t tag.Tag, values ...int) *dicom.Element { return b.El(t, values) }

// DS returns a decimal string element, each value in at most 16 characters.
func (b *Builder) DS(t tag.Tag, values ...float64) *dicom.Element {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = FormatDS(v)
	}
	return b.El(t, s)
}

// IS returns an integer string element.
func (b *Builder) IS(t tag.Tag, v int) *dicom.Element { return b.El(t, []string{strconv.Itoa(v)}) }

// Seq returns a sequence element with one item per element list.
func (b *Builder) Seq(t tag.Tag, items ...[]*dicom.Element) *dicom.Element {
	return b.El(t, items)
}

// FormatDS renders v in at most 16 characters, the maximum length of a DS
// value (PS3.5 Table 6.2-1).
func FormatDS(v float64) string {
	for prec := 10; prec > 0; prec-- {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		if len(s) <= 16 {
			return s
		}
	}
	return strconv.FormatFloat(v, 'e', 6, 64)
}

// SortElements orders elements by tag, in place and inside every sequence
// item, because the codec writes them in slice order and PS3.5 section 7.1
// requires ascending tags.
func SortElements(elems []*dicom.Element) {
	slices.SortFunc(elems, func(a, b *dicom.Element) int {
		if a.Tag.Group != b.Tag.Group {
			return cmp.Compare(a.Tag.Group, b.Tag.Group)
		}
		return cmp.Compare(a.Tag.Element, b.Tag.Element)
	})
	for _, e := range elems {
		if e.Value == nil || e.Value.ValueType() != dicom.Sequences {
			continue
		}
		for _, item := range e.Value.GetValue().([]*dicom.SequenceItemValue) {
			SortElements(item.GetValue().([]*dicom.Element))
		}
	}
}
