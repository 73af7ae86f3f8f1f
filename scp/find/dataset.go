package find

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mdm2node/mdm2node/scp"
	dtag "github.com/suyashkumar/dicom/pkg/tag"
)

// ErrDataSet is returned when a data set cannot be decoded.
var ErrDataSet = errors.New("find: malformed data set")

// Tag is a data element tag, group in the high 16 bits.
type Tag uint32

// Group returns the tag's group number.
func (t Tag) Group() uint16 { return uint16(t >> 16) }

// Element returns the tag's element number.
func (t Tag) Element() uint16 { return uint16(t) }

func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", t.Group(), t.Element()) }

// Keyword returns the tag's keyword from the data dictionary, or its
// (gggg,eeee) form.
func (t Tag) Keyword() string {
	if info, err := dtag.Find(dtag.Tag{Group: t.Group(), Element: t.Element()}); err == nil && info.Keyword != "" {
		return info.Keyword
	}
	return t.String()
}

// Tags of the elements this package gives meaning to.
const (
	tagItem             Tag = 0xFFFEE000
	tagItemDelimitation Tag = 0xFFFEE00D
	tagSeqDelimitation  Tag = 0xFFFEE0DD
	tagPixelData        Tag = 0x7FE00010
)

const undefinedLength = 0xFFFFFFFF

// maxDepth bounds the nesting of sequences.
const maxDepth = 16

// Element is one decoded data element. Value holds the value bytes in
// little-endian order (binary values of a big-endian data set are swapped
// on decoding and back on encoding); Items holds the items of a sequence.
type Element struct {
	Tag   Tag
	VR    string
	Value []byte
	Items []*DataSet
}

// DataSet is a list of elements in ascending tag order.
type DataSet struct {
	Elements []*Element
}

// Get returns the element with tag t, or nil.
func (d *DataSet) Get(t Tag) *Element {
	if d == nil {
		return nil
	}
	i := sort.Search(len(d.Elements), func(i int) bool { return d.Elements[i].Tag >= t })
	if i < len(d.Elements) && d.Elements[i].Tag == t {
		return d.Elements[i]
	}
	return nil
}

// Put adds or replaces an element, keeping the tag order.
func (d *DataSet) Put(e *Element) {
	i := sort.Search(len(d.Elements), func(i int) bool { return d.Elements[i].Tag >= e.Tag })
	if i < len(d.Elements) && d.Elements[i].Tag == e.Tag {
		d.Elements[i] = e
		return
	}
	d.Elements = append(d.Elements, nil)
	copy(d.Elements[i+1:], d.Elements[i:])
	d.Elements[i] = e
}

// String returns the raw string value of t (no character set decoding),
// without padding, and "" when absent.
func (d *DataSet) String(t Tag) string {
	e := d.Get(t)
	if e == nil {
		return ""
	}
	return trimValue(e.VR, string(e.Value))
}

// trimValue removes the padding of a string value: trailing spaces and NULs,
// and leading spaces where PS3.5 6.2 says they are not significant.
func trimValue(vr, s string) string {
	s = strings.TrimRight(s, " \x00")
	switch vr {
	case "LT", "ST", "UT", "UR":
		return s
	}
	return strings.TrimLeft(s, " ")
}

