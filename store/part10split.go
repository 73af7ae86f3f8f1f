package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// SplitPart10 returns the transfer syntax UID of a Part 10 file's File Meta
// Information and the offset where its data set starts. A buffer without the
// "DICM" prefix at offset 128 is taken as a bare data set: offset 0 and an
// empty transfer syntax. It reads the group element by element, so a missing
// group length (0002,0000) does no harm.
func SplitPart10(b []byte) (tsUID string, offset int64, err error) {
	if len(b) < preambleLength+4 || !bytes.Equal(b[preambleLength:preambleLength+4], []byte("DICM")) {
		return "", 0, nil
	}
	pos := preambleLength + 4
	for pos+8 <= len(b) {
		group := binary.LittleEndian.Uint16(b[pos:])
		if group != 0x0002 {
			break
		}
		element := binary.LittleEndian.Uint16(b[pos+2:])
		vr := string(b[pos+4 : pos+6])
		var length, head int
		switch vr {
		case "OB", "OW", "OF", "SQ", "UT", "UN", "UC", "UR", "OD", "OL", "OV":
			if pos+12 > len(b) {
				return "", 0, fmt.Errorf("store: truncated file meta element (0002,%04X)", element)
			}
			length, head = int(binary.LittleEndian.Uint32(b[pos+8:])), 12
		default:
			length, head = int(binary.LittleEndian.Uint16(b[pos+6:])), 8
		}
		if length < 0 || pos+head+length > len(b) {
			return "", 0, fmt.Errorf("store: file meta element (0002,%04X) longer than the file", element)
		}
		if element == 0x0010 {
			tsUID = trimValue(string(b[pos+head : pos+head+length]))
		}
		pos += head + length
	}
	return tsUID, int64(pos), nil
}
