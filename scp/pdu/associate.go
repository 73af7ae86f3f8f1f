package pdu

import (
	"fmt"
	"strings"
)

// Item types of the A-ASSOCIATE PDUs (PS3.8 section 9.3.2 and 9.3.3) and of
// the User Information sub-items (PS3.7 Annex D.3.3, PS3.8 Annex D).
const (
	ItemApplicationContext    byte = 0x10
	ItemPresentationContextRQ byte = 0x20
	ItemPresentationContextAC byte = 0x21
	ItemAbstractSyntax        byte = 0x30
	ItemTransferSyntax        byte = 0x40
	ItemUserInformation       byte = 0x50
	ItemMaximumLength         byte = 0x51
	ItemImplementationClass   byte = 0x52
	ItemAsyncOperationsWindow byte = 0x53
	ItemRoleSelection         byte = 0x54
	ItemImplementationVersion byte = 0x55
	ItemSOPClassExtended      byte = 0x56
	ItemSOPClassCommonExt     byte = 0x57
	ItemUserIdentityRQ        byte = 0x58
	ItemUserIdentityAC        byte = 0x59
)

// ProtocolVersion is bit 0 of the Protocol-version field, the only version.
const ProtocolVersion uint16 = 0x0001

// RawItem is an item of a type the decoder does not know, kept as read so
// that it can be encoded back. Data excludes the 4-byte item header.
type RawItem struct {
	Type     byte
	Reserved byte
	Data     []byte
}

// PresentationContextRQ is a Presentation Context item of an
// A-ASSOCIATE-RQ (PS3.8 Table 9-13): ID, one Abstract Syntax and one or more
// Transfer Syntax sub-items.
type PresentationContextRQ struct {
	ID               byte
	AbstractSyntax   string
	TransferSyntaxes []string
}

// Presentation context results (PS3.8 Table 9-18).
const (
	ResultAcceptance                   byte = 0
	ResultUserRejection                byte = 1
	ResultNoReason                     byte = 2
	ResultAbstractSyntaxNotSupported   byte = 3
	ResultTransferSyntaxesNotSupported byte = 4
)

// PresentationContextAC is a Presentation Context item of an
// A-ASSOCIATE-AC (PS3.8 Table 9-18). TransferSyntax is not significant
// when Result is not ResultAcceptance.
type PresentationContextAC struct {
	ID             byte
	Result         byte
	TransferSyntax string
}

// AssociateRQ is the A-ASSOCIATE-RQ PDU (PS3.8 Table 9-11):
//
//	offset 6   protocol-version    2
//	offset 8   reserved            2
//	offset 10  called-AE-title    16
//	offset 26  calling-AE-title   16
//	offset 42  reserved           32
//	offset 74  variable items: one Application Context, one or more
//	           Presentation Context, one User Information
//
// AE titles are held without their space padding.
type AssociateRQ struct {
	ProtocolVersion      uint16
	CalledAE             string
	CallingAE            string
	ApplicationContext   string
	PresentationContexts []PresentationContextRQ
	UserInfo             UserInfo
	// Unknown holds top-level items of unknown type, in order of arrival.
	Unknown []RawItem
}

// AssociateAC is the A-ASSOCIATE-AC PDU (PS3.8 Table 9-17), laid out as
// AssociateRQ. CalledAE and CallingAE are reserved fields that carry the
// values of the request; they are not to be tested on receipt.
type AssociateAC struct {
	ProtocolVersion      uint16
	CalledAE             string
	CallingAE            string
	ApplicationContext   string
	PresentationContexts []PresentationContextAC
	UserInfo             UserInfo
	Unknown              []RawItem
}

// Type returns TypeAssociateRQ.
func (*AssociateRQ) Type() Type { return TypeAssociateRQ }

// Type returns TypeAssociateAC.
func (*AssociateAC) Type() Type { return TypeAssociateAC }

