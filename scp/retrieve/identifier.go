package retrieve

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Transfer syntaxes whose data set encoding differs from Explicit VR Little
// Endian (PS3.5 section 10 and Annex A).
const (
	tsImplicitLittle = "1.2.840.10008.1.2"
	tsDeflated       = "1.2.840.10008.1.2.1.99"
	tsExplicitBig    = "1.2.840.10008.1.2.2"
)

// MaxIdentifierLength bounds the identifier of a request. An identifier
// holds a few keys, so it is a few hundred bytes.
const MaxIdentifierLength = 64 << 10

// ErrIdentifier is returned when an identifier cannot be decoded or lacks a
// key its level requires.
var ErrIdentifier = errors.New("retrieve: invalid identifier")

// Query/Retrieve levels (0008,0052) (PS3.4 C.6).
const (
	LevelPatient = "PATIENT"
	LevelStudy   = "STUDY"
	LevelSeries  = "SERIES"
	LevelImage   = "IMAGE"
)

// Identifier holds the keys of a retrieve request's identifier. Each UID
// key may list several UIDs, separated by backslashes (List of UID matching).
type Identifier struct {
	Level           string
	PatientID       string
	StudyUIDs       []string
	SeriesUIDs      []string
	SOPInstanceUIDs []string
}

// Tags read from an identifier, as group<<16 | element.
const (
	tagQueryRetrieveLevel = 0x00080052
	tagSOPInstanceUID     = 0x00080018
	tagPatientID          = 0x00100020
	tagStudyInstanceUID   = 0x0020000D
	tagSeriesInstanceUID  = 0x0020000E
)

// longVRs are the explicit VRs with a reserved field and a 4-byte length
// (PS3.5 Table 7.1-1).
var longVRs = map[string]bool{"OB": true, "OD": true, "OF": true, "OL": true, "OV": true, "OW": true,
	"SQ": true, "SV": true, "UC": true, "UN": true, "UR": true, "UT": true, "UV": true}

// DecodeIdentifier decodes an identifier encoded in transfer syntax tsUID.
// Only top-level elements are read; sequences of defined length are
// skipped, and an element of undefined length is an error, since the keys
// of a retrieve identifier are never sequences. It never panics and checks
// every length against the bytes left.
func DecodeIdentifier(b []byte, tsUID string) (*Identifier, error) {
	if len(b) > MaxIdentifierLength {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrIdentifier, len(b), MaxIdentifierLength)
	}
	var order binary.ByteOrder = binary.LittleEndian
	implicit := false
	switch tsUID {
	case tsImplicitLittle:
		implicit = true
	case tsExplicitBig:
		order = binary.BigEndian
	case tsDeflated:
		fr := flate.NewReader(bytes.NewReader(b))
		inflated, err := io.ReadAll(io.LimitReader(fr, MaxIdentifierLength+1))
		fr.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: inflate: %v", ErrIdentifier, err)
		}
		if len(inflated) > MaxIdentifierLength {
			return nil, fmt.Errorf("%w: inflates to more than %d bytes", ErrIdentifier, MaxIdentifierLength)
		}
		b = inflated
	}

	id := &Identifier{}
	for off := 0; off < len(b); {
		// 1. Tag, VR and length (PS3.5 7.1.2 and 7.1.3).
		if len(b)-off < 8 {
			return nil, fmt.Errorf("%w: %d bytes left at offset %d, too few for an element header", ErrIdentifier, len(b)-off, off)
		}
		group, elem := order.Uint16(b[off:]), order.Uint16(b[off+2:])
		tag := uint32(group)<<16 | uint32(elem)
		var length uint32
		switch {
		case implicit:
			length = order.Uint32(b[off+4:])
			off += 8
		case longVRs[string(b[off+4:off+6])]:
			if len(b)-off < 12 {
				return nil, fmt.Errorf("%w: truncated header of (%04X,%04X)", ErrIdentifier, group, elem)
			}
			length = order.Uint32(b[off+8:])
			off += 12
		default:
			length = uint32(order.Uint16(b[off+6:]))
			off += 8
		}
		if length == 0xFFFFFFFF {
			return nil, fmt.Errorf("%w: (%04X,%04X) has undefined length", ErrIdentifier, group, elem)
		}
		if uint64(length) > uint64(len(b)-off) {
			return nil, fmt.Errorf("%w: (%04X,%04X) declares %d bytes, %d left", ErrIdentifier, group, elem, length, len(b)-off)
		}
		value := b[off : off+int(length)]
		off += int(length)

		// 2. The keys.
		switch tag {
		case tagQueryRetrieveLevel:
			id.Level = strings.ToUpper(trimValue(value))
		case tagPatientID:
			id.PatientID = trimValue(value)
		case tagStudyInstanceUID:
			id.StudyUIDs = splitUIDs(value)
		case tagSeriesInstanceUID:
			id.SeriesUIDs = splitUIDs(value)
		case tagSOPInstanceUID:
			id.SOPInstanceUIDs = splitUIDs(value)
		}
	}
	return id, nil
}

// trimValue removes the padding of a string value: trailing NUL and
// spaces, and leading spaces (PS3.5 6.2).
func trimValue(v []byte) string {
	return strings.Trim(strings.TrimRight(string(v), "\x00"), " ")
}

func splitUIDs(v []byte) []string {
	var out []string
	for _, s := range strings.Split(trimValue(v), `\`) {
		if s = strings.Trim(s, " \x00"); s != "" {
			out = append(out, s)
		}
	}
	return out
}
