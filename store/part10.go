package store

import (
	"encoding/binary"
	"fmt"

	"github.com/mdm2node/mdm2node/scp"
)

// Identity of this implementation, written to (0002,0012) and (0002,0013) of
// every stored file: the same as in the node's association negotiation.
const (
	ImplementationClassUID    = scp.ImplementationClassUID
	ImplementationVersionName = scp.ImplementationVersionName
)

// preambleLength is the length of the Part 10 file preamble (PS3.10 7.1).
const preambleLength = 128

// fileMeta is the content of a File Meta Information group (PS3.10 7.1).
type fileMeta struct {
	SOPClassUID       string
	SOPInstanceUID    string
	TransferSyntaxUID string
	SourceAETitle     string
}

// encodeFileHeader returns the preamble, the "DICM" prefix and the File Meta
// Information group, which is always Explicit VR Little Endian (PS3.10 7.1).
// The group has the elements (0002,0000) group length, 0001 version, 0002
// and 0003 media storage SOP class and instance, 0010 transfer syntax, 0012
// and 0013 implementation class and version, and 0016 source AE title.
func encodeFileHeader(m fileMeta) ([]byte, error) {
	if len(m.SOPClassUID) > 64 || len(m.SOPInstanceUID) > 64 || len(m.TransferSyntaxUID) > 64 || len(m.SourceAETitle) > 16 {
		return nil, fmt.Errorf("store: file meta value too long")
	}
	var group []byte
	group = appendShortElement(group, 0x0001, "OB", []byte{0x00, 0x01})
	group = appendShortElement(group, 0x0002, "UI", padUID(m.SOPClassUID))
	group = appendShortElement(group, 0x0003, "UI", padUID(m.SOPInstanceUID))
	group = appendShortElement(group, 0x0010, "UI", padUID(m.TransferSyntaxUID))
	group = appendShortElement(group, 0x0012, "UI", padUID(ImplementationClassUID))
	group = appendShortElement(group, 0x0013, "SH", padText(ImplementationVersionName))
	if m.SourceAETitle != "" {
		group = appendShortElement(group, 0x0016, "AE", padText(m.SourceAETitle))
	}

	out := make([]byte, preambleLength, preambleLength+4+12+len(group))
	out = append(out, 'D', 'I', 'C', 'M')
	var length [4]byte
	binary.LittleEndian.PutUint32(length[:], uint32(len(group)))
	out = appendShortElement(out, 0x0000, "UL", length[:])
	return append(out, group...), nil
}

// appendShortElement appends one group 0002 element in Explicit VR Little
// Endian. OB, like the other VRs with a 4-byte length (PS3.5 7.1.2), has two
// reserved bytes before its length.
func appendShortElement(b []byte, element uint16, vr string, value []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, 0x0002)
	b = binary.LittleEndian.AppendUint16(b, element)
	b = append(b, vr...)
	if vr == "OB" {
		b = append(b, 0, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(value)))
	} else {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(value)))
	}
	return append(b, value...)
}

// padUID pads a UI value to even length with a NUL byte (PS3.5 6.2).
func padUID(s string) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// padText pads a text value to even length with a space (PS3.5 6.2).
func padText(s string) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, ' ')
	}
	return b
}