func (p *AssociateRQ) appendBody(b []byte) ([]byte, error) {
	b, err := appendAssociateFixed(b, p.ProtocolVersion, p.CalledAE, p.CallingAE)
	if err != nil {
		return b, err
	}
	b, err = appendStringItem(b, ItemApplicationContext, p.ApplicationContext)
	if err != nil {
		return b, err
	}
	for _, pc := range p.PresentationContexts {
		start := len(b)
		b = append(b, ItemPresentationContextRQ, 0, 0, 0, pc.ID, 0, 0, 0)
		if b, err = appendStringItem(b, ItemAbstractSyntax, pc.AbstractSyntax); err != nil {
			return b, err
		}
		for _, ts := range pc.TransferSyntaxes {
			if b, err = appendStringItem(b, ItemTransferSyntax, ts); err != nil {
				return b, err
			}
		}
		if err := closeItem(b, start); err != nil {
			return b, err
		}
	}
	if b, err = p.UserInfo.append(b); err != nil {
		return b, err
	}
	return appendRawItems(b, p.Unknown)
}

func (p *AssociateAC) appendBody(b []byte) ([]byte, error) {
	b, err := appendAssociateFixed(b, p.ProtocolVersion, p.CalledAE, p.CallingAE)
	if err != nil {
		return b, err
	}
	b, err = appendStringItem(b, ItemApplicationContext, p.ApplicationContext)
	if err != nil {
		return b, err
	}
	for _, pc := range p.PresentationContexts {
		start := len(b)
		b = append(b, ItemPresentationContextAC, 0, 0, 0, pc.ID, 0, pc.Result, 0)
		if b, err = appendStringItem(b, ItemTransferSyntax, pc.TransferSyntax); err != nil {
			return b, err
		}
		if err := closeItem(b, start); err != nil {
			return b, err
		}
	}
	if b, err = p.UserInfo.append(b); err != nil {
		return b, err
	}
	return appendRawItems(b, p.Unknown)
}

// appendAssociateFixed appends the 68-byte fixed part of A-ASSOCIATE-RQ/AC.
func appendAssociateFixed(b []byte, version uint16, called, calling string) ([]byte, error) {
	b = append(b, byte(version>>8), byte(version), 0, 0)
	for _, ae := range []string{called, calling} {
		if len(ae) > 16 {
			return b, fmt.Errorf("%w: AE title %q longer than 16 bytes", ErrEncode, ae)
		}
		b = append(b, ae...)
		for i := len(ae); i < 16; i++ {
			b = append(b, ' ')
		}
	}
	return append(b, make([]byte, 32)...), nil
}

// appendStringItem appends an item whose value is a string (a UID or name).
func appendStringItem(b []byte, typ byte, s string) ([]byte, error) {
	if len(s) > 0xFFFF {
		return b, fmt.Errorf("%w: item %02X of %d bytes", ErrEncode, typ, len(s))
	}
	b = append(b, typ, 0, byte(len(s)>>8), byte(len(s)))
	return append(b, s...), nil
}

// closeItem fills in the length of the item that starts at b[start].
func closeItem(b []byte, start int) error {
	n := len(b) - start - 4
	if n > 0xFFFF {
		return fmt.Errorf("%w: item %02X of %d bytes", ErrEncode, b[start], n)
	}
	b[start+2] = byte(n >> 8)
	b[start+3] = byte(n)
	return nil
}

func appendRawItems(b []byte, items []RawItem) ([]byte, error) {
	for _, it := range items {
		if len(it.Data) > 0xFFFF {
			return b, fmt.Errorf("%w: item %02X of %d bytes", ErrEncode, it.Type, len(it.Data))
		}
		b = append(b, it.Type, it.Reserved, byte(len(it.Data)>>8), byte(len(it.Data)))
		b = append(b, it.Data...)
	}
	return b, nil
}

// item is one decoded item header and its data.
type item struct {
	typ      byte
	reserved byte
	data     []byte
}

// nextItem reads an item header and its data from c.
func nextItem(c *cursor) item {
	typ := c.u8("item type")
	res := c.u8("item reserved byte")
	n := c.u16("item length")
	data := c.bytes(int(n), fmt.Sprintf("item %02X", typ))
	return item{typ: typ, reserved: res, data: data}
}

