package sr

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// newElement returns an element whose value representation comes from the
// dictionary of github.com/suyashkumar/dicom. Every tag and value type passed
// here is fixed in this package, so an error is a programming error and
// panics. The tests write every element this package uses.
func newElement(t tag.Tag, value any) *dicom.Element {
	e, err := dicom.NewElement(t, value)
	if err != nil {
		panic(fmt.Sprintf("sr: element %v: %v", t, err))
	}
	return e
}

func str(t tag.Tag, values ...string) *dicom.Element {
	if values == nil {
		values = []string{}
	}
	return newElement(t, values)
}

// sequence returns a sequence element whose items are sorted by tag.
func sequence(t tag.Tag, items ...[]*dicom.Element) *dicom.Element {
	if items == nil {
		items = [][]*dicom.Element{}
	}
	for _, it := range items {
		sortElements(it)
	}
	return newElement(t, items)
}

// sortElements sorts a data set or an item in ascending tag order, which
// PS3.5 section 7.1 requires and dicom.Write does not do.
func sortElements(elements []*dicom.Element) {
	slices.SortFunc(elements, func(a, b *dicom.Element) int {
		if a.Tag.Group != b.Tag.Group {
			return int(a.Tag.Group) - int(b.Tag.Group)
		}
		return int(a.Tag.Element) - int(b.Tag.Element)
	})
}

// codeElements returns the elements of one Code Sequence item.
func codeElements(c Code) []*dicom.Element {
	return []*dicom.Element{
		str(tag.CodeValue, c.Value),
		str(tag.CodingSchemeDesignator, c.Scheme),
		str(tag.CodeMeaning, c.Meaning),
	}
}

// formatDS formats v as a Decimal String of at most 16 characters (PS3.5
// Table 6.2-1) with as many significant digits as fit. exact reports
// whether the string parses back to v.
func formatDS(v float64) (s string, exact bool) {
	for prec := 15; prec >= 1; prec-- {
		s = strconv.FormatFloat(v, 'g', prec, 64)
		if len(s) <= 16 {
			break
		}
	}
	back, err := strconv.ParseFloat(s, 64)
	return s, err == nil && back == v
}

// contentElements returns the elements of content item it and its children
// (PS3.3 C.17.3, Document Content Macro and Document Relationship Macro),
// with text values encoded by enc.
func contentElements(it *item, enc *textEncoder) []*dicom.Element {
	var els []*dicom.Element
	if it.relationship != "" {
		els = append(els, str(tag.RelationshipType, it.relationship))
	}
	els = append(els, str(tag.ValueType, it.valueType))
	if it.concept != nil {
		els = append(els, sequence(tag.ConceptNameCodeSequence, codeElements(*it.concept)))
	}

	switch it.valueType {
	case "CONTAINER":
		els = append(els, str(tag.ContinuityOfContent, continuitySeparate))
		if it.template != "" {
			els = append(els, sequence(tag.ContentTemplateSequence, []*dicom.Element{
				str(tag.MappingResource, "DCMR"),
				str(tag.TemplateIdentifier, it.template),
			}))
		}
	case "TEXT":
		els = append(els, str(tag.TextValue, enc.encode(it.text)))
	case "UIDREF":
		els = append(els, str(tag.UID, it.uid))
	case "CODE":
		els = append(els, sequence(tag.ConceptCodeSequence, codeElements(it.code)))
	case "NUM":
		ds, exact := formatDS(it.number)
		measured := []*dicom.Element{
			str(tag.NumericValue, ds),
			sequence(tag.MeasurementUnitsCodeSequence, codeElements(it.unit)),
		}
		if !exact {
			// PS3.3 Table C.18.1-1: Floating Point Value is required when
			// Numeric Value cannot hold the value exactly.
			measured = append(measured, newElement(tag.FloatingPointValue, []float64{it.number}))
		}
		els = append(els, sequence(tag.MeasuredValueSequence, measured))
	case "IMAGE":
		ref := []*dicom.Element{
			str(tag.ReferencedSOPClassUID, it.ref.SOPClassUID),
			str(tag.ReferencedSOPInstanceUID, it.ref.SOPInstanceUID),
		}
		if len(it.segments) > 0 {
			ref = append(ref, newElement(tag.ReferencedSegmentNumber, slices.Clone(it.segments)))
		}
		els = append(els, sequence(tag.ReferencedSOPSequence, ref))
	default:
		panic("sr: unknown value type " + it.valueType)
	}

	if len(it.children) > 0 {
		children := make([][]*dicom.Element, 0, len(it.children))
		for _, c := range it.children {
			children = append(children, contentElements(c, enc))
		}
		els = append(els, sequence(tag.ContentSequence, children...))
	}
	sortElements(els)
	return els
}

// referencedInstances returns the items of a Hierarchical SOP Instance
// Reference Macro sequence (PS3.3 Table C.17-3): one item per study, each
// with one Referenced Series Sequence item per series, in the order each
// study and series first appears.
func referencedInstances(instances []Instance) [][]*dicom.Element {
	type series struct {
		uid  string
		sops [][]*dicom.Element
	}
	type study struct {
		uid    string
		series []*series
	}
	var studies []*study
	for _, in := range instances {
		var st *study
		for _, s := range studies {
			if s.uid == in.StudyInstanceUID {
				st = s
			}
		}
		if st == nil {
			st = &study{uid: in.StudyInstanceUID}
			studies = append(studies, st)
		}
		var se *series
		for _, s := range st.series {
			if s.uid == in.SeriesInstanceUID {
				se = s
			}
		}
		if se == nil {
			se = &series{uid: in.SeriesInstanceUID}
			st.series = append(st.series, se)
		}
		se.sops = append(se.sops, []*dicom.Element{
			str(tag.ReferencedSOPClassUID, in.SOPClassUID),
			str(tag.ReferencedSOPInstanceUID, in.SOPInstanceUID),
		})
	}

	items := make([][]*dicom.Element, 0, len(studies))
	for _, st := range studies {
		seriesItems := make([][]*dicom.Element, 0, len(st.series))
		for _, se := range st.series {
			seriesItems = append(seriesItems, []*dicom.Element{
				str(tag.SeriesInstanceUID, se.uid),
				sequence(tag.ReferencedSOPSequence, se.sops...),
			})
		}
		items = append(items, []*dicom.Element{
			str(tag.StudyInstanceUID, st.uid),
			sequence(tag.ReferencedSeriesSequence, seriesItems...),
		})
	}
	return items
}
