package segwrite

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// builder creates data elements and keeps the first error, so that the long
// lists of attributes in write.go read as plain lists.
type builder struct {
	err error
}

// el returns a data element with the dictionary VR of t. Sequences are given
// an undefined length because the codec always writes their items with
// delimiters.
func (b *builder) el(t tag.Tag, value any) *dicom.Element {
	e, err := dicom.NewElement(t, value)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("%w: element %s: %v", ErrEncode, tag.DebugString(t), err)
		}
		return &dicom.Element{Tag: t}
	}
	if e.RawValueRepresentation == "SQ" {
		e.ValueLength = tag.VLUndefinedLength
	}
	return e
}

func (b *builder) str(t tag.Tag, values ...string) *dicom.Element {
	if len(values) == 0 {
		values = []string{""}
	}
	return b.el(t, values)
}

func (b *builder) ints(t tag.Tag, values ...int) *dicom.Element { return b.el(t, values) }

// ds formats decimal strings (DS) with at most 16 characters.
func (b *builder) ds(t tag.Tag, values ...float64) *dicom.Element {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = formatDS(v)
	}
	return b.el(t, s)
}

func (b *builder) is(t tag.Tag, v int) *dicom.Element { return b.el(t, []string{strconv.Itoa(v)}) }

func (b *builder) seq(t tag.Tag, items ...[]*dicom.Element) *dicom.Element {
	return b.el(t, items)
}

func (b *builder) code(t tag.Tag, c Code) *dicom.Element {
	return b.seq(t, []*dicom.Element{
		b.str(tag.CodeValue, c.Value),
		b.str(tag.CodingSchemeDesignator, c.Scheme),
		b.str(tag.CodeMeaning, c.Meaning),
	})
}

// formatDS renders v in at most 16 characters, the maximum length of a DS
// value (PS3.5 Table 6.2-1).
func formatDS(v float64) string {
	for prec := 10; prec > 0; prec-- {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		if len(s) <= 16 {
			return s
		}
	}
	return strconv.FormatFloat(v, 'e', 6, 64)
}

// sortElements orders elements by tag, in place and inside every sequence
// item, because the codec writes them in slice order and PS3.5 7.1 requires
// ascending tags.
func sortElements(elems []*dicom.Element) {
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
			sortElements(item.GetValue().([]*dicom.Element))
		}
	}
}
