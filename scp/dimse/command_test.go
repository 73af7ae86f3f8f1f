package dimse

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// echoGolden is the golden P-DATA-TF holding the C-ECHO-RQ command set
// sent by DCMTK 3.6.7 echoscu.
const echoGolden = "../pdu/testdata/dcmtk-echoscu-p-data-c-echo-rq.hex"

func TestDecodeDCMTKEcho(t *testing.T) {
	b := commandOfGolden(t, echoGolden)
	c, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := c.Field(); f != CEchoRQ {
		t.Errorf("command field %v", f)
	}
	if id, _ := c.MessageID(); id != 1 {
		t.Errorf("message ID %d", id)
	}
	if uid, _ := c.String(TagAffectedSOPClassUID); uid != "1.2.840.10008.1.1" {
		t.Errorf("SOP class %q", uid)
	}
	if c.HasDataSet() {
		t.Error("C-ECHO-RQ has no data set")
	}
	if got := c.Encode(); !bytes.Equal(got, b) {
		t.Errorf("re-encoded\n got %x\nwant %x", got, b)
	}
}

func TestRoundTrip(t *testing.T) {
	rq := NewCStoreRQ(7, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", PriorityHigh)
	rq.SetString(TagMoveOriginatorApplicationEntity, "MOVER")
	rq.SetUint16(TagMoveOriginatorMessageID, 3)
	for _, c := range []*Command{
		NewCEchoRQ(1),
		rq,
		NewResponse(rq, CStoreRSP, StatusOutOfResources),
		NewResponse(NewCEchoRQ(65535), CEchoRSP, StatusSuccess),
	} {
		b := c.Encode()
		if len(b)%2 != 0 {
			t.Errorf("odd length %d", len(b))
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", c.Format(), err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("round trip\n got %s\nwant %s", got.Format(), c.Format())
		}
	}
	// UI values are padded with NUL, AE with space, and read back trimmed.
	if v, _ := rq.Raw(TagAffectedSOPInstanceUID); string(v) != "1.2.3.4.5\x00" {
		t.Errorf("UI padding %q", v)
	}
	if v, _ := rq.Raw(TagMoveOriginatorApplicationEntity); string(v) != "MOVER " {
		t.Errorf("AE padding %q", v)
	}
	if s, _ := rq.String(TagMoveOriginatorApplicationEntity); s != "MOVER" {
		t.Errorf("AE %q", s)
	}
}

func TestResponseEchoesUIDs(t *testing.T) {
	rq := NewCStoreRQ(9, "1.2.840.10008.5.1.4.1.1.4", "1.2.3", PriorityMedium)
	rsp := NewResponse(rq, CStoreRSP, StatusSuccess)
	for _, tag := range []Tag{TagAffectedSOPClassUID, TagAffectedSOPInstanceUID} {
		a, _ := rq.Raw(tag)
		b, _ := rsp.Raw(tag)
		if !bytes.Equal(a, b) {
			t.Errorf("%v: %q, want %q", tag, b, a)
		}
	}
	if id, _ := rsp.Uint16(TagMessageIDBeingRespondedTo); id != 9 {
		t.Errorf("message ID being responded to %d", id)
	}
	if rsp.HasDataSet() {
		t.Error("response announces a data set")
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := NewCEchoRQ(1).Encode()
	bad := func(mut func(b []byte) []byte) []byte { return mut(append([]byte(nil), good...)) }
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"truncated header", good[:5]},
		{"truncated value", good[:len(good)-1]},
		{"wrong group", bad(func(b []byte) []byte { b[12] = 8; return b })},
		{"group length too large", bad(func(b []byte) []byte { b[8]++; return b })},
		{"value length past the end", bad(func(b []byte) []byte { b[16] = 0xff; b[17] = 0xff; return b })},
		{"elements out of order", append(bad(func(b []byte) []byte { return b[12:] }), 0, 0, 2, 0, 2, 0, 0, 0, '1', 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestDecodeWithoutGroupLength(t *testing.T) {
	b := NewCEchoRQ(1).Encode()[12:]
	c, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := c.Field(); f != CEchoRQ {
		t.Errorf("field %v", f)
	}
}

// FuzzDecode feeds arbitrary bytes to the command-set decoder, seeded with
// the command sets of the golden P-DATA-TF PDUs and the encoder's output.
func FuzzDecode(f *testing.F) {
	f.Add(NewCStoreRQ(1, "1.2.840.10008.5.1.4.1.1.2", "1.2.3", PriorityMedium).Encode())
	files, _ := filepath.Glob("../pdu/testdata/*p-data*.hex")
	for _, path := range files {
		if b := commandOfGolden(f, path); b != nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode(b)
		if err != nil {
			return
		}
		c2, err := Decode(c.Encode())
		if err != nil {
			t.Fatalf("re-encoded command does not decode: %v", err)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the command")
		}
	})
}

// commandOfGolden returns the PDV value of a golden P-DATA-TF holding one
// command PDV, or nil.
func commandOfGolden(t testing.TB, path string) []byte {
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil || len(b) < 12 || b[11]&1 == 0 {
		return nil
	}
	return b[12:]
}