// VRs with a 4-byte length in explicit VR encoding (PS3.5 7.1.2).
func longVR(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// swapUnit returns the size of the numbers of a binary VR, 1 for VRs that
// byte order does not affect.
func swapUnit(vr string) int {
	switch vr {
	case "US", "SS", "OW", "AT":
		return 2
	case "UL", "SL", "FL", "OF", "OL":
		return 4
	case "FD", "OD", "SV", "UV", "OV":
		return 8
	}
	return 1
}

func swapped(v []byte, unit int) []byte {
	if unit == 1 {
		return v
	}
	out := make([]byte, len(v))
	for i := 0; i+unit <= len(v); i += unit {
		for j := 0; j < unit; j++ {
			out[i+j] = v[i+unit-1-j]
		}
	}
	return out
}

// dictVR returns the VR of t from the data dictionary, for implicit VR
// data sets, "UN" when unknown.
func dictVR(t Tag) string {
	switch {
	case t.Element() == 0x0000:
		return "UL" // group length
	case t.Group()&1 == 1 && t.Element() >= 0x0010 && t.Element() <= 0x00FF:
		return "LO" // private creator
	}
	info, err := dtag.Find(dtag.Tag{Group: t.Group(), Element: t.Element()})
	if err != nil || len(info.VRs) == 0 {
		return "UN"
	}
	vr := info.VRs[0]
	if vr == "OB" && len(info.VRs) > 1 {
		vr = info.VRs[1] // "OB or OW": OW
	}
	if len(vr) != 2 {
		return "UN"
	}
	return vr
}

// codec is the encoding of a transfer syntax.
type codec struct {
	order    binary.ByteOrder
	implicit bool
	deflated bool
}

func codecOf(ts string) (codec, error) {
	switch ts {
	case scp.ImplicitVRLittleEndian, "":
		return codec{order: binary.LittleEndian, implicit: true}, nil
	case scp.ExplicitVRLittleEndian:
		return codec{order: binary.LittleEndian}, nil
	case scp.DeflatedExplicitVRLittleEndian:
		return codec{order: binary.LittleEndian, deflated: true}, nil
	case scp.ExplicitVRBigEndian:
		return codec{order: binary.BigEndian}, nil
	}
	// Compressed image transfer syntaxes encode everything but pixel data
	// in Explicit VR Little Endian.
	if strings.HasPrefix(ts, "1.2.840.10008.1.2.4.") || ts == scp.RLELossless {
		return codec{order: binary.LittleEndian}, nil
	}
	return codec{}, fmt.Errorf("%w: transfer syntax %s not supported", ErrDataSet, ts)
}

// Decode decodes a whole data set encoded in the transfer syntax ts.
func Decode(b []byte, ts string) (*DataSet, error) {
	c, err := codecOf(ts)
	if err != nil {
		return nil, err
	}
	if c.deflated {
		if b, err = inflate(b, 64<<20); err != nil {
			return nil, err
		}
	}
	d := &decoder{b: b, c: c}
	ds, _, err := d.dataSet(0, len(b), 0, false)
	return ds, err
}

// DecodeHeader decodes the top-level elements of a data set up to Pixel
// Data, which it leaves out with every later element. Truncated is true when
// b ended before Pixel Data or the end of the data set was reached, so that
// the caller can retry with more bytes.
func DecodeHeader(b []byte, ts string) (ds *DataSet, truncated bool, err error) {
	c, err := codecOf(ts)
	if err != nil {
		return nil, false, err
	}
	if c.deflated {
		if b, err = inflate(b, 64<<20); err != nil {
			return nil, false, err
		}
	}
	d := &decoder{b: b, c: c, header: true}
	ds, _, err = d.dataSet(0, len(b), 0, false)
	if errors.Is(err, errTruncated) {
		return ds, true, nil
	}
	// Without Pixel Data the bytes may have ended at an element boundary
	// before the end of the data set.
	return ds, err == nil && !d.sawPixel, err
}

func inflate(b []byte, limit int64) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), limit))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%w: deflate: %v", ErrDataSet, err)
	}
	return out, nil
}

var errTruncated = fmt.Errorf("%w: truncated", ErrDataSet)

type decoder struct {
	b      []byte
	c      codec
	header bool // stop at Pixel Data, report a truncated element
	// sawPixel is set when a header decoding stopped at Pixel Data.
	sawPixel bool
}

