package retrieve

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// element encodes one element in Explicit (vr != "") or Implicit VR.
func element(order binary.AppendByteOrder, group, elem uint16, vr string, value string, implicit bool) []byte {
	v := []byte(value)
	if len(v)%2 == 1 {
		pad := byte(' ')
		if vr == "UI" {
			pad = 0
		}
		v = append(v, pad)
	}
	var b []byte
	b = order.AppendUint16(b, group)
	b = order.AppendUint16(b, elem)
	switch {
	case implicit:
		b = order.AppendUint32(b, uint32(len(v)))
	case longVRs[vr]:
		b = append(b, vr[0], vr[1], 0, 0)
		b = order.AppendUint32(b, uint32(len(v)))
	default:
		b = append(b, vr[0], vr[1])
		b = order.AppendUint16(b, uint16(len(v)))
	}
	return append(b, v...)
}

// seriesIdentifier encodes a SERIES-level identifier.
func seriesIdentifier(order binary.AppendByteOrder, implicit bool) []byte {
	var b []byte
	b = append(b, element(order, 0x0008, 0x0052, "CS", "SERIES", implicit)...)
	b = append(b, element(order, 0x0010, 0x0020, "LO", "PAT1", implicit)...)
	b = append(b, element(order, 0x0010, 0x4000, "LT", "a comment", implicit)...)
	b = append(b, element(order, 0x0020, 0x000D, "UI", "1.2.3", implicit)...)
	b = append(b, element(order, 0x0020, 0x000E, "UI", `1.2.3.4\1.2.3.5`, implicit)...)
	return b
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestDecodeIdentifierTransferSyntaxes(t *testing.T) {
	cases := []struct {
		name string
		ts   string
		b    []byte
	}{
		{"explicit little", "1.2.840.10008.1.2.1", seriesIdentifier(binary.LittleEndian, false)},
		{"implicit little", tsImplicitLittle, seriesIdentifier(binary.LittleEndian, true)},
		{"explicit big", tsExplicitBig, seriesIdentifier(binary.BigEndian, false)},
		{"deflated", tsDeflated, deflate(seriesIdentifier(binary.LittleEndian, false))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := DecodeIdentifier(c.b, c.ts)
			if err != nil {
				t.Fatal(err)
			}
			if id.Level != LevelSeries || id.PatientID != "PAT1" {
				t.Errorf("level %q, patient %q; want SERIES, PAT1", id.Level, id.PatientID)
			}
			if !slices.Equal(id.StudyUIDs, []string{"1.2.3"}) || !slices.Equal(id.SeriesUIDs, []string{"1.2.3.4", "1.2.3.5"}) {
				t.Errorf("study UIDs %q, series UIDs %q", id.StudyUIDs, id.SeriesUIDs)
			}
		})
	}
}

func TestDecodeIdentifierMalformed(t *testing.T) {
	good := seriesIdentifier(binary.LittleEndian, false)
	undefined := append(element(binary.LittleEndian, 0x0008, 0x0052, "CS", "STUDY", false),
		0x08, 0x00, 0x15, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
	cases := []struct {
		name string
		b    []byte
	}{
		{"truncated header", good[:len(good)-len("1.2.3.4\\1.2.3.5")-3]},
		{"length past end", good[:len(good)-1]},
		{"undefined length", undefined},
		{"too long", make([]byte, MaxIdentifierLength+2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := DecodeIdentifier(c.b, "1.2.840.10008.1.2.1"); !errors.Is(err, ErrIdentifier) {
				t.Errorf("DecodeIdentifier: %v, want ErrIdentifier", err)
			}
		})
	}
}

func FuzzDecodeIdentifier(f *testing.F) {
	f.Add(seriesIdentifier(binary.LittleEndian, false), false)
	f.Add(seriesIdentifier(binary.LittleEndian, true), true)
	f.Fuzz(func(t *testing.T, b []byte, implicit bool) {
		ts := "1.2.840.10008.1.2.1"
		if implicit {
			ts = tsImplicitLittle
		}
		id, err := DecodeIdentifier(b, ts)
		if err == nil && id == nil {
			t.Fatal("nil identifier without error")
		}
	})
}

func TestFailedUIDListDecodes(t *testing.T) {
	uids := []string{"1.2.3.4", "1.2.3.45"}
	for _, ts := range []string{"1.2.840.10008.1.2.1", tsImplicitLittle, tsExplicitBig, tsDeflated} {
		b := failedUIDList(uids, ts)
		raw := b
		if ts == tsDeflated {
			fr := flate.NewReader(bytes.NewReader(b))
			var out bytes.Buffer
			out.ReadFrom(fr)
			raw = out.Bytes()
		}
		if len(raw)%2 != 0 {
			t.Errorf("%s: odd length %d", ts, len(raw))
		}
		var order binary.ByteOrder = binary.LittleEndian
		if ts == tsExplicitBig {
			order = binary.BigEndian
		}
		if g, e := order.Uint16(raw), order.Uint16(raw[2:]); g != 0x0008 || e != 0x0058 {
			t.Errorf("%s: tag (%04X,%04X), want (0008,0058)", ts, g, e)
		}
		if !bytes.Contains(raw, []byte(`1.2.3.4\1.2.3.45`)) {
			t.Errorf("%s: value missing in % x", ts, raw)
		}
	}
}

func TestFinalStatus(t *testing.T) {
	cases := []struct {
		c    counts
		want uint16
	}{
		{counts{}, StatusSuccess},
		{counts{completed: 3}, StatusSuccess},
		{counts{completed: 2, failed: 1}, StatusWarningSubOperations},
		{counts{warning: 1}, StatusWarningSubOperations},
		{counts{failed: 2}, StatusUnableToPerform},
	}
	for _, c := range cases {
		if got := c.c.final(); got != c.want {
			t.Errorf("final(%+v) = %04X, want %04X", c.c, got, c.want)
		}
	}
}
