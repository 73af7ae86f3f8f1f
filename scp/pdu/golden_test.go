package pdu

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readHex reads a golden file of testdata/: hex bytes, with "#" comments
// describing each field (see testdata/README.md).
func readHex(t testing.TB, path string) []byte {
	t.Helper()
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
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func goldenFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/*.hex")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden PDUs in testdata: %v", err)
	}
	return files
}

// notByteExact lists golden PDUs that re-encode to different bytes, and why.
// Their decoded form must still survive a round trip.
var notByteExact = map[string]string{
	// DCMTK sets the reserved byte after the context ID to 0xFF.
	"dcmtk-echoscu-associate-rq":                "reserved byte FF in presentation context items",
	"dcmtk-storescu-associate-rq-user-identity": "reserved byte FF in presentation context items",
	"dcmtk-getscu-associate-rq-role-selection":  "reserved byte FF in presentation context items",
}

func TestGoldenRoundTrip(t *testing.T) {
	for _, path := range goldenFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".hex")
		t.Run(name, func(t *testing.T) {
			b := readHex(t, path)
			p, err := Decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			enc, err := Encode(p)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			_, inexact := notByteExact[name]
			switch exact := bytes.Equal(enc, b); {
			case !exact && !inexact:
				t.Errorf("re-encoded bytes differ\n got %x\nwant %x", enc, b)
			case exact && inexact:
				t.Errorf("listed in notByteExact but re-encodes to the same bytes")
			}
			p2, err := Decode(enc)
			if err != nil {
				t.Fatalf("decode re-encoded: %v", err)
			}
			if !reflect.DeepEqual(p, p2) {
				t.Errorf("round trip changed the PDU\n got %+v\nwant %+v", p2, p)
			}

			// The Reader gives the same PDU from a stream.
			r := NewReader(bytes.NewReader(b), 1<<20, 1<<20)
			p3, err := r.Next()
			if err != nil {
				t.Fatalf("reader: %v", err)
			}
			if !reflect.DeepEqual(p, p3) {
				t.Errorf("reader decoded %+v, want %+v", p3, p)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("after the PDU: %v, want io.EOF", err)
			}
		})
	}
}

func TestGoldenContent(t *testing.T) {
	load := func(name string) PDU {
		t.Helper()
		p, err := Decode(readHex(t, filepath.Join("testdata", name+".hex")))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("echoscu request", func(t *testing.T) {
		rq := load("dcmtk-echoscu-associate-rq").(*AssociateRQ)
		want := &AssociateRQ{
			ProtocolVersion:    1,
			CalledAE:           "ANY-SCP",
			CallingAE:          "ECHOSCU",
			ApplicationContext: "1.2.840.10008.3.1.1.1",
			PresentationContexts: []PresentationContextRQ{
				{ID: 1, AbstractSyntax: "1.2.840.10008.1.1", TransferSyntaxes: []string{"1.2.840.10008.1.2"}},
			},
			UserInfo: UserInfo{
				MaxLength: 16384, HasMaxLength: true,
				ImplementationClassUID:    "1.2.276.0.7230010.3.0.3.6.7",
				ImplementationVersionName: "OFFIS_DCMTK_367",
			},
		}
		if !reflect.DeepEqual(rq, want) {
			t.Errorf("got %+v\nwant %+v", rq, want)
		}
	})

	t.Run("storescp accept", func(t *testing.T) {
		ac := load("dcmtk-storescp-associate-ac").(*AssociateAC)
		if len(ac.PresentationContexts) != 1 || ac.PresentationContexts[0] != (PresentationContextAC{ID: 1, Result: ResultAcceptance, TransferSyntax: "1.2.840.10008.1.2"}) {
			t.Errorf("contexts %+v", ac.PresentationContexts)
		}
		if !ac.UserInfo.HasMaxLength || ac.UserInfo.ImplementationClassUID == "" {
			t.Errorf("user info %+v", ac.UserInfo)
		}
	})

	t.Run("user identity", func(t *testing.T) {
		rq := load("dcmtk-storescu-associate-rq-user-identity").(*AssociateRQ)
		want := &UserIdentityRQ{IdentityType: UserIdentityUsernamePasscode, Primary: []byte("alice"), Secondary: []byte("secret")}
		if !reflect.DeepEqual(rq.UserInfo.UserIdentityRQ, want) {
			t.Errorf("user identity %+v, want %+v", rq.UserInfo.UserIdentityRQ, want)
		}
	})

	t.Run("role selection", func(t *testing.T) {
		rq := load("dcmtk-getscu-associate-rq-role-selection").(*AssociateRQ)
		if len(rq.PresentationContexts) < 100 || len(rq.UserInfo.RoleSelections) < 100 {
			t.Fatalf("%d contexts, %d role selections", len(rq.PresentationContexts), len(rq.UserInfo.RoleSelections))
		}
		for _, r := range rq.UserInfo.RoleSelections {
			if !r.SCP || r.SCU {
				t.Errorf("role selection %+v, want SCP only", r)
				break
			}
		}
		ac := load("dcmtk-storescp-associate-ac-role-selection").(*AssociateAC)
		if len(ac.PresentationContexts) != len(rq.PresentationContexts) {
			t.Errorf("%d results for %d contexts", len(ac.PresentationContexts), len(rq.PresentationContexts))
		}
	})

	t.Run("every user information sub-item", func(t *testing.T) {
		rq := load("handmade-associate-rq-all-user-info-items").(*AssociateRQ)
		ct := "1.2.840.10008.5.1.4.1.1.2"
		want := UserInfo{
			MaxLength: 32768, HasMaxLength: true,
			ImplementationClassUID:    "1.2.3.4.5",
			ImplementationVersionName: "HANDMADE_1",
			AsyncOperationsWindow:     &AsyncOperationsWindow{MaxInvoked: 3, MaxPerformed: 2},
			RoleSelections:            []RoleSelection{{SOPClassUID: ct, SCU: true, SCP: true}},
			ExtendedNegotiations:      []SOPClassExtendedNegotiation{{SOPClassUID: ct, Info: []byte{1, 0, 0, 0, 1, 0}}},
			CommonExtendedNegotiations: []SOPClassCommonExtendedNegotiation{{
				SOPClassUID: "1.2.840.10008.5.1.4.1.1.2.1", ServiceClassUID: "1.2.840.10008.4.2",
				RelatedGeneralSOPClassUIDs: []string{ct},
			}},
			UserIdentityRQ: &UserIdentityRQ{IdentityType: 2, PositiveResponseRequested: true, Primary: []byte("alice"), Secondary: []byte("secret")},
			Unknown:        []RawItem{{Type: 0x5f, Data: []byte{1, 2, 3}}},
		}
		if !reflect.DeepEqual(rq.UserInfo, want) {
			t.Errorf("user info\n got %+v\nwant %+v", rq.UserInfo, want)
		}
		if len(rq.Unknown) != 1 || rq.Unknown[0].Type != 0x60 {
			t.Errorf("unknown top-level items %+v", rq.Unknown)
		}
		if len(rq.PresentationContexts) != 2 || len(rq.PresentationContexts[0].TransferSyntaxes) != 2 {
			t.Errorf("contexts %+v", rq.PresentationContexts)
		}
	})

	t.Run("accept with user identity", func(t *testing.T) {
		ac := load("handmade-associate-ac-user-identity").(*AssociateAC)
		if string(ac.UserInfo.UserIdentityAC.ServerResponse) != "token" {
			t.Errorf("server response %q", ac.UserInfo.UserIdentityAC.ServerResponse)
		}
		if ac.PresentationContexts[1].Result != ResultTransferSyntaxesNotSupported {
			t.Errorf("context 3 result %d", ac.PresentationContexts[1].Result)
		}
	})

	t.Run("reject", func(t *testing.T) {
		rj := load("dcmtk-storescp-associate-rj").(*AssociateRJ)
		if *rj != (AssociateRJ{Result: RejectPermanent, Source: RejectSourceServiceUser, Reason: RejectReasonNoReason}) {
			t.Errorf("%+v", rj)
		}
	})

	t.Run("p-data", func(t *testing.T) {
		p := load("handmade-p-data-two-pdvs").(*PDataTF)
		if len(p.PDVs) != 2 || p.PDVs[0].IsLast() || !p.PDVs[1].IsLast() || p.PDVs[0].IsCommand() {
			t.Errorf("%+v", p.PDVs)
		}
		cmd := load("dcmtk-echoscu-p-data-c-echo-rq").(*PDataTF)
		if len(cmd.PDVs) != 1 || !cmd.PDVs[0].IsCommand() || !cmd.PDVs[0].IsLast() || cmd.PDVs[0].ContextID != 1 {
			t.Errorf("%+v", cmd.PDVs)
		}
	})

	t.Run("abort", func(t *testing.T) {
		if a := load("handmade-abort-provider").(*Abort); *a != (Abort{Source: AbortSourceServiceProvider, Reason: AbortReasonUnrecognizedPDU}) {
			t.Errorf("%+v", a)
		}
	})
}

// TestTruncated checks that every proper prefix of every golden PDU fails
// to decode with an error, never a panic, and that the Reader reports
// io.ErrUnexpectedEOF (or io.EOF for an empty stream).
func TestTruncated(t *testing.T) {
	for _, path := range goldenFiles(t) {
		b := readHex(t, path)
		step := 1
		if len(b) > 4096 {
			step = 97
		}
		for n := 0; n < len(b); n += step {
			if _, err := Decode(b[:n]); err == nil {
				t.Errorf("%s: prefix of %d bytes decoded", path, n)
			}
			_, err := NewReader(bytes.NewReader(b[:n]), 1<<20, 1<<20).Next()
			want := io.ErrUnexpectedEOF
			if n == 0 {
				want = io.EOF
			}
			if !errors.Is(err, want) {
				t.Errorf("%s: reader on %d bytes: %v, want %v", path, n, err, want)
			}
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReaderLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []byte
		want error
	}{
		{"p-data of 4 GiB", []byte{0x04, 0, 0xff, 0xff, 0xff, 0xff}, ErrTooLong},
		{"p-data one byte over", []byte{0x04, 0, 0, 0, 0x10, 0x01}, ErrTooLong},
		{"associate-rq of 1 GiB", []byte{0x01, 0, 0x40, 0, 0, 0}, ErrTooLong},
		{"release-rq of 5 bytes", []byte{0x05, 0, 0, 0, 0, 5}, ErrTooLong},
		{"unknown type 08", []byte{0x08, 0, 0, 0, 0, 4}, ErrUnknownType},
		{"unknown type 00", []byte{0x00, 0, 0, 0, 0, 0}, ErrUnknownType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The body that follows is never read: the header alone decides.
			cr := &countingReader{r: io.MultiReader(bytes.NewReader(tc.hdr), strings.NewReader(strings.Repeat("x", 100)))}
			r := NewReader(cr, 4096, 65536)
			_, err := r.Next()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if cr.n != HeaderLength {
				t.Errorf("read %d bytes, want only the %d-byte header", cr.n, HeaderLength)
			}
			if cap(r.buf) != 0 {
				t.Errorf("buffer of %d bytes allocated", cap(r.buf))
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"pdv length below 2", []byte{4, 0, 0, 0, 0, 5, 0, 0, 0, 1, 1}},
		{"pdv longer than pdu", []byte{4, 0, 0, 0, 0, 6, 0, 0, 0, 9, 1, 2}},
		{"p-data without pdv", []byte{4, 0, 0, 0, 0, 0}},
		{"abort of 3 bytes", []byte{7, 0, 0, 0, 0, 3, 0, 0, 0}},
		{"associate-rq of 10 bytes", append([]byte{1, 0, 0, 0, 0, 10}, make([]byte, 10)...)},
		{"associate-rq without items", append([]byte{1, 0, 0, 0, 0, 68, 0, 1}, make([]byte, 66)...)},
		{"length mismatch", []byte{5, 0, 0, 0, 0, 4, 0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestWriterOneWritePerPDU(t *testing.T) {
	var calls int
	w := NewWriter(writerFunc(func(p []byte) (int, error) { calls++; return len(p), nil }))
	for _, p := range []PDU{
		&PDataTF{PDVs: []PDV{{ContextID: 1, Control: FlagLast, Data: make([]byte, 100000)}}},
		&ReleaseRQ{}, &Abort{Source: 2},
	} {
		calls = 0
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("%v written in %d calls", p.Type(), calls)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// FuzzDecode feeds arbitrary bytes to the PDU decoder, seeded with the
// golden PDUs. A PDU that decodes must encode and decode to the same value.
func FuzzDecode(f *testing.F) {
	for _, path := range goldenFiles(f) {
		f.Add(readHex(f, path))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		enc, err := Encode(p)
		if err != nil {
			return
		}
		p2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded PDU does not decode: %v", err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the PDU\n got %+v\nwant %+v", p2, p)
		}
	})
}

// FuzzReader feeds arbitrary streams to the Reader with small limits.
func FuzzReader(f *testing.F) {
	for _, path := range goldenFiles(f) {
		f.Add(readHex(f, path))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), 4096, 65536)
		for i := 0; i < 100; i++ {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
}
