package pdu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Type is the PDU-type byte (PS3.8 Table 9-11 and following).
type Type byte

// PDU types.
const (
	TypeAssociateRQ Type = 0x01
	TypeAssociateAC Type = 0x02
	TypeAssociateRJ Type = 0x03
	TypePDataTF     Type = 0x04
	TypeReleaseRQ   Type = 0x05
	TypeReleaseRP   Type = 0x06
	TypeAbort       Type = 0x07
)

func (t Type) String() string {
	switch t {
	case TypeAssociateRQ:
		return "A-ASSOCIATE-RQ"
	case TypeAssociateAC:
		return "A-ASSOCIATE-AC"
	case TypeAssociateRJ:
		return "A-ASSOCIATE-RJ"
	case TypePDataTF:
		return "P-DATA-TF"
	case TypeReleaseRQ:
		return "A-RELEASE-RQ"
	case TypeReleaseRP:
		return "A-RELEASE-RP"
	case TypeAbort:
		return "A-ABORT"
	}
	return fmt.Sprintf("PDU type %02X", byte(t))
}

// HeaderLength is the length of the PDU header: type, reserved, length.
const HeaderLength = 6

// Errors returned by the decoders and the Reader.
var (
	// ErrMalformed is returned when a PDU's content does not follow its
	// layout in PS3.8 section 9.3.
	ErrMalformed = errors.New("pdu: malformed PDU")
	// ErrUnknownType is returned when the PDU-type byte is none of the seven
	// PDU types.
	ErrUnknownType = errors.New("pdu: unrecognized PDU type")
	// ErrTooLong is returned when a PDU declares a length beyond the
	// reader's limit for its type; nothing of that size is allocated.
	ErrTooLong = errors.New("pdu: PDU length exceeds the limit")
	// ErrEncode is returned when a PDU cannot be encoded, e.g. a field is
	// longer than its length field can express.
	ErrEncode = errors.New("pdu: cannot encode")
)

// PDU is one of *AssociateRQ, *AssociateAC, *AssociateRJ, *PDataTF,
// *ReleaseRQ, *ReleaseRP and *Abort.
type PDU interface {
	// Type returns the PDU-type byte.
	Type() Type
	// appendBody appends the PDU's variable part (after the header).
	appendBody(b []byte) ([]byte, error)
}

// Append appends the encoding of p, header included, to b.
func Append(b []byte, p PDU) ([]byte, error) {
	start := len(b)
	b = append(b, byte(p.Type()), 0, 0, 0, 0, 0)
	b, err := p.appendBody(b)
	if err != nil {
		return b[:start], fmt.Errorf("%v: %w", p.Type(), err)
	}
	n := len(b) - start - HeaderLength
	if uint64(n) > 0xFFFFFFFF {
		return b[:start], fmt.Errorf("%w: %v of %d bytes", ErrEncode, p.Type(), n)
	}
	binary.BigEndian.PutUint32(b[start+2:], uint32(n))
	return b, nil
}

// Encode returns the encoding of p, header included.
func Encode(p PDU) ([]byte, error) { return Append(nil, p) }

// Decode decodes one whole PDU, header included. b must hold exactly one
// PDU. The returned PDU does not alias b.
func Decode(b []byte) (PDU, error) {
	if len(b) < HeaderLength {
		return nil, fmt.Errorf("%w: %d bytes, less than a PDU header", ErrMalformed, len(b))
	}
	t := Type(b[0])
	n := binary.BigEndian.Uint32(b[2:])
	if uint64(n) != uint64(len(b)-HeaderLength) {
		return nil, fmt.Errorf("%w: %v declares %d bytes, %d follow the header", ErrMalformed, t, n, len(b)-HeaderLength)
	}
	body := append([]byte(nil), b[HeaderLength:]...)
	return DecodeBody(t, body)
}

// DecodeBody decodes the variable part of a PDU of type t. A P-DATA-TF's
// PDV values alias body; the other PDUs copy what they keep.
func DecodeBody(t Type, body []byte) (PDU, error) {
	switch t {
	case TypeAssociateRQ:
		return decodeAssociateRQ(body)
	case TypeAssociateAC:
		return decodeAssociateAC(body)
	case TypeAssociateRJ:
		return decodeAssociateRJ(body)
	case TypePDataTF:
		return decodePDataTF(body)
	case TypeReleaseRQ:
		if err := checkReserved4(t, body); err != nil {
			return nil, err
		}
		return &ReleaseRQ{}, nil
	case TypeReleaseRP:
		if err := checkReserved4(t, body); err != nil {
			return nil, err
		}
		return &ReleaseRP{}, nil
	case TypeAbort:
		return decodeAbort(body)
	}
	return nil, fmt.Errorf("%w: %02X", ErrUnknownType, byte(t))
}

// Reader reads PDUs from a stream, one at a time.
type Reader struct {
	r io.Reader
	// MaxPDataLength is the largest P-DATA-TF PDU-length accepted: the
	// Maximum Length this side announced (PS3.8 Annex D.1).
	MaxPDataLength uint32
	// MaxOtherLength is the largest PDU-length accepted for the other PDU
	// types; A-ASSOCIATE-RQ/AC carry presentation contexts and user
	// identity tokens and can be larger than a P-DATA-TF.
	MaxOtherLength uint32

	hdr [HeaderLength]byte
	buf []byte
}

