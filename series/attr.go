package series

import (
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// attrs is one level of a data set: the top level or one sequence item.
// Its getters return zero values for absent or malformed attributes, so
// callers check presence where an attribute is required.
type attrs []*dicom.Element

func (a attrs) find(t tag.Tag) *dicom.Element {
	for _, e := range a {
		if e != nil && e.Tag == t {
			return e
		}
	}
	return nil
}

func (a attrs) has(t tag.Tag) bool { return a.find(t) != nil }

// strs returns the values of a string attribute with padding removed.
func (a attrs) strs(t tag.Tag) []string {
	e := a.find(t)
	if e == nil || e.Value == nil {
		return nil
	}
	v, ok := e.Value.GetValue().([]string)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(v))
	for _, s := range v {
		out = append(out, strings.Trim(s, " \x00"))
	}
	return out
}

// str returns the first value of a string attribute, or "".
func (a attrs) str(t tag.Tag) string {
	v := a.strs(t)
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// floats returns the values of a DS, FL, FD, IS, US or SS attribute as
// float64. It returns nil when any value does not parse.
func (a attrs) floats(t tag.Tag) []float64 {
	e := a.find(t)
	if e == nil || e.Value == nil {
		return nil
	}
	switch v := e.Value.GetValue().(type) {
	case []float64:
		return append([]float64(nil), v...)
	case []int:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []string:
		out := make([]float64, 0, len(v))
		for _, s := range v {
			s = strings.Trim(s, " \x00")
			if s == "" {
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil
			}
			out = append(out, f)
		}
		return out
	}
	return nil
}

// float returns the first value of a numeric attribute and whether it was
// present and valid.
func (a attrs) float(t tag.Tag) (float64, bool) {
	v := a.floats(t)
	if len(v) == 0 {
		return 0, false
	}
	return v[0], true
}

// int returns the first value of an integer attribute (US, SS, UL, IS) and
// whether it was present and valid.
func (a attrs) int(t tag.Tag) (int, bool) {
	f, ok := a.float(t)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// items returns the items of a sequence attribute.
func (a attrs) items(t tag.Tag) []attrs {
	e := a.find(t)
	if e == nil || e.Value == nil {
		return nil
	}
	seq, ok := e.Value.GetValue().([]*dicom.SequenceItemValue)
	if !ok {
		return nil
	}
	out := make([]attrs, 0, len(seq))
	for _, it := range seq {
		if it == nil {
			continue
		}
		if els, ok := it.GetValue().([]*dicom.Element); ok {
			out = append(out, attrs(els))
		}
	}
	return out
}

// item returns the first item of a sequence attribute, or nil.
func (a attrs) item(t tag.Tag) attrs {
	it := a.items(t)
	if len(it) == 0 {
		return nil
	}
	return it[0]
}

// bytes returns the value of an OB, OW or UN attribute.
func (a attrs) bytes(t tag.Tag) []byte {
	e := a.find(t)
	if e == nil || e.Value == nil {
		return nil
	}
	b, _ := e.Value.GetValue().([]byte)
	return b
}
