package scp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// rawPeer is a hand-driven peer on a raw TCP connection.
type rawPeer struct {
	t    *testing.T
	conn net.Conn
	r    *pdu.Reader
}

func dialRaw(t *testing.T, s *testServer) *rawPeer {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{t: t, conn: conn, r: pdu.NewReader(conn, 1<<20, 1<<20)}
}

func (p *rawPeer) send(x pdu.PDU) {
	p.t.Helper()
	b, err := pdu.Encode(x)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(b)
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.conn.Write(b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// next reads the next PDU, failing the test after 5 s.
func (p *rawPeer) next() pdu.PDU {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	x, err := p.r.Next()
	if err != nil {
		p.t.Fatalf("reading a PDU: %v", err)
	}
	return x
}

// expectAbort reads the next PDU and checks it is an A-ABORT.
func (p *rawPeer) expectAbort() *pdu.Abort {
	p.t.Helper()
	x := p.next()
	ab, ok := x.(*pdu.Abort)
	if !ok {
		p.t.Fatalf("got %v, want A-ABORT", x.Type())
	}
	return ab
}

// expectClosed checks that the server closes the connection within d.
func (p *rawPeer) expectClosed(d time.Duration) {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(d))
	var buf [256]byte
	for {
		_, err := p.conn.Read(buf[:])
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			p.t.Fatalf("connection still open after %v", d)
		}
		return
	}
}

const (
	ctCtx   = 1
	echoCtx = 3
	mrCtx   = 5
)

func testRQ(called, calling string) *pdu.AssociateRQ {
	return &pdu.AssociateRQ{
		ProtocolVersion:    1,
		CalledAE:           called,
		CallingAE:          calling,
		ApplicationContext: ApplicationContextName,
		PresentationContexts: []pdu.PresentationContextRQ{
			{ID: ctCtx, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian}},
			{ID: echoCtx, AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{ImplicitVRLittleEndian}},
			{ID: mrCtx, AbstractSyntax: MRImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
		},
		UserInfo: pdu.UserInfo{MaxLength: 16384, HasMaxLength: true, ImplementationClassUID: "1.2.3"},
	}
}

// associate opens an association with testRQ and returns the accept.
func (p *rawPeer) associate() *pdu.AssociateAC {
	p.t.Helper()
	p.send(testRQ("MDM2NODE", "RAWSCU"))
	x := p.next()
	ac, ok := x.(*pdu.AssociateAC)
	if !ok {
		p.t.Fatalf("got %v (%+v), want A-ASSOCIATE-AC", x.Type(), x)
	}
	return ac
}

// sendCommand sends a command set in one PDV.
func (p *rawPeer) sendCommand(ctx byte, c *dimse.Command) {
	p.t.Helper()
	p.send(&pdu.PDataTF{PDVs: []pdu.PDV{{ContextID: ctx, Control: pdu.FlagCommand | pdu.FlagLast, Data: c.Encode()}}})
}

func (p *rawPeer) sendData(ctx byte, data []byte, last bool) {
	p.t.Helper()
	ctl := byte(0)
	if last {
		ctl = pdu.FlagLast
	}
	p.send(&pdu.PDataTF{PDVs: []pdu.PDV{{ContextID: ctx, Control: ctl, Data: data}}})
}

// response reads one response command set (in one or more PDVs).
func (p *rawPeer) response() *dimse.Command {
	p.t.Helper()
	var buf []byte
	for {
		x := p.next()
		pd, ok := x.(*pdu.PDataTF)
		if !ok {
			p.t.Fatalf("got %v, want P-DATA-TF", x.Type())
		}
		for _, v := range pd.PDVs {
			if !v.IsCommand() {
				p.t.Fatal("data set PDV in a response")
			}
			buf = append(buf, v.Data...)
			if v.IsLast() {
				c, err := dimse.Decode(buf)
				if err != nil {
					p.t.Fatal(err)
				}
				return c
			}
		}
	}
}

func (p *rawPeer) release() {
	p.t.Helper()
	p.send(&pdu.ReleaseRQ{})
	if x := p.next(); x.Type() != pdu.TypeReleaseRP {
		p.t.Fatalf("got %v, want A-RELEASE-RP", x.Type())
	}
	p.conn.Close()
}