// uidString converts a UID or name field, removing a trailing NUL that some
// implementations add although PS3.8 9.3.2.2 forbids padding.
func uidString(b []byte) string {
	return strings.TrimRight(string(b), "\x00")
}

// aeString removes the space padding of a 16-byte AE title field.
func aeString(b []byte) string {
	return strings.Trim(string(b), " \x00")
}

type associateFixed struct {
	version         uint16
	called, calling string
}

func decodeAssociateFixed(c *cursor) associateFixed {
	var f associateFixed
	f.version = c.u16("protocol-version")
	c.u16("reserved")
	f.called = aeString(c.bytes(16, "called-AE-title"))
	f.calling = aeString(c.bytes(16, "calling-AE-title"))
	c.bytes(32, "reserved")
	return f
}

func decodeAssociateRQ(body []byte) (*AssociateRQ, error) {
	c := &cursor{b: body, what: "A-ASSOCIATE-RQ"}
	f := decodeAssociateFixed(c)
	p := &AssociateRQ{ProtocolVersion: f.version, CalledAE: f.called, CallingAE: f.calling}
	var sawAppCtx, sawUserInfo bool
	for c.err == nil && c.remaining() > 0 {
		it := nextItem(c)
		if c.err != nil {
			break
		}
		switch it.typ {
		case ItemApplicationContext:
			p.ApplicationContext = uidString(it.data)
			sawAppCtx = true
		case ItemPresentationContextRQ:
			pc, err := decodePresentationContextRQ(it.data)
			if err != nil {
				return nil, err
			}
			p.PresentationContexts = append(p.PresentationContexts, pc)
		case ItemUserInformation:
			ui, err := decodeUserInfo(it.data)
			if err != nil {
				return nil, fmt.Errorf("A-ASSOCIATE-RQ: %w", err)
			}
			p.UserInfo = ui
			sawUserInfo = true
		default:
			p.Unknown = append(p.Unknown, RawItem{Type: it.typ, Reserved: it.reserved, Data: append([]byte(nil), it.data...)})
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if !sawAppCtx {
		return nil, fmt.Errorf("%w: A-ASSOCIATE-RQ without Application Context item", ErrMalformed)
	}
	if len(p.PresentationContexts) == 0 {
		return nil, fmt.Errorf("%w: A-ASSOCIATE-RQ without Presentation Context item", ErrMalformed)
	}
	if !sawUserInfo {
		return nil, fmt.Errorf("%w: A-ASSOCIATE-RQ without User Information item", ErrMalformed)
	}
	return p, nil
}

func decodePresentationContextRQ(data []byte) (PresentationContextRQ, error) {
	c := &cursor{b: data, what: "presentation context item (RQ)"}
	var pc PresentationContextRQ
	pc.ID = c.u8("presentation-context-ID")
	c.bytes(3, "reserved")
	sawAbstract := false
	for c.err == nil && c.remaining() > 0 {
		it := nextItem(c)
		if c.err != nil {
			break
		}
		switch it.typ {
		case ItemAbstractSyntax:
			if sawAbstract {
				c.fail("context %d has more than one abstract syntax", pc.ID)
			}
			pc.AbstractSyntax = uidString(it.data)
			sawAbstract = true
		case ItemTransferSyntax:
			pc.TransferSyntaxes = append(pc.TransferSyntaxes, uidString(it.data))
		default:
			// PS3.8 9.3.2.2 allows no other sub-items; unknown ones are skipped.
		}
	}
	if c.err != nil {
		return pc, c.err
	}
	if !sawAbstract {
		return pc, fmt.Errorf("%w: presentation context %d without abstract syntax", ErrMalformed, pc.ID)
	}
	if len(pc.TransferSyntaxes) == 0 {
		return pc, fmt.Errorf("%w: presentation context %d without transfer syntax", ErrMalformed, pc.ID)
	}
	return pc, nil
}

func decodeAssociateAC(body []byte) (*AssociateAC, error) {
	c := &cursor{b: body, what: "A-ASSOCIATE-AC"}
	f := decodeAssociateFixed(c)
	p := &AssociateAC{ProtocolVersion: f.version, CalledAE: f.called, CallingAE: f.calling}
	var sawAppCtx, sawUserInfo bool
	for c.err == nil && c.remaining() > 0 {
		it := nextItem(c)
		if c.err != nil {
			break
		}
		switch it.typ {
		case ItemApplicationContext:
			p.ApplicationContext = uidString(it.data)
			sawAppCtx = true
		case ItemPresentationContextAC:
			pc, err := decodePresentationContextAC(it.data)
			if err != nil {
				return nil, err
			}
			p.PresentationContexts = append(p.PresentationContexts, pc)
		case ItemUserInformation:
			ui, err := decodeUserInfo(it.data)
			if err != nil {
				return nil, fmt.Errorf("A-ASSOCIATE-AC: %w", err)
			}
			p.UserInfo = ui
			sawUserInfo = true
		default:
			p.Unknown = append(p.Unknown, RawItem{Type: it.typ, Reserved: it.reserved, Data: append([]byte(nil), it.data...)})
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if !sawAppCtx {
		return nil, fmt.Errorf("%w: A-ASSOCIATE-AC without Application Context item", ErrMalformed)
	}
	if !sawUserInfo {
		return nil, fmt.Errorf("%w: A-ASSOCIATE-AC without User Information item", ErrMalformed)
	}
	return p, nil
}

func decodePresentationContextAC(data []byte) (PresentationContextAC, error) {
	c := &cursor{b: data, what: "presentation context item (AC)"}
	var pc PresentationContextAC
	pc.ID = c.u8("presentation-context-ID")
	c.u8("reserved")
	pc.Result = c.u8("result/reason")
	c.u8("reserved")
	for c.err == nil && c.remaining() > 0 {
		it := nextItem(c)
		if c.err == nil && it.typ == ItemTransferSyntax {
			pc.TransferSyntax = uidString(it.data)
		}
	}
	return pc, c.err
}

// A-ASSOCIATE-RJ results (PS3.8 Table 9-21).
const (
	RejectPermanent byte = 1
	RejectTransient byte = 2
)

// A-ASSOCIATE-RJ sources (PS3.8 Table 9-21).
const (
	RejectSourceServiceUser                 byte = 1
	RejectSourceServiceProviderACSE         byte = 2
	RejectSourceServiceProviderPresentation byte = 3
)

// A-ASSOCIATE-RJ reasons (PS3.8 Table 9-21), by source.
const (
	// Source 1, service user.
	RejectReasonNoReason               byte = 1
	RejectReasonAppContextNotSupported byte = 2
	RejectReasonCallingAENotRecognized byte = 3
	RejectReasonCalledAENotRecognized  byte = 7
	// Source 2, service provider (ACSE related function).
	RejectReasonProtocolVersionNotSupported byte = 2
	// Source 3, service provider (presentation related function).
	RejectReasonTemporaryCongestion byte = 1
	RejectReasonLocalLimitExceeded  byte = 2
)

// AssociateRJ is the A-ASSOCIATE-RJ PDU (PS3.8 Table 9-21):
//
//	offset 6  reserved           1
//	offset 7  result             1
//	offset 8  source             1
//	offset 9  reason/diagnostic  1
type AssociateRJ struct {
	Result byte
	Source byte
	Reason byte
}

// Type returns TypeAssociateRJ.
func (*AssociateRJ) Type() Type { return TypeAssociateRJ }

func (p *AssociateRJ) appendBody(b []byte) ([]byte, error) {
	return append(b, 0, p.Result, p.Source, p.Reason), nil
}

func decodeAssociateRJ(body []byte) (*AssociateRJ, error) {
	if err := checkReserved4(TypeAssociateRJ, body); err != nil {
		return nil, err
	}
	return &AssociateRJ{Result: body[1], Source: body[2], Reason: body[3]}, nil
}
