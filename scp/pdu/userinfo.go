package pdu

import (
	"encoding/binary"
	"fmt"
)

// UserInfo is the User Information item (PS3.8 section 9.3.2.3, Annex D)
// with its sub-items (PS3.7 Annex D.3.3). Absent optional sub-items are nil
// or empty.
type UserInfo struct {
	// MaxLength is the Maximum Length sub-item (PS3.8 Annex D.1): the
	// largest P-DATA-TF PDU-length the sender can receive; 0 means no
	// limit. HasMaxLength tells whether the sub-item was present.
	MaxLength    uint32
	HasMaxLength bool
	// ImplementationClassUID (PS3.7 D.3.3.2).
	ImplementationClassUID string
	// ImplementationVersionName (PS3.7 D.3.3.2), empty when absent.
	ImplementationVersionName string
	// AsyncOperationsWindow (PS3.7 D.3.3.3).
	AsyncOperationsWindow *AsyncOperationsWindow
	// RoleSelections (PS3.7 D.3.3.4).
	RoleSelections []RoleSelection
	// ExtendedNegotiations are SOP Class Extended Negotiation sub-items
	// (PS3.7 D.3.3.5).
	ExtendedNegotiations []SOPClassExtendedNegotiation
	// CommonExtendedNegotiations are SOP Class Common Extended
	// Negotiation sub-items (PS3.7 D.3.3.6).
	CommonExtendedNegotiations []SOPClassCommonExtendedNegotiation
	// UserIdentityRQ (PS3.7 D.3.3.7.1), sent by the requestor.
	UserIdentityRQ *UserIdentityRQ
	// UserIdentityAC (PS3.7 D.3.3.7.2), sent by the acceptor.
	UserIdentityAC *UserIdentityAC
	// Unknown holds sub-items of unknown type.
	Unknown []RawItem
}

// AsyncOperationsWindow is the Asynchronous Operations Window sub-item:
// the maximum number of operations invoked and performed outstanding; 0
// means unlimited.
type AsyncOperationsWindow struct {
	MaxInvoked   uint16
	MaxPerformed uint16
}

// RoleSelection is an SCP/SCU Role Selection sub-item: whether the
// association requestor may act as SCU and as SCP of the SOP class.
type RoleSelection struct {
	SOPClassUID string
	SCU         bool
	SCP         bool
}

// SOPClassExtendedNegotiation carries service-class-specific application
// information (PS3.4) for one SOP class.
type SOPClassExtendedNegotiation struct {
	SOPClassUID string
	Info        []byte
}

// SOPClassCommonExtendedNegotiation names the service class of a SOP class
// and its related general SOP classes.
type SOPClassCommonExtendedNegotiation struct {
	SOPClassUID                string
	ServiceClassUID            string
	RelatedGeneralSOPClassUIDs []string
}

// User identity types (PS3.7 Table D.3-14).
const (
	UserIdentityUsername         byte = 1
	UserIdentityUsernamePasscode byte = 2
	UserIdentityKerberos         byte = 3
	UserIdentitySAML             byte = 4
	UserIdentityJWT              byte = 5
)

// UserIdentityRQ is the User Identity sub-item of an A-ASSOCIATE-RQ.
// Secondary is the passcode for UserIdentityUsernamePasscode.
type UserIdentityRQ struct {
	IdentityType              byte
	PositiveResponseRequested bool
	Primary                   []byte
	Secondary                 []byte
}

// UserIdentityAC is the User Identity sub-item of an A-ASSOCIATE-AC.
type UserIdentityAC struct {
	ServerResponse []byte
}

func (u *UserInfo) append(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, ItemUserInformation, 0, 0, 0)
	var err error
	if u.HasMaxLength {
		b = append(b, ItemMaximumLength, 0, 0, 4)
		b = binary.BigEndian.AppendUint32(b, u.MaxLength)
	}
	if u.ImplementationClassUID != "" {
		if b, err = appendStringItem(b, ItemImplementationClass, u.ImplementationClassUID); err != nil {
			return b, err
		}
	}
	if w := u.AsyncOperationsWindow; w != nil {
		b = append(b, ItemAsyncOperationsWindow, 0, 0, 4)
		b = binary.BigEndian.AppendUint16(b, w.MaxInvoked)
		b = binary.BigEndian.AppendUint16(b, w.MaxPerformed)
	}
	for _, r := range u.RoleSelections {
		s := len(b)
		b = append(b, ItemRoleSelection, 0, 0, 0)
		if b, err = appendUID16(b, r.SOPClassUID); err != nil {
			return b, err
		}
		b = append(b, boolByte(r.SCU), boolByte(r.SCP))
		if err = closeItem(b, s); err != nil {
			return b, err
		}
	}
	if u.ImplementationVersionName != "" {
		if b, err = appendStringItem(b, ItemImplementationVersion, u.ImplementationVersionName); err != nil {
			return b, err
		}
	}
	for _, e := range u.ExtendedNegotiations {
		s := len(b)
		b = append(b, ItemSOPClassExtended, 0, 0, 0)
		if b, err = appendUID16(b, e.SOPClassUID); err != nil {
			return b, err
		}
		b = append(b, e.Info...)
		if err = closeItem(b, s); err != nil {
			return b, err
		}
	}
	for _, e := range u.CommonExtendedNegotiations {
		s := len(b)
		b = append(b, ItemSOPClassCommonExt, 0, 0, 0)
		if b, err = appendUID16(b, e.SOPClassUID); err != nil {
			return b, err
		}
		if b, err = appendUID16(b, e.ServiceClassUID); err != nil {
			return b, err
		}
		ls := len(b)
		b = append(b, 0, 0)
		for _, uid := range e.RelatedGeneralSOPClassUIDs {
			if b, err = appendUID16(b, uid); err != nil {
				return b, err
			}
		}
		n := len(b) - ls - 2
		if n > 0xFFFF {
			return b, fmt.Errorf("%w: related general SOP classes of %d bytes", ErrEncode, n)
		}
		binary.BigEndian.PutUint16(b[ls:], uint16(n))
		if err = closeItem(b, s); err != nil {
			return b, err
		}
	}
	if id := u.UserIdentityRQ; id != nil {
		s := len(b)
		b = append(b, ItemUserIdentityRQ, 0, 0, 0, id.IdentityType, boolByte(id.PositiveResponseRequested))
		if b, err = appendBytes16(b, id.Primary); err != nil {
			return b, err
		}
		if b, err = appendBytes16(b, id.Secondary); err != nil {
			return b, err
		}
		if err = closeItem(b, s); err != nil {
			return b, err
		}
	}
	if id := u.UserIdentityAC; id != nil {
		s := len(b)
		b = append(b, ItemUserIdentityAC, 0, 0, 0)
		if b, err = appendBytes16(b, id.ServerResponse); err != nil {
			return b, err
		}
		if err = closeItem(b, s); err != nil {
			return b, err
		}
	}
	if b, err = appendRawItems(b, u.Unknown); err != nil {
		return b, err
	}
	return b, closeItem(b, start)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendUID16(b []byte, s string) ([]byte, error) { return appendBytes16(b, []byte(s)) }

