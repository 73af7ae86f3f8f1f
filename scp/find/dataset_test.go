package find

import (
	"bytes"
	"testing"

	"github.com/mdm2node/mdm2node/scp"
)

func sample() *DataSet {
	d := &DataSet{}
	d.Put(&Element{Tag: TagPatientName, VR: "PN", Value: []byte("Doe^John")})
	d.Put(&Element{Tag: TagQueryRetrieveLevel, VR: "CS", Value: []byte("STUDY")})
	d.Put(&Element{Tag: 0x00280010, VR: "US", Value: []byte{0x00, 0x02}}) // 512
	d.Put(&Element{Tag: TagStudyInstanceUID, VR: "UI", Value: []byte("1.2.3")})
	item := &DataSet{}
	item.Put(&Element{Tag: 0x00081150, VR: "UI", Value: []byte("1.2.840.10008.5.1.4.1.1.2")})
	d.Put(&Element{Tag: 0x00081110, VR: "SQ", Items: []*DataSet{item, {}}})
	return d
}

func TestRoundTrip(t *testing.T) {
	for _, ts := range []string{scp.ImplicitVRLittleEndian, scp.ExplicitVRLittleEndian, scp.ExplicitVRBigEndian, scp.DeflatedExplicitVRLittleEndian} {
		b, err := sample().Encode(ts)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(b, ts)
		if err != nil {
			t.Fatalf("%s: %v", ts, err)
		}
		if got := d.String(TagPatientName); got != "Doe^John" {
			t.Errorf("%s: name %q", ts, got)
		}
		if got := d.String(TagStudyInstanceUID); got != "1.2.3" {
			t.Errorf("%s: UID %q", ts, got)
		}
		if e := d.Get(0x00280010); e == nil || !bytes.Equal(e.Value, []byte{0x00, 0x02}) || binaryStrings(e.VR, e.Value)[0] != "512" {
			t.Errorf("%s: rows %+v", ts, e)
		}
		sq := d.Get(0x00081110)
		if sq == nil || sq.VR != "SQ" || len(sq.Items) != 2 || sq.Items[0].String(0x00081150) != "1.2.840.10008.5.1.4.1.1.2" {
			t.Errorf("%s: sequence %+v", ts, sq)
		}
	}
}

func TestDecodeRejectsTruncated(t *testing.T) {
	b, _ := sample().Encode(scp.ExplicitVRLittleEndian)
	// The sequence follows (0008,0052): 8 + 6 bytes, then its header.
	start := bytes.Index(b, []byte{0x08, 0x00, 0x10, 0x11})
	end := bytes.Index(b, []byte{0xfe, 0xff, 0xdd, 0xe0}) + 8
	for n := start + 1; n < end; n++ {
		if _, err := Decode(b[:n], scp.ExplicitVRLittleEndian); err == nil {
			t.Fatalf("cut at %d inside the sequence decoded", n)
		}
	}
	if _, err := Decode([]byte{0x10, 0x00, 0x10, 0x00, 'P', 'N', 0xff, 0xff}, scp.ExplicitVRLittleEndian); err == nil {
		t.Fatal("a value longer than the data set was accepted")
	}
}

func FuzzDecode(f *testing.F) {
	for _, ts := range []string{scp.ImplicitVRLittleEndian, scp.ExplicitVRLittleEndian} {
		b, _ := sample().Encode(ts)
		f.Add(b, ts == scp.ImplicitVRLittleEndian)
	}
	f.Fuzz(func(t *testing.T, b []byte, implicit bool) {
		ts := scp.ExplicitVRLittleEndian
		if implicit {
			ts = scp.ImplicitVRLittleEndian
		}
		d, err := Decode(b, ts)
		if err != nil {
			return
		}
		if _, err := d.Encode(ts); err != nil {
			t.Fatalf("decoded data set does not encode: %v", err)
		}
		DecodeHeader(b, ts)
	})
}

func TestCharsets(t *testing.T) {
	jp, err := ParseCharset(`\ISO 2022 IR 87`)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B")
	if got := jp.Decode("PN", raw); got != "Yamada^Tarou=山田^太郎" {
		t.Errorf("ISO 2022 IR 87: %q", got)
	}
	latin, _ := ParseCharset("ISO_IR 100")
	if got := latin.Decode("PN", []byte("M\xfcller")); got != "Müller" {
		t.Errorf("ISO_IR 100: %q", got)
	}
	if b, ok := latin.Encode("PN", "Müller"); !ok || string(b) != "M\xfcller" {
		t.Errorf("encode Latin-1: %q %v", b, ok)
	}
	if _, ok := latin.Encode("PN", "山田"); ok {
		t.Error("Japanese encoded in Latin-1")
	}
	if got := latin.Decode("UI", []byte("1.2")); got != "1.2" {
		t.Errorf("UI: %q", got)
	}
	if _, err := ParseCharset("ISO_IR 999"); err == nil {
		t.Error("unknown character set accepted")
	}
	gb, _ := ParseCharset("GB18030")
	b, ok := gb.Encode("LO", "王小東")
	if !ok || gb.Decode("LO", b) != "王小東" {
		t.Errorf("GB18030 round trip: %q %v", b, ok)
	}
}
