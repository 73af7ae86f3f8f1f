package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/suyashkumar/dicom"
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

// maxInflatedHeader bounds the bytes of a deflated data set inflated for
// ParseHeader. Groups 0008 to 0020 are far smaller in practice, and the rest
// of the data set is never inflated.
const maxInflatedHeader = 4 << 20

// ParseHeader reads the header attributes of a data set (no File Meta
// Information) of size bytes encoded in the transfer syntax tsUID. For the
// deflated transfer syntax, size is the compressed size. It returns an error
// wrapping ErrUnparsable when an element up to group 0020 cannot be read,
// declares more bytes than there are, or makes the codec panic.
func ParseHeader(r io.ReaderAt, size int64, tsUID string) (h *Header, err error) {
	// The codec parses untrusted bytes from the network. A panic in it must
	// reject one data set, not stop the node.
	defer func() {
		if p := recover(); p != nil {
			h, err = nil, fmt.Errorf("%w: codec panic: %v", ErrUnparsable, p)
		}
	}()

	// 1. Byte order and VR encoding of the transfer syntax.
	var (
		order    binary.ByteOrder = binary.LittleEndian
		implicit bool
	)
	switch tsUID {
	case tsImplicitLittle:
		implicit = true
	case tsExplicitBig:
		order = binary.BigEndian
	case tsDeflated:
		// The whole data set is one raw deflate stream (PS3.5 A.5). Inflate
		// its beginning, for parsing only.
		fr := flate.NewReader(io.NewSectionReader(r, 0, size))
		inflated, err := io.ReadAll(io.LimitReader(fr, maxInflatedHeader))
		fr.Close()
		if err != nil && len(inflated) == 0 {
			return nil, fmt.Errorf("%w: inflate: %v", ErrUnparsable, err)
		}
		r, size = bytes.NewReader(inflated), int64(len(inflated))
	}

	// 2. Check every declared length before the codec allocates it, and
	// find the end of group 0020, where the codec stops.
	headerEnd, err := checkLengths(r, size, order, implicit)
	if err != nil {
		return nil, err
	}

	// 3. Parse with the codec. NewParser tries to guess a transfer syntax
	// from the first bytes and may fail at that, but it still returns a
	// parser, to which the negotiated transfer syntax is then given.
	p, err := dicom.NewParser(io.NewSectionReader(r, 0, headerEnd), headerEnd, nil,
		dicom.SkipMetadataReadOnNewParserInit(),
		dicom.SkipPixelData(),
		dicom.AllowMismatchPixelDataLength(),
		dicom.AllowUnknownSpecificCharacterSet())
	if p == nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
	}
	p.SetTransferSyntax(order, implicit)

	h = &Header{}
	for elements := 0; ; elements++ {
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
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
// leading spaces, which are not significant for most VRs (PS3.5 6.2).
func trimValue(s string) string {
	return strings.Trim(s, " \x00")
}