// appendBytes16 appends a 2-byte big-endian length and the bytes.
func appendBytes16(b []byte, v []byte) ([]byte, error) {
	if len(v) > 0xFFFF {
		return b, fmt.Errorf("%w: field of %d bytes", ErrEncode, len(v))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...), nil
}

// bytes16 reads a 2-byte length and that many bytes, copied.
func bytes16(c *cursor, field string) []byte {
	n := c.u16(field + " length")
	v := c.bytes(int(n), field)
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

func decodeUserInfo(data []byte) (UserInfo, error) {
	c := &cursor{b: data, what: "user information item"}
	var u UserInfo
	for c.err == nil && c.remaining() > 0 {
		it := nextItem(c)
		if c.err != nil {
			break
		}
		sc := &cursor{b: it.data, what: fmt.Sprintf("user information sub-item %02X", it.typ)}
		switch it.typ {
		case ItemMaximumLength:
			u.MaxLength = sc.u32("maximum-length-received")
			u.HasMaxLength = true
		case ItemImplementationClass:
			u.ImplementationClassUID = uidString(it.data)
			sc.off = len(it.data)
		case ItemImplementationVersion:
			u.ImplementationVersionName = uidString(it.data)
			sc.off = len(it.data)
		case ItemAsyncOperationsWindow:
			w := &AsyncOperationsWindow{}
			w.MaxInvoked = sc.u16("maximum-number-operations-invoked")
			w.MaxPerformed = sc.u16("maximum-number-operations-performed")
			u.AsyncOperationsWindow = w
		case ItemRoleSelection:
			var r RoleSelection
			r.SOPClassUID = uidString(bytes16(sc, "SOP-class-uid"))
			r.SCU = sc.u8("SCU-role") == 1
			r.SCP = sc.u8("SCP-role") == 1
			u.RoleSelections = append(u.RoleSelections, r)
		case ItemSOPClassExtended:
			var e SOPClassExtendedNegotiation
			e.SOPClassUID = uidString(bytes16(sc, "SOP-class-uid"))
			e.Info = append([]byte{}, sc.bytes(sc.remaining(), "service-class-application-information")...)
			u.ExtendedNegotiations = append(u.ExtendedNegotiations, e)
		case ItemSOPClassCommonExt:
			var e SOPClassCommonExtendedNegotiation
			e.SOPClassUID = uidString(bytes16(sc, "SOP-class-uid"))
			e.ServiceClassUID = uidString(bytes16(sc, "service-class-uid"))
			rel := sc.sub(int(sc.u16("related-general-sop-class-identification length")), "related general SOP class identification")
			for rel.err == nil && rel.remaining() > 0 {
				e.RelatedGeneralSOPClassUIDs = append(e.RelatedGeneralSOPClassUIDs, uidString(bytes16(rel, "related-general-sop-class-uid")))
			}
			if rel.err != nil && sc.err == nil {
				sc.err = rel.err
			}
			u.CommonExtendedNegotiations = append(u.CommonExtendedNegotiations, e)
		case ItemUserIdentityRQ:
			id := &UserIdentityRQ{}
			id.IdentityType = sc.u8("user-identity-type")
			id.PositiveResponseRequested = sc.u8("positive-response-requested") == 1
			id.Primary = bytes16(sc, "primary-field")
			id.Secondary = bytes16(sc, "secondary-field")
			u.UserIdentityRQ = id
		case ItemUserIdentityAC:
			u.UserIdentityAC = &UserIdentityAC{ServerResponse: bytes16(sc, "server-response")}
		default:
			u.Unknown = append(u.Unknown, RawItem{Type: it.typ, Reserved: it.reserved, Data: append([]byte(nil), it.data...)})
			sc.off = len(it.data)
		}
		if sc.err != nil {
			return u, sc.err
		}
		if sc.remaining() != 0 {
			return u, fmt.Errorf("%w: user information sub-item %02X has %d bytes left over", ErrMalformed, it.typ, sc.remaining())
		}
	}
	return u, c.err
}
