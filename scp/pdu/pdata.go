package pdu

import (
	"encoding/binary"
	"fmt"
)

// Bits of the message control header of a PDV (PS3.8 Annex E.2).
const (
	// FlagCommand is set when the fragment is part of a command set,
	// clear for a data set.
	FlagCommand byte = 0x01
	// FlagLast is set on the last fragment of a command or data set.
	FlagLast byte = 0x02
)

// PDVHeaderLength is the bytes a PDV item adds around its fragment: item
// length (4), presentation context ID (1), message control header (1).
const PDVHeaderLength = 6

// PDV is a Presentation Data Value item (PS3.8 Table 9-23, Annex E):
//
//	offset 0  item-length                   4  (counts from offset 4)
//	offset 4  presentation-context-ID       1
//	offset 5  message control header        1
//	offset 6  fragment of a command or data set
type PDV struct {
	ContextID byte
	Control   byte
	Data      []byte
}

// IsCommand reports whether the fragment belongs to a command set.
func (v PDV) IsCommand() bool { return v.Control&FlagCommand != 0 }

// IsLast reports whether the fragment is the last of its command or data set.
func (v PDV) IsLast() bool { return v.Control&FlagLast != 0 }

// PDataTF is the P-DATA-TF PDU (PS3.8 Table 9-22): one or more PDV items.
type PDataTF struct {
	PDVs []PDV
}

// Type returns TypePDataTF.
func (*PDataTF) Type() Type { return TypePDataTF }

func (p *PDataTF) appendBody(b []byte) ([]byte, error) {
	for _, v := range p.PDVs {
		if uint64(len(v.Data))+2 > 0xFFFFFFFF {
			return b, fmt.Errorf("%w: PDV of %d bytes", ErrEncode, len(v.Data))
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(v.Data)+2))
		b = append(b, v.ContextID, v.Control)
		b = append(b, v.Data...)
	}
	return b, nil
}

func decodePDataTF(body []byte) (*PDataTF, error) {
	c := &cursor{b: body, what: "P-DATA-TF"}
	p := &PDataTF{}
	for c.err == nil && c.remaining() > 0 {
		n := c.u32("PDV item-length")
		if c.err == nil && n < 2 {
			c.fail("PDV item-length %d is less than 2", n)
			break
		}
		if c.err == nil && uint64(n) > uint64(c.remaining()) {
			c.fail("PDV item-length %d, %d bytes remain", n, c.remaining())
			break
		}
		id := c.u8("presentation-context-ID")
		ctl := c.u8("message control header")
		data := c.bytes(int(n)-2, "PDV data")
		if c.err == nil {
			p.PDVs = append(p.PDVs, PDV{ContextID: id, Control: ctl, Data: data})
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if len(p.PDVs) == 0 {
		return nil, fmt.Errorf("%w: P-DATA-TF without PDV item", ErrMalformed)
	}
	return p, nil
}
