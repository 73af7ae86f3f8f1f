package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// explicitElement encodes one Explicit VR Little Endian element.
func explicitElement(group, element uint16, vr string, length uint32, value []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, group)
	b = binary.LittleEndian.AppendUint16(b, element)
	b = append(b, vr...)
	if longVRs[vr] {
		b = append(b, 0, 0)
		b = binary.LittleEndian.AppendUint32(b, length)
	} else {
		b = binary.LittleEndian.AppendUint16(b, uint16(length))
	}
	return append(b, value...)
}

func uidElement(element uint16, uid string) []byte {
	v := padUID(uid)
	return explicitElement(0x0008, element, "UI", uint32(len(v)), v)
}

func TestParseHeaderRejectsLengthsPastTheEnd(t *testing.T) {
	head := append(uidElement(0x0016, "1.2.840.10008.5.1.4.1.1.2"), uidElement(0x0018, "1.2.3.4.5")...)
	item := binary.LittleEndian.AppendUint16(nil, 0xFFFE)
	item = binary.LittleEndian.AppendUint16(item, 0xE000)
	item = binary.LittleEndian.AppendUint32(item, 0xFFFFFFF0)
	cases := []struct {
		name string
		tail []byte
	}{
		{"long value", explicitElement(0x0009, 0x1001, "OB", 0xFFFFFFF0, []byte{1, 2, 3, 4})},
		{"short value", explicitElement(0x0010, 0x0010, "PN", 0x4000, []byte("DOE^JANE"))},
		{"item in sequence", append(explicitElement(0x0008, 0x1115, "SQ", undefinedLength, nil), item...)},
		{"sequence without end", append(explicitElement(0x0008, 0x1115, "SQ", undefinedLength, nil), 0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := append(append([]byte(nil), head...), tc.tail...)
			_, err := ParseHeader(bytes.NewReader(data), int64(len(data)), tsExplicitLittle)
			if !errors.Is(err, ErrUnparsable) {
				t.Fatalf("ParseHeader: %v, want ErrUnparsable", err)
			}
		})
	}
}

func TestParseHeaderStopsAfterGroup0020(t *testing.T) {
	data := append(uidElement(0x0016, "1.2.840.10008.5.1.4.1.1.2"), uidElement(0x0018, "1.2.3.4.5")...)
	study := padUID("1.2.826.0.1.3680043.2.1143.1.2.3.4.5.6.7.8.9")
	data = append(data, explicitElement(0x0020, 0x000D, "UI", uint32(len(study)), study)...)
	// A later element with a length past the end is never read.
	data = append(data, explicitElement(0x7FE0, 0x0010, "OW", 0xFFFFFFF0, nil)...)
	h, err := ParseHeader(bytes.NewReader(data), int64(len(data)), tsExplicitLittle)
	if err != nil {
		t.Fatal(err)
	}
	if h.SOPClassUID != "1.2.840.10008.5.1.4.1.1.2" || h.SOPInstanceUID != "1.2.3.4.5" || h.StudyInstanceUID != "1.2.826.0.1.3680043.2.1143.1.2.3.4.5.6.7.8.9" {
		t.Errorf("header %+v", h)
	}
}
