package store

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// maxNesting bounds the depth of sequences checkLengths follows.
const maxNesting = 32

// undefinedLength is the value length 0xFFFFFFFF (PS3.5 7.1.1).
const undefinedLength = 0xFFFFFFFF

// Item and delimitation tags (PS3.5 7.5).
var (
	tagItem             = tag.Tag{Group: 0xFFFE, Element: 0xE000}
	tagItemDelimitation = tag.Tag{Group: 0xFFFE, Element: 0xE00D}
	tagSeqDelimitation  = tag.Tag{Group: 0xFFFE, Element: 0xE0DD}
)

// lengthChecker walks the encoded elements of a data set up to the end of
// group 0020 and checks every defined value length against the bytes left in
// its container. The codec allocates each value at its declared length
// before reading it, so a length of gigabytes in a few hundred bytes must
// be caught first.
type lengthChecker struct {
	r        io.ReaderAt
	order    binary.ByteOrder
	implicit bool
	buf      [12]byte
}

// checkLengths returns the offset where the first top-level element after
// group 0020 starts (size when there is none). It returns an error wrapping
// ErrUnparsable when an element before it declares more bytes than its
// container holds or the nesting is deeper than maxNesting.
func checkLengths(r io.ReaderAt, size int64, order binary.ByteOrder, implicit bool) (int64, error) {
	c := &lengthChecker{r: r, order: order, implicit: implicit}
	return c.dataSet(0, size, 0, true)
}

// read reads n bytes at off into the checker's buffer.
func (c *lengthChecker) read(off int64, n int, end int64) ([]byte, error) {
	if off+int64(n) > end {
		return nil, fmt.Errorf("%w: element header at offset %d runs past its container", ErrUnparsable, off)
	}
	b := c.buf[:n]
	if _, err := c.r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("%w: offset %d: %v", ErrUnparsable, off, err)
	}
	return b, nil
}

// dataSet checks the elements from off to end, or up to an item
// delimitation when end is undefined (inside an item of undefined length).
// It returns the offset after the last element it read.
func (c *lengthChecker) dataSet(off, end int64, depth int, topLevel bool) (int64, error) {
	if depth > maxNesting {
		return 0, fmt.Errorf("%w: sequences nested deeper than %d", ErrUnparsable, maxNesting)
	}
	for off < end {
		b, err := c.read(off, 4, end)
		if err != nil {
			return 0, err
		}
		t := tag.Tag{Group: c.order.Uint16(b[0:2]), Element: c.order.Uint16(b[2:4])}
		if topLevel && t.Group > lastHeaderGroup {
			return off, nil
		}
		if t == tagItemDelimitation {
			return off + 8, nil
		}
		vr, length, head, err := c.elementHeader(off, end, t)
		if err != nil {
			return 0, err
		}
		off += head

		// A sequence, or an undefined length (sequence, UN per PS3.5 6.2.2,
		// or encapsulated pixel data), holds items.
		if vr == "SQ" || length == undefinedLength {
			itemsEnd := end
			if length != undefinedLength {
				if int64(length) > end-off {
					return 0, fmt.Errorf("%w: %s length %d at offset %d exceeds its container", ErrUnparsable, t, length, off)
				}
				itemsEnd = off + int64(length)
			}
			off, err = c.items(off, itemsEnd, length == undefinedLength, depth+1)
			if err != nil {
				return 0, err
			}
			continue
		}
		if int64(length) > end-off {
			return 0, fmt.Errorf("%w: %s length %d at offset %d exceeds its container", ErrUnparsable, t, length, off)
		}
		off += int64(length)
	}
	return off, nil
}

// items checks the items of a sequence or of encapsulated pixel data, from
// off to end or, when undefined, to the sequence delimitation item.
func (c *lengthChecker) items(off, end int64, undefined bool, depth int) (int64, error) {
	for off < end {
		b, err := c.read(off, 8, end)
		if err != nil {
			return 0, err
		}
		t := tag.Tag{Group: c.order.Uint16(b[0:2]), Element: c.order.Uint16(b[2:4])}
		length := c.order.Uint32(b[4:8])
		off += 8
		switch t {
		case tagSeqDelimitation:
			return off, nil
		case tagItem:
		default:
			return 0, fmt.Errorf("%w: %s where an item was expected at offset %d", ErrUnparsable, t, off-8)
		}
		if length == undefinedLength {
			if off, err = c.dataSet(off, end, depth, false); err != nil {
				return 0, err
			}
			continue
		}
		if int64(length) > end-off {
			return 0, fmt.Errorf("%w: item length %d at offset %d exceeds its container", ErrUnparsable, length, off)
		}
		// Item contents are checked as a data set; fragments of
		// encapsulated pixel data never come before group 0020 ends.
		if _, err := c.dataSet(off, off+int64(length), depth, false); err != nil {
			return 0, err
		}
		off += int64(length)
	}
	if undefined {
		return 0, fmt.Errorf("%w: sequence without a delimitation item", ErrUnparsable)
	}
	return off, nil
}

// longVRs have a 2-byte reserved field and a 4-byte length in Explicit VR
// (PS3.5 Table 7.1-1).
var longVRs = map[string]bool{"OB": true, "OD": true, "OF": true, "OL": true, "OV": true, "OW": true,
	"SQ": true, "SV": true, "UC": true, "UN": true, "UR": true, "UT": true, "UV": true}

// elementHeader decodes the VR and value length of the element at off and
// returns the header's length. In Implicit VR the VR comes from the data
// dictionary, so that sequences are recognised.
func (c *lengthChecker) elementHeader(off, end int64, t tag.Tag) (vr string, length uint32, head int64, err error) {
	if c.implicit || t.Group == 0xFFFE {
		b, err := c.read(off, 8, end)
		if err != nil {
			return "", 0, 0, err
		}
		if info, ferr := tag.Find(t); ferr == nil && len(info.VRs) > 0 {
			vr = info.VRs[0]
		}
		return vr, c.order.Uint32(b[4:8]), 8, nil
	}
	b, err := c.read(off, 8, end)
	if err != nil {
		return "", 0, 0, err
	}
	vr = string(b[4:6])
	if !longVRs[vr] {
		return vr, uint32(c.order.Uint16(b[6:8])), 8, nil
	}
	b, err = c.read(off, 12, end)
	if err != nil {
		return "", 0, 0, err
	}
	return vr, c.order.Uint32(b[8:12]), 12, nil
}