// dataSet decodes elements from off to end, or up to an item delimitation
// when inItem is true and the item has undefined length.
func (d *decoder) dataSet(off, end, depth int, undefinedItem bool) (*DataSet, int, error) {
	if depth > maxDepth {
		return nil, off, fmt.Errorf("%w: sequences nested deeper than %d", ErrDataSet, maxDepth)
	}
	ds := &DataSet{}
	var last Tag
	for off < end {
		if end-off < 8 {
			if d.header && depth == 0 {
				return ds, off, errTruncated
			}
			return nil, off, fmt.Errorf("%w: element header at offset %d cut short", ErrDataSet, off)
		}
		t := Tag(uint32(d.c.order.Uint16(d.b[off:]))<<16 | uint32(d.c.order.Uint16(d.b[off+2:])))
		if t == tagItemDelimitation {
			if !undefinedItem {
				return nil, off, fmt.Errorf("%w: item delimitation outside an item at offset %d", ErrDataSet, off)
			}
			return ds, off + 8, nil
		}
		if d.header && depth == 0 && t >= tagPixelData {
			d.sawPixel = true
			return ds, end, nil
		}
		vr, length, head, err := d.elementHeader(off, end, t)
		if err != nil {
			if d.header && depth == 0 && errors.Is(err, errTruncated) {
				return ds, off, errTruncated
			}
			return nil, off, err
		}
		off += head
		e := &Element{Tag: t, VR: vr}
		switch {
		case vr == "SQ" || (length == undefinedLength && vr == "UN"):
			e.VR = "SQ"
			items, next, err := d.items(off, end, length, depth)
			if err != nil {
				if d.header && depth == 0 && errors.Is(err, errTruncated) {
					return ds, off, errTruncated
				}
				return nil, off, err
			}
			e.Items, off = items, next
		case length == undefinedLength:
			return nil, off, fmt.Errorf("%w: %v %s with undefined length", ErrDataSet, t, vr)
		default:
			if int64(length) > int64(end-off) {
				if d.header && depth == 0 {
					return ds, off, errTruncated
				}
				return nil, off, fmt.Errorf("%w: %v value of %d bytes runs past its container", ErrDataSet, t, length)
			}
			v := d.b[off : off+int(length)]
			if d.c.order == binary.BigEndian {
				v = swapped(v, swapUnit(vr))
			}
			e.Value = v
			off += int(length)
		}
		if t <= last && len(ds.Elements) > 0 {
			// Out of order or repeated: keep the data set sorted.
			ds.Put(e)
		} else {
			ds.Elements = append(ds.Elements, e)
		}
		last = t
	}
	if undefinedItem {
		if d.header && depth > 0 {
			return nil, off, errTruncated
		}
		return nil, off, fmt.Errorf("%w: item without delimitation", ErrDataSet)
	}
	return ds, off, nil
}

func (d *decoder) elementHeader(off, end int, t Tag) (vr string, length uint32, head int, err error) {
	if d.c.implicit {
		return dictVR(t), d.c.order.Uint32(d.b[off+4:]), 8, nil
	}
	vr = string(d.b[off+4 : off+6])
	if vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z' {
		return "", 0, 0, fmt.Errorf("%w: %v has no valid VR at offset %d", ErrDataSet, t, off)
	}
	if longVR(vr) {
		if end-off < 12 {
			return "", 0, 0, errTruncated
		}
		return vr, d.c.order.Uint32(d.b[off+8:]), 12, nil
	}
	return vr, uint32(d.c.order.Uint16(d.b[off+6:])), 8, nil
}

