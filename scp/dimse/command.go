package dimse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Tag is the element number of a command element; the group is always 0000.
type Tag uint16

// Command elements (PS3.7 Annex E, Table E.1-1).
const (
	TagCommandGroupLength              Tag = 0x0000
	TagAffectedSOPClassUID             Tag = 0x0002
	TagRequestedSOPClassUID            Tag = 0x0003
	TagCommandField                    Tag = 0x0100
	TagMessageID                       Tag = 0x0110
	TagMessageIDBeingRespondedTo       Tag = 0x0120
	TagMoveDestination                 Tag = 0x0600
	TagPriority                        Tag = 0x0700
	TagCommandDataSetType              Tag = 0x0800
	TagStatus                          Tag = 0x0900
	TagOffendingElement                Tag = 0x0901
	TagErrorComment                    Tag = 0x0902
	TagErrorID                         Tag = 0x0903
	TagAffectedSOPInstanceUID          Tag = 0x1000
	TagRequestedSOPInstanceUID         Tag = 0x1001
	TagEventTypeID                     Tag = 0x1002
	TagAttributeIdentifierList         Tag = 0x1005
	TagActionTypeID                    Tag = 0x1008
	TagNumberOfRemainingSuboperations  Tag = 0x1020
	TagNumberOfCompletedSuboperations  Tag = 0x1021
	TagNumberOfFailedSuboperations     Tag = 0x1022
	TagNumberOfWarningSuboperations    Tag = 0x1023
	TagMoveOriginatorApplicationEntity Tag = 0x1030
	TagMoveOriginatorMessageID         Tag = 0x1031
)

func (t Tag) String() string { return fmt.Sprintf("(0000,%04X)", uint16(t)) }

// CommandField is the value of (0000,0100) (PS3.7 Annex E).
type CommandField uint16

// Command fields of the DIMSE-C and DIMSE-N services.
const (
	CStoreRQ        CommandField = 0x0001
	CStoreRSP       CommandField = 0x8001
	CGetRQ          CommandField = 0x0010
	CGetRSP         CommandField = 0x8010
	CFindRQ         CommandField = 0x0020
	CFindRSP        CommandField = 0x8020
	CMoveRQ         CommandField = 0x0021
	CMoveRSP        CommandField = 0x8021
	CEchoRQ         CommandField = 0x0030
	CEchoRSP        CommandField = 0x8030
	NEventReportRQ  CommandField = 0x0100
	NEventReportRSP CommandField = 0x8100
	NGetRQ          CommandField = 0x0110
	NGetRSP         CommandField = 0x8110
	NSetRQ          CommandField = 0x0120
	NSetRSP         CommandField = 0x8120
	NActionRQ       CommandField = 0x0130
	NActionRSP      CommandField = 0x8130
	NCreateRQ       CommandField = 0x0140
	NCreateRSP      CommandField = 0x8140
	NDeleteRQ       CommandField = 0x0150
	NDeleteRSP      CommandField = 0x8150
	CCancelRQ       CommandField = 0x0FFF
)

var commandFieldNames = map[CommandField]string{
	CStoreRQ: "C-STORE-RQ", CStoreRSP: "C-STORE-RSP",
	CGetRQ: "C-GET-RQ", CGetRSP: "C-GET-RSP",
	CFindRQ: "C-FIND-RQ", CFindRSP: "C-FIND-RSP",
	CMoveRQ: "C-MOVE-RQ", CMoveRSP: "C-MOVE-RSP",
	CEchoRQ: "C-ECHO-RQ", CEchoRSP: "C-ECHO-RSP",
	NEventReportRQ: "N-EVENT-REPORT-RQ", NEventReportRSP: "N-EVENT-REPORT-RSP",
	NGetRQ: "N-GET-RQ", NGetRSP: "N-GET-RSP",
	NSetRQ: "N-SET-RQ", NSetRSP: "N-SET-RSP",
	NActionRQ: "N-ACTION-RQ", NActionRSP: "N-ACTION-RSP",
	NCreateRQ: "N-CREATE-RQ", NCreateRSP: "N-CREATE-RSP",
	NDeleteRQ: "N-DELETE-RQ", NDeleteRSP: "N-DELETE-RSP",
	CCancelRQ: "C-CANCEL-RQ",
}

func (f CommandField) String() string {
	if s, ok := commandFieldNames[f]; ok {
		return s
	}
	return fmt.Sprintf("command field %04X", uint16(f))
}

