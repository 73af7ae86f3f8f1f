package store

import (
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/dicomio"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// Transfer syntax UIDs whose data set encoding differs from Explicit VR
// Little Endian (PS3.5 10 and Annex A). Every other transfer syntax, the
// encapsulated ones included, encodes the data set in Explicit VR Little
// Endian (PS3.5 A.4).
const (
	tsImplicitLittle = "1.2.840.10008.1.2"
	tsExplicitLittle = "1.2.840.10008.1.2.1"
	tsDeflated       = "1.2.840.10008.1.2.1.99"
	tsExplicitBig    = "1.2.840.10008.1.2.2"
)

// Header holds the attributes of a received data set that the store checks
// and indexes. String values have their padding removed.
type Header struct {
	SOPClassUID       string
	SOPInstanceUID    string
	StudyInstanceUID  string
	SeriesInstanceUID string

	PatientID        string
	PatientName      string
	PatientBirthDate string
	PatientSex       string

	StudyDate        string
	StudyTime        string
	StudyID          string
	AccessionNumber  string
	StudyDescription string

	Modality          string
	SeriesNumber      string
	SeriesDescription string
	SeriesDate        string

	InstanceNumber string
}

// headerFields maps the tags read from a data set to the field they fill.
var headerFields = map[tag.Tag]func(h *Header) *string{
	{Group: 0x0008, Element: 0x0016}: func(h *Header) *string { return &h.SOPClassUID },
	{Group: 0x0008, Element: 0x0018}: func(h *Header) *string { return &h.SOPInstanceUID },
	{Group: 0x0008, Element: 0x0020}: func(h *Header) *string { return &h.StudyDate },
	{Group: 0x0008, Element: 0x0021}: func(h *Header) *string { return &h.SeriesDate },
	{Group: 0x0008, Element: 0x0030}: func(h *Header) *string { return &h.StudyTime },
	{Group: 0x0008, Element: 0x0050}: func(h *Header) *string { return &h.AccessionNumber },
	{Group: 0x0008, Element: 0x0060}: func(h *Header) *string { return &h.Modality },
	{Group: 0x0008, Element: 0x1030}: func(h *Header) *string { return &h.StudyDescription },
	{Group: 0x0008, Element: 0x103E}: func(h *Header) *string { return &h.SeriesDescription },
	{Group: 0x0010, Element: 0x0010}: func(h *Header) *string { return &h.PatientName },
	{Group: 0x0010, Element: 0x0020}: func(h *Header) *string { return &h.PatientID },
	{Group: 0x0010, Element: 0x0030}: func(h *Header) *string { return &h.PatientBirthDate },
	{Group: 0x0010, Element: 0x0040}: func(h *Header) *string { return &h.PatientSex },
	{Group: 0x0020, Element: 0x000D}: func(h *Header) *string { return &h.StudyInstanceUID },
	{Group: 0x0020, Element: 0x000E}: func(h *Header) *string { return &h.SeriesInstanceUID },
	{Group: 0x0020, Element: 0x0010}: func(h *Header) *string { return &h.StudyID },
	{Group: 0x0020, Element: 0x0011}: func(h *Header) *string { return &h.SeriesNumber },
	{Group: 0x0020, Element: 0x0013}: func(h *Header) *string { return &h.InstanceNumber },
}

// lastHeaderGroup is the last group read: top-level elements are in
// ascending tag order (PS3.5 7.1), so parsing stops at the first element of
// a later group and never reaches the pixel data.
const lastHeaderGroup = 0x0020

// ParseHeader reads the header attributes of a data set (no File Meta
// Information) encoded in the transfer syntax tsUID. size is the number of
// encoded bytes, which for the deflated transfer syntax is the compressed
// size. It returns an error wrapping ErrUnparsable when an element up to
// group 0020 cannot be read.
func ParseHeader(r io.Reader, size int64, tsUID string) (*Header, error) {
	var (
		order    binary.ByteOrder = binary.LittleEndian
		implicit bool
		limit    = size
	)
	switch tsUID {
	case tsImplicitLittle:
		implicit = true
	case tsExplicitBig:
		order = binary.BigEndian
	case tsDeflated:
		// The whole data set is one raw deflate stream (PS3.5 A.5); inflate
		// it for parsing only, with no known length.
		fr := flate.NewReader(r)
		defer fr.Close()
		r = fr
		limit = dicomio.LimitReadUntilEOF
	}

	p, err := dicom.NewParser(r, limit, nil,
		dicom.SkipMetadataReadOnNewParserInit(),
		dicom.SkipPixelData(),
		dicom.AllowMismatchPixelDataLength(),
		dicom.AllowUnknownSpecificCharacterSet())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
	}
	p.SetTransferSyntax(order, implicit)

	h := &Header{}
	for elements := 0; ; elements++ {
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) || (elements > 0 && errors.Is(err, io.EOF) && limit == dicomio.LimitReadUntilEOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: after %d elements: %v", ErrUnparsable, elements, err)
		}
		if e.Tag.Group > lastHeaderGroup {
			break
		}
		if field, ok := headerFields[e.Tag]; ok {
			*field(h) = valueString(e)
		}
	}
	return h, nil
}

// valueString returns an element's value as one string: multiple values
// joined with a backslash as on the wire, padding removed.
func valueString(e *dicom.Element) string {
	if e == nil || e.Value == nil {
		return ""
	}
	switch v := e.Value.GetValue().(type) {
	case []string:
		return trimValue(strings.Join(v, `\`))
	case []int:
		parts := make([]string, len(v))
		for i, n := range v {
			parts[i] = strconv.Itoa(n)
		}
		return strings.Join(parts, `\`)
	default:
		return ""
	}
}

// trimValue removes the NUL and space padding of a string value and its
// leading spaces, which PS3.5 6.2 says are not significant for most VRs.
func trimValue(s string) string {
	return strings.Trim(s, " \x00")
}