// items decodes the items of a sequence value starting at off.
func (d *decoder) items(off, end int, length uint32, depth int) ([]*DataSet, int, error) {
	seqEnd := end
	if length != undefinedLength {
		if int64(length) > int64(end-off) {
			return nil, off, errTruncated
		}
		seqEnd = off + int(length)
	}
	var items []*DataSet
	for off < seqEnd {
		if seqEnd-off < 8 {
			return nil, off, errTruncated
		}
		t := Tag(uint32(d.c.order.Uint16(d.b[off:]))<<16 | uint32(d.c.order.Uint16(d.b[off+2:])))
		l := d.c.order.Uint32(d.b[off+4:])
		off += 8
		switch t {
		case tagSeqDelimitation:
			if length != undefinedLength {
				return nil, off, fmt.Errorf("%w: sequence delimitation in a sequence of defined length", ErrDataSet)
			}
			return items, off, nil
		case tagItem:
		default:
			return nil, off, fmt.Errorf("%w: %v inside a sequence", ErrDataSet, t)
		}
		var item *DataSet
		var err error
		if l == undefinedLength {
			item, off, err = d.dataSet(off, seqEnd, depth+1, true)
		} else {
			if int64(l) > int64(seqEnd-off) {
				return nil, off, errTruncated
			}
			item, _, err = d.dataSet(off, off+int(l), depth+1, false)
			off += int(l)
		}
		if err != nil {
			return nil, off, err
		}
		items = append(items, item)
	}
	if length == undefinedLength {
		return nil, off, errTruncated
	}
	return items, off, nil
}

// Encode encodes the data set in the transfer syntax ts. Sequences and
// items are written with undefined length.
func (d *DataSet) Encode(ts string) ([]byte, error) {
	c, err := codecOf(ts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := encodeDataSet(&buf, d, c); err != nil {
		return nil, err
	}
	if !c.deflated {
		return buf.Bytes(), nil
	}
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.DefaultCompression)
	w.Write(buf.Bytes())
	w.Close()
	return out.Bytes(), nil
}

func encodeDataSet(buf *bytes.Buffer, d *DataSet, c codec) error {
	for _, e := range d.Elements {
		if err := encodeElement(buf, e, c); err != nil {
			return err
		}
	}
	return nil
}

func putTag(buf *bytes.Buffer, t Tag, order binary.ByteOrder) {
	var b [4]byte
	order.PutUint16(b[0:], t.Group())
	order.PutUint16(b[2:], t.Element())
	buf.Write(b[:])
}

func putUint32(buf *bytes.Buffer, v uint32, order binary.ByteOrder) {
	var b [4]byte
	order.PutUint32(b[:], v)
	buf.Write(b[:])
}

func encodeElement(buf *bytes.Buffer, e *Element, c codec) error {
	vr := e.VR
	if vr == "" {
		vr = dictVR(e.Tag)
	}
	putTag(buf, e.Tag, c.order)
	if vr == "SQ" {
		if !c.implicit {
			buf.WriteString("SQ\x00\x00")
		}
		putUint32(buf, undefinedLength, c.order)
		for _, item := range e.Items {
			putTag(buf, tagItem, c.order)
			putUint32(buf, undefinedLength, c.order)
			if err := encodeDataSet(buf, item, c); err != nil {
				return err
			}
			putTag(buf, tagItemDelimitation, c.order)
			putUint32(buf, 0, c.order)
		}
		putTag(buf, tagSeqDelimitation, c.order)
		putUint32(buf, 0, c.order)
		return nil
	}
	v := e.Value
	if len(v)%2 == 1 {
		pad := byte(' ')
		switch vr {
		case "UI", "OB", "UN":
			pad = 0
		}
		v = append(append([]byte(nil), v...), pad)
	}
	if c.order == binary.BigEndian {
		v = swapped(v, swapUnit(vr))
	}
	switch {
	case c.implicit:
		putUint32(buf, uint32(len(v)), c.order)
	case longVR(vr):
		buf.WriteString(vr + "\x00\x00")
		putUint32(buf, uint32(len(v)), c.order)
	default:
		if len(v) > 0xFFFF {
			return fmt.Errorf("find: %v value of %d bytes too long for VR %s", e.Tag, len(v), vr)
		}
		buf.WriteString(vr)
		var b [2]byte
		c.order.PutUint16(b[:], uint16(len(v)))
		buf.Write(b[:])
	}
	buf.Write(v)
	return nil
}