// IsResponse reports whether f is the command field of a response.
func (f CommandField) IsResponse() bool { return f&0x8000 != 0 }

// Values of Command Data Set Type (0000,0800). Any value other than
// NoDataSet means a data set follows (PS3.7 Annex E).
const (
	NoDataSet      uint16 = 0x0101
	DataSetPresent uint16 = 0x0000
)

// Priority values (0000,0700).
const (
	PriorityMedium uint16 = 0x0000
	PriorityHigh   uint16 = 0x0001
	PriorityLow    uint16 = 0x0002
)

// Errors returned by Decode.
var (
	// ErrMalformed is returned when a command set cannot be decoded.
	ErrMalformed = errors.New("dimse: malformed command set")
	// ErrMissing is returned by the typed accessors' callers when a
	// required element is absent; see Command.Require.
	ErrMissing = errors.New("dimse: required command element missing")
)

// Element is one element of a command set. Value holds the raw value bytes,
// padded to an even length as on the wire.
type Element struct {
	Tag   Tag
	Value []byte
}

// Command is a DIMSE command set. Its elements are kept sorted by tag
// without the group length, which Encode computes.
type Command struct {
	Elements []Element
}

// vrOf returns the value representation of a command element, for padding
// and display (PS3.7 Annex E).
func vrOf(t Tag) string {
	switch t {
	case TagCommandGroupLength:
		return "UL"
	case TagAffectedSOPClassUID, TagRequestedSOPClassUID, TagAffectedSOPInstanceUID, TagRequestedSOPInstanceUID:
		return "UI"
	case TagMoveDestination, TagMoveOriginatorApplicationEntity:
		return "AE"
	case TagErrorComment:
		return "LO"
	case TagOffendingElement, TagAttributeIdentifierList:
		return "AT"
	default:
		return "US"
	}
}

// Decode parses a command set encoded in Implicit VR Little Endian. The
// elements must all be in group 0000 and in ascending order; a Command Group
// Length, when present, must come first and match the bytes that follow it.
// The returned Command's values are copies and do not alias b.
func Decode(b []byte) (*Command, error) {
	c := &Command{}
	var prev int = -1
	off := 0
	for off < len(b) {
		if len(b)-off < 8 {
			return nil, fmt.Errorf("%w: %d bytes left at offset %d, less than an element header", ErrMalformed, len(b)-off, off)
		}
		group := binary.LittleEndian.Uint16(b[off:])
		tag := Tag(binary.LittleEndian.Uint16(b[off+2:]))
		n := binary.LittleEndian.Uint32(b[off+4:])
		off += 8
		if group != 0 {
			return nil, fmt.Errorf("%w: element (%04X,%04X) at offset %d is not in group 0000", ErrMalformed, group, uint16(tag), off-8)
		}
		if uint64(n) > uint64(len(b)-off) {
			return nil, fmt.Errorf("%w: element %v declares %d bytes, %d remain", ErrMalformed, tag, n, len(b)-off)
		}
		if int(tag) <= prev {
			return nil, fmt.Errorf("%w: element %v out of order", ErrMalformed, tag)
		}
		prev = int(tag)
		v := b[off : off+int(n)]
		off += int(n)
		if tag == TagCommandGroupLength {
			if n != 4 {
				return nil, fmt.Errorf("%w: command group length has %d bytes, want 4", ErrMalformed, n)
			}
			if gl := binary.LittleEndian.Uint32(v); uint64(gl) != uint64(len(b)-off) {
				return nil, fmt.Errorf("%w: command group length %d, but %d bytes follow it", ErrMalformed, gl, len(b)-off)
			}
			continue
		}
		c.Elements = append(c.Elements, Element{Tag: tag, Value: append([]byte(nil), v...)})
	}
	return c, nil
}

// Encode returns the command set in Implicit VR Little Endian with the
// Command Group Length first.
func (c *Command) Encode() []byte {
	n := 0
	for _, e := range c.Elements {
		n += 8 + len(e.Value)
	}
	b := make([]byte, 12, 12+n)
	binary.LittleEndian.PutUint32(b[4:], 4)
	binary.LittleEndian.PutUint32(b[8:], uint32(n))
	for _, e := range c.Elements {
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Tag))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Value)))
		b = append(b, e.Value...)
	}
	return b
}