// fakeDataSet is a small Implicit VR LE data set: (0008,0016) and (0008,0018).
func fakeDataSet(sopClass, sopInstance string) []byte {
	var b bytes.Buffer
	for _, e := range []struct {
		elem uint16
		v    string
	}{{0x0016, sopClass}, {0x0018, sopInstance}} {
		v := e.v
		if len(v)%2 == 1 {
			v += "\x00"
		}
		b.Write([]byte{0x08, 0x00, byte(e.elem), byte(e.elem >> 8), byte(len(v)), byte(len(v) >> 8), 0, 0})
		b.WriteString(v)
	}
	return b.Bytes()
}

// checkStillServing runs a C-ECHO on a new association.
func checkStillServing(t *testing.T, s *testServer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, s.addr, ClientConfig{CallingAE: "PROBE", CalledAE: "MDM2NODE"}, []ProposedContext{{AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{ImplicitVRLittleEndian}}})
	if err != nil {
		t.Fatalf("server no longer serving: %v", err)
	}
	if st, err := c.Echo(); err != nil || st != 0 {
		t.Fatalf("echo: status %04X, %v", st, err)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	s := startServer(t, testConfig())

	t.Run("truncated PDU then close", func(t *testing.T) {
		p := dialRaw(t, s)
		b, _ := pdu.Encode(testRQ("MDM2NODE", "RAWSCU"))
		p.write(b[:len(b)/2])
		p.conn.Close()
		checkStillServing(t, s)
	})

	t.Run("truncated PDU then silence", func(t *testing.T) {
		p := dialRaw(t, s)
		b, _ := pdu.Encode(testRQ("MDM2NODE", "RAWSCU"))
		p.write(b[:len(b)/2])
		// ARTIM (2 s in the test config) ends the wait for the rest.
		p.expectClosed(5 * time.Second)
		checkStillServing(t, s)
	})

	t.Run("gigabyte PDU", func(t *testing.T) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := dialRaw(t, s)
		p.write([]byte{0x01, 0x00, 0xff, 0xff, 0xff, 0x00})
		ab := p.expectAbort()
		runtime.ReadMemStats(&after)
		if ab.Source != pdu.AbortSourceServiceProvider || ab.Reason != pdu.AbortReasonInvalidPDUParamValue {
			t.Errorf("abort %+v", ab)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("allocated %d bytes for a PDU declaring 4 GB", grew)
		}
		checkStillServing(t, s)
	})

	t.Run("gigabyte P-DATA after association", func(t *testing.T) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := dialRaw(t, s)
		p.associate()
		p.write([]byte{0x04, 0x00, 0x40, 0x00, 0x00, 0x00})
		p.expectAbort()
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("allocated %d bytes for a PDU declaring 1 GB", grew)
		}
		checkStillServing(t, s)
	})

	t.Run("unknown PDU type", func(t *testing.T) {
		p := dialRaw(t, s)
		p.write([]byte{0x09, 0x00, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4})
		if ab := p.expectAbort(); ab.Reason != pdu.AbortReasonUnrecognizedPDU {
			t.Errorf("abort %+v", ab)
		}
		checkStillServing(t, s)
	})

	t.Run("P-DATA before association", func(t *testing.T) {
		p := dialRaw(t, s)
		p.sendCommand(1, dimse.NewCEchoRQ(1))
		if ab := p.expectAbort(); ab.Reason != pdu.AbortReasonUnexpectedPDU {
			t.Errorf("abort %+v", ab)
		}
		checkStillServing(t, s)
	})

	t.Run("release in the middle of a data set", func(t *testing.T) {
		_, abortedBefore, _ := s.h.snapshot()
		p := dialRaw(t, s)
		p.associate()
		uid := "1.2.826.0.1.3680043.2.1143.1"
		p.sendCommand(ctCtx, dimse.NewCStoreRQ(1, CTImageStorage, uid, 0))
		p.sendData(ctCtx, fakeDataSet(CTImageStorage, uid), false)
		p.send(&pdu.ReleaseRQ{})
		p.expectAbort()
		waitFor(t, "sink abort", func() bool { _, a, _ := s.h.snapshot(); return a == abortedBefore+1 })
		if c, _, _ := s.h.snapshot(); c[uid] != nil {
			t.Error("incomplete instance committed")
		}
		checkStillServing(t, s)
	})

	t.Run("abort in the middle of a data set", func(t *testing.T) {
		_, abortedBefore, _ := s.h.snapshot()
		p := dialRaw(t, s)
		p.associate()
		uid := "1.2.826.0.1.3680043.2.1143.2"
		p.sendCommand(ctCtx, dimse.NewCStoreRQ(1, CTImageStorage, uid, 0))
		p.sendData(ctCtx, fakeDataSet(CTImageStorage, uid), false)
		p.send(&pdu.Abort{Source: pdu.AbortSourceServiceUser})
		waitFor(t, "sink abort", func() bool { _, a, _ := s.h.snapshot(); return a == abortedBefore+1 })
		if c, _, _ := s.h.snapshot(); c[uid] != nil {
			t.Error("incomplete instance committed")
		}
		checkStillServing(t, s)
	})

	t.Run("connection lost in the middle of a data set", func(t *testing.T) {
		_, abortedBefore, _ := s.h.snapshot()
		p := dialRaw(t, s)
		p.associate()
		uid := "1.2.826.0.1.3680043.2.1143.3"
		p.sendCommand(ctCtx, dimse.NewCStoreRQ(1, CTImageStorage, uid, 0))
		p.sendData(ctCtx, fakeDataSet(CTImageStorage, uid), false)
		p.conn.Close()
		waitFor(t, "sink abort", func() bool { _, a, _ := s.h.snapshot(); return a == abortedBefore+1 })
		checkStillServing(t, s)
	})

	t.Run("invalid SOP Instance UID passed to the handler as received", func(t *testing.T) {
		p := dialRaw(t, s)
		p.associate()
		for i, uid := range []string{"../../../etc/passwd", "1.2.03.4", strings.Repeat("1", 80), "1.2.3/../../x"} {
			p.sendCommand(ctCtx, dimse.NewCStoreRQ(uint16(i+1), CTImageStorage, uid, 0))
			p.sendData(ctCtx, fakeDataSet(CTImageStorage, uid), true)
			rsp := p.response()
			if got, _ := rsp.String(dimse.TagAffectedSOPInstanceUID); got != uid {
				t.Errorf("response echoes %q, want %q", got, uid)
			}
			_, _, reqs := s.h.snapshot()
			if last := reqs[len(reqs)-1]; last.SOPInstanceUID != uid {
				t.Errorf("handler got %q, want %q", last.SOPInstanceUID, uid)
			}
		}
		p.release()
		checkStillServing(t, s)
	})

	t.Run("PDV on a context that was not accepted", func(t *testing.T) {
		p := dialRaw(t, s)
		p.associate()
		p.sendCommand(7, dimse.NewCEchoRQ(1))
		p.expectAbort()
		checkStillServing(t, s)
	})

	t.Run("garbage command set", func(t *testing.T) {
		p := dialRaw(t, s)
		p.associate()
		p.send(&pdu.PDataTF{PDVs: []pdu.PDV{{ContextID: echoCtx, Control: pdu.FlagCommand | pdu.FlagLast, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}}}})
		p.expectAbort()
		checkStillServing(t, s)
	})

	t.Run("P-DATA larger than the announced maximum", func(t *testing.T) {
		p := dialRaw(t, s)
		p.associate()
		p.sendCommand(ctCtx, dimse.NewCStoreRQ(1, CTImageStorage, "1.2.3", 0))
		p.sendData(ctCtx, make([]byte, DefaultMaxPDULength), true)
		p.expectAbort()
		checkStillServing(t, s)
	})

	_, _, _, _, alerts := s.obs.counts()
	if alerts == 0 {
		t.Error("no security alert reported")
	}
}

// readAll drains r, for tests that only need the connection to end.
var _ = io.Discard
