package onnxgen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Protobuf wire types (protobuf encoding specification, "Message Structure").
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// ErrMalformed is returned when a model file is not a well-formed protobuf
// encoding of the ONNX messages this package reads.
var ErrMalformed = errors.New("onnxgen: malformed ONNX protobuf")

// encoder appends protobuf fields to a byte slice.
type encoder struct{ b []byte }

func (e *encoder) tag(field, wire int) {
	e.b = binary.AppendUvarint(e.b, uint64(field)<<3|uint64(wire))
}

func (e *encoder) varint(field int, v int64) {
	e.tag(field, wireVarint)
	e.b = binary.AppendUvarint(e.b, uint64(v))
}

func (e *encoder) bytes(field int, v []byte) {
	e.tag(field, wireBytes)
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}

func (e *encoder) str(field int, s string) { e.bytes(field, []byte(s)) }

func (e *encoder) float32(field int, v float32) {
	e.tag(field, wireFixed32)
	e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(v))
}

// packedInt64 writes a packed repeated int64 field.
func (e *encoder) packedInt64(field int, vs []int64) {
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, uint64(v))
	}
	e.bytes(field, p)
}

// field is one decoded protobuf field. For wireBytes, data holds the
// payload; for the other wire types, num holds the value.
type field struct {
	num  int
	wire int
	val  uint64
	data []byte
	// raw is the whole encoded field, tag included, so that an edit can copy
	// fields it does not change unmodified.
	raw []byte
}

// decodeFields splits a message into its fields. Lengths are checked against
// the remaining input before any slice is taken, so a corrupt length cannot
// cause an allocation or a panic.
func decodeFields(msg []byte) ([]field, error) {
	var out []field
	for off := 0; off < len(msg); {
		start := off
		key, n := binary.Uvarint(msg[off:])
		if n <= 0 {
			return nil, fmt.Errorf("%w: bad field key at offset %d", ErrMalformed, off)
		}
		off += n
		f := field{num: int(key >> 3), wire: int(key & 7)}
		if f.num <= 0 || key>>3 > math.MaxInt32 {
			return nil, fmt.Errorf("%w: field number %d at offset %d", ErrMalformed, key>>3, start)
		}
		switch f.wire {
		case wireVarint:
			v, n := binary.Uvarint(msg[off:])
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad varint of field %d at offset %d", ErrMalformed, f.num, off)
			}
			f.val = v
			off += n
		case wireFixed64:
			if len(msg)-off < 8 {
				return nil, fmt.Errorf("%w: truncated fixed64 field %d", ErrMalformed, f.num)
			}
			f.val = binary.LittleEndian.Uint64(msg[off:])
			off += 8
		case wireFixed32:
			if len(msg)-off < 4 {
				return nil, fmt.Errorf("%w: truncated fixed32 field %d", ErrMalformed, f.num)
			}
			f.val = uint64(binary.LittleEndian.Uint32(msg[off:]))
			off += 4
		case wireBytes:
			l, n := binary.Uvarint(msg[off:])
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad length of field %d at offset %d", ErrMalformed, f.num, off)
			}
			off += n
			if l > uint64(len(msg)-off) {
				return nil, fmt.Errorf("%w: field %d length %d exceeds the %d bytes left", ErrMalformed, f.num, l, len(msg)-off)
			}
			f.data = msg[off : off+int(l)]
			off += int(l)
		default:
			return nil, fmt.Errorf("%w: unsupported wire type %d of field %d", ErrMalformed, f.wire, f.num)
		}
		f.raw = msg[start:off]
		out = append(out, f)
	}
	return out, nil
}

// int64s decodes a repeated int64 field, packed or not, appending to dst.
func (f field) int64s(dst []int64) ([]int64, error) {
	switch f.wire {
	case wireVarint:
		return append(dst, int64(f.val)), nil
	case wireBytes:
		for off := 0; off < len(f.data); {
			v, n := binary.Uvarint(f.data[off:])
			if n <= 0 {
				return nil, fmt.Errorf("%w: bad packed varint in field %d", ErrMalformed, f.num)
			}
			dst = append(dst, int64(v))
			off += n
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%w: field %d has wire type %d, want varint", ErrMalformed, f.num, f.wire)
}