// find returns the index of tag in c.Elements, or -1.
func (c *Command) find(t Tag) int {
	i := sort.Search(len(c.Elements), func(i int) bool { return c.Elements[i].Tag >= t })
	if i < len(c.Elements) && c.Elements[i].Tag == t {
		return i
	}
	return -1
}

// Has reports whether the element is present.
func (c *Command) Has(t Tag) bool { return c.find(t) >= 0 }

// Raw returns the value bytes of an element.
func (c *Command) Raw(t Tag) ([]byte, bool) {
	if i := c.find(t); i >= 0 {
		return c.Elements[i].Value, true
	}
	return nil, false
}

// SetRaw sets the value bytes of an element, keeping the elements in order.
// Setting the group length is ignored: Encode computes it.
func (c *Command) SetRaw(t Tag, v []byte) {
	if t == TagCommandGroupLength {
		return
	}
	if i := c.find(t); i >= 0 {
		c.Elements[i].Value = v
		return
	}
	i := sort.Search(len(c.Elements), func(i int) bool { return c.Elements[i].Tag >= t })
	c.Elements = append(c.Elements, Element{})
	copy(c.Elements[i+1:], c.Elements[i:])
	c.Elements[i] = Element{Tag: t, Value: v}
}

// Uint16 returns the value of a US element. It reports false when the
// element is absent or its value is not 2 bytes long.
func (c *Command) Uint16(t Tag) (uint16, bool) {
	v, ok := c.Raw(t)
	if !ok || len(v) != 2 {
		return 0, false
	}
	return binary.LittleEndian.Uint16(v), true
}

// SetUint16 sets a US element.
func (c *Command) SetUint16(t Tag, v uint16) {
	c.SetRaw(t, binary.LittleEndian.AppendUint16(nil, v))
}

// String returns the value of a UI, AE or LO element with its padding
// (trailing NUL or space) and, for AE, leading spaces removed.
func (c *Command) String(t Tag) (string, bool) {
	v, ok := c.Raw(t)
	if !ok {
		return "", false
	}
	s := strings.TrimRight(string(v), "\x00 ")
	if vrOf(t) == "AE" {
		s = strings.TrimLeft(s, " ")
	}
	return s, true
}

// SetString sets a UI, AE or LO element, padding an odd length with NUL for
// UI and with a space otherwise (PS3.5 section 6.2).
func (c *Command) SetString(t Tag, s string) {
	v := []byte(s)
	if len(v)%2 == 1 {
		if vrOf(t) == "UI" {
			v = append(v, 0)
		} else {
			v = append(v, ' ')
		}
	}
	c.SetRaw(t, v)
}

// Field returns the command field (0000,0100).
func (c *Command) Field() (CommandField, bool) {
	v, ok := c.Uint16(TagCommandField)
	return CommandField(v), ok
}

// MessageID returns (0000,0110).
func (c *Command) MessageID() (uint16, bool) { return c.Uint16(TagMessageID) }

// HasDataSet reports whether Command Data Set Type (0000,0800) says a data
// set follows. A missing element counts as no data set.
func (c *Command) HasDataSet() bool {
	v, ok := c.Uint16(TagCommandDataSetType)
	return ok && v != NoDataSet
}

// Status returns (0000,0900).
func (c *Command) Status() (uint16, bool) { return c.Uint16(TagStatus) }

// Require returns an error wrapping ErrMissing that names the first of tags
// that is absent, or nil.
func (c *Command) Require(tags ...Tag) error {
	for _, t := range tags {
		if !c.Has(t) {
			return fmt.Errorf("%w: %v", ErrMissing, t)
		}
	}
	return nil
}

// String renders the command for logs and test failures, one element per
// line, e.g. "(0000,0100) US 0001".
func (c *Command) Format() string {
	var sb strings.Builder
	for _, e := range c.Elements {
		vr := vrOf(e.Tag)
		fmt.Fprintf(&sb, "%v %s ", e.Tag, vr)
		switch {
		case vr == "US" && len(e.Value) == 2:
			fmt.Fprintf(&sb, "%04X", binary.LittleEndian.Uint16(e.Value))
		case vr == "UI" || vr == "AE" || vr == "LO":
			fmt.Fprintf(&sb, "%q", strings.TrimRight(string(e.Value), "\x00"))
		default:
			fmt.Fprintf(&sb, "% x", e.Value)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
