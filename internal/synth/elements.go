package synth

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// builder creates data elements and keeps the first error.
type builder struct {
	err error
}

func (b *builder) el(t tag.Tag, value any) *dicom.Element {
	e, err := dicom.NewElement(t, value)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("%w: element %s: %v", ErrWrite, tag.DebugString(t), err)
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

func (b *builder) ds(t tag.Tag, values ...float64) *dicom.Element {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = formatDS(v)
	}
	return b.el(t, s)
}

func (b *builder) is(t tag.Tag, v int) *dicom.Element { return b.el(t, []string{strconv.Itoa(v)}) }

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

// sortElements orders elements by tag, as PS3.5 7.1 requires, because the
// codec writes them in slice order.
func sortElements(elems []*dicom.Element) {
	slices.SortFunc(elems, func(a, b *dicom.Element) int {
		if a.Tag.Group != b.Tag.Group {
			return cmp.Compare(a.Tag.Group, b.Tag.Group)
		}
		return cmp.Compare(a.Tag.Element, b.Tag.Element)
	})
}

// derivedUID returns a UID under the 2.25 root (PS3.5 B.2) made from the
// SHA-256 digest of the seed and the parts, with the version and variant
// bits of a name-based UUID set. The same inputs give the same UID.
func derivedUID(seed uint64, parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "mdm2node-synth/%d", seed)
	for _, p := range parts {
		fmt.Fprintf(h, "/%s", p)
	}
	sum := h.Sum(nil)
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // UUID version 8 (custom, name-based)
	b[8] = b[8]&0x3f | 0x80
	return "2.25." + new(big.Int).SetBytes(b).String()
}