// NewReader returns a Reader with the given limits.
func NewReader(r io.Reader, maxPDataLength, maxOtherLength uint32) *Reader {
	return &Reader{r: r, MaxPDataLength: maxPDataLength, MaxOtherLength: maxOtherLength}
}

// Next reads the next PDU. Errors:
//   - io.EOF when the stream ends cleanly between PDUs;
//   - io.ErrUnexpectedEOF when it ends inside a PDU;
//   - ErrUnknownType for a PDU-type byte that is not one of the seven,
//     after reading only the header;
//   - ErrTooLong when the declared length is over the limit, after reading
//     only the header;
//   - ErrMalformed when the body does not decode;
//   - the stream's own error otherwise (e.g. a timeout).
//
// A *PDataTF returned by Next aliases the Reader's buffer and is valid only
// until the next call to Next.
func (r *Reader) Next() (PDU, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return nil, err
	}
	t := Type(r.hdr[0])
	n := binary.BigEndian.Uint32(r.hdr[2:])

	// Check the type and the declared length before reading or allocating
	// anything: the length comes from the peer and is not trusted.
	limit := r.MaxOtherLength
	switch t {
	case TypePDataTF:
		limit = r.MaxPDataLength
	case TypeAssociateRQ, TypeAssociateAC:
	case TypeAssociateRJ, TypeReleaseRQ, TypeReleaseRP, TypeAbort:
		limit = 4
	default:
		return nil, fmt.Errorf("%w: %02X", ErrUnknownType, byte(t))
	}
	if n > limit {
		return nil, fmt.Errorf("%w: %v declares %d bytes, the limit is %d", ErrTooLong, t, n, limit)
	}

	// Read the body into the reusable buffer, grown only up to n.
	if uint32(cap(r.buf)) < n {
		r.buf = make([]byte, n)
	}
	body := r.buf[:n]
	if _, err := io.ReadFull(r.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if t != TypePDataTF {
		// Other PDUs are rare; keep none of them aliasing the buffer.
		body = append([]byte(nil), body...)
	}
	return DecodeBody(t, body)
}

// Writer writes PDUs, each with a single Write call, reusing one buffer.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write encodes p and writes it with one call to the underlying Write.
func (w *Writer) Write(p PDU) error {
	b, err := Append(w.buf[:0], p)
	if err != nil {
		return err
	}
	w.buf = b
	_, err = w.w.Write(b)
	return err
}

func checkReserved4(t Type, body []byte) error {
	if len(body) != 4 {
		return fmt.Errorf("%w: %v has %d bytes, want 4", ErrMalformed, t, len(body))
	}
	return nil
}

// ReleaseRQ is the A-RELEASE-RQ PDU (PS3.8 Table 9-24): four reserved bytes.
type ReleaseRQ struct{}

// Type returns TypeReleaseRQ.
func (*ReleaseRQ) Type() Type                          { return TypeReleaseRQ }
func (*ReleaseRQ) appendBody(b []byte) ([]byte, error) { return append(b, 0, 0, 0, 0), nil }

// ReleaseRP is the A-RELEASE-RP PDU (PS3.8 Table 9-25): four reserved bytes.
type ReleaseRP struct{}

// Type returns TypeReleaseRP.
func (*ReleaseRP) Type() Type                          { return TypeReleaseRP }
func (*ReleaseRP) appendBody(b []byte) ([]byte, error) { return append(b, 0, 0, 0, 0), nil }

// Abort sources (PS3.8 Table 9-26).
const (
	AbortSourceServiceUser     byte = 0
	AbortSourceReserved        byte = 1
	AbortSourceServiceProvider byte = 2
)

// Abort reasons when the source is the service provider (PS3.8 Table 9-26).
const (
	AbortReasonNotSpecified         byte = 0
	AbortReasonUnrecognizedPDU      byte = 1
	AbortReasonUnexpectedPDU        byte = 2
	AbortReasonUnrecognizedPDUParam byte = 4
	AbortReasonUnexpectedPDUParam   byte = 5
	AbortReasonInvalidPDUParamValue byte = 6
)

// Abort is the A-ABORT PDU (PS3.8 Table 9-26):
//
//	offset 6  reserved  1
//	offset 7  reserved  1
//	offset 8  source    1
//	offset 9  reason    1  (significant only when source is 2)
type Abort struct {
	Source byte
	Reason byte
}

// Type returns TypeAbort.
func (*Abort) Type() Type { return TypeAbort }
func (a *Abort) appendBody(b []byte) ([]byte, error) {
	return append(b, 0, 0, a.Source, a.Reason), nil
}

func decodeAbort(body []byte) (*Abort, error) {
	if err := checkReserved4(TypeAbort, body); err != nil {
		return nil, err
	}
	return &Abort{Source: body[2], Reason: body[3]}, nil
}
