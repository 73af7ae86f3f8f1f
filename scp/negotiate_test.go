package scp

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

func TestAssociateReject(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedCallingAEs = []string{"GOODSCU"}
	s := startServer(t, cfg)
	for _, tc := range []struct {
		name string
		rq   func() *pdu.AssociateRQ
		want pdu.AssociateRJ
	}{
		{"called AE not recognized", func() *pdu.AssociateRQ { return testRQ("OTHER", "GOODSCU") },
			pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceUser, Reason: pdu.RejectReasonCalledAENotRecognized}},
		{"calling AE not recognized", func() *pdu.AssociateRQ { return testRQ("MDM2NODE", "BADSCU") },
			pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceUser, Reason: pdu.RejectReasonCallingAENotRecognized}},
		{"application context not supported", func() *pdu.AssociateRQ {
			rq := testRQ("MDM2NODE", "GOODSCU")
			rq.ApplicationContext = "1.2.3.4"
			return rq
		}, pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceUser, Reason: pdu.RejectReasonAppContextNotSupported}},
		{"protocol version not supported", func() *pdu.AssociateRQ {
			rq := testRQ("MDM2NODE", "GOODSCU")
			rq.ProtocolVersion = 2
			return rq
		}, pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceProviderACSE, Reason: pdu.RejectReasonProtocolVersionNotSupported}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := dialRaw(t, s)
			p.send(tc.rq())
			x := p.next()
			rj, ok := x.(*pdu.AssociateRJ)
			if !ok {
				t.Fatalf("got %v, want A-ASSOCIATE-RJ", x.Type())
			}
			if *rj != tc.want {
				t.Errorf("got %+v, want %+v", *rj, tc.want)
			}
			// The server waits (ARTIM) for the peer to close.
			p.conn.Close()
		})
	}
	waitFor(t, "rejections", func() bool { _, rej, _, _, _ := s.obs.counts(); return rej == 4 })
	if _, _, _, _, alerts := s.obs.counts(); alerts < 2 {
		t.Errorf("%d security alerts for 2 unknown AE titles", alerts)
	}
}

func TestAssociationLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxAssociations = 1
	s := startServer(t, cfg)
	first := dialRaw(t, s)
	first.associate()

	second := dialRaw(t, s)
	second.send(testRQ("MDM2NODE", "RAWSCU"))
	rj, ok := second.next().(*pdu.AssociateRJ)
	want := pdu.AssociateRJ{Result: pdu.RejectTransient, Source: pdu.RejectSourceServiceProviderPresentation, Reason: pdu.RejectReasonLocalLimitExceeded}
	if !ok || *rj != want {
		t.Fatalf("got %+v, want %+v", rj, want)
	}
	second.conn.Close()

	first.release()
	waitFor(t, "first association to end", func() bool { return s.ActiveAssociations() == 0 })
	checkStillServing(t, s)
}

func TestPresentationContextNegotiation(t *testing.T) {
	s := startServer(t, testConfig())
	rq := testRQ("MDM2NODE", "RAWSCU")
	rq.PresentationContexts = []pdu.PresentationContextRQ{
		// Explicit VR LE is preferred whatever the proposal order.
		{ID: 1, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ImplicitVRLittleEndian, JPEGLosslessSV1, ExplicitVRLittleEndian}},
		// A compressed syntax alone is accepted when the series package decodes it.
		{ID: 3, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{JPEGLosslessSV1}},
		{ID: 5, AbstractSyntax: MRImageStorage, TransferSyntaxes: []string{JPEGBaseline8Bit, RLELossless}},
		// JPEG 2000 is not decoded: transfer syntaxes not supported.
		{ID: 7, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{"1.2.840.10008.1.2.4.90"}},
		// Structured reports are not images: no JPEG.
		{ID: 9, AbstractSyntax: ComprehensiveSRStorage, TransferSyntaxes: []string{JPEGLosslessSV1}},
		{ID: 11, AbstractSyntax: ComprehensiveSRStorage, TransferSyntaxes: []string{DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian}},
		// RT Dose is not accepted: abstract syntax not supported.
		{ID: 13, AbstractSyntax: "1.2.840.10008.5.1.4.1.1.481.2", TransferSyntaxes: []string{ExplicitVRLittleEndian}},
		// An even ID is invalid: rejected without reason.
		{ID: 14, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
		{ID: 15, AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{ImplicitVRLittleEndian}},
	}
	rq.UserInfo.RoleSelections = []pdu.RoleSelection{
		{SOPClassUID: CTImageStorage, SCU: true, SCP: true},
		{SOPClassUID: "1.2.840.10008.5.1.4.1.1.481.2", SCU: true, SCP: true},
	}
	rq.UserInfo.AsyncOperationsWindow = &pdu.AsyncOperationsWindow{MaxInvoked: 5, MaxPerformed: 5}
	rq.UserInfo.UserIdentityRQ = &pdu.UserIdentityRQ{IdentityType: 1, Primary: []byte("alice")}
	rq.UserInfo.ExtendedNegotiations = []pdu.SOPClassExtendedNegotiation{{SOPClassUID: CTImageStorage, Info: []byte{1}}}

	p := dialRaw(t, s)
	p.send(rq)
	ac, ok := p.next().(*pdu.AssociateAC)
	if !ok {
		t.Fatal("not accepted")
	}
	want := []pdu.PresentationContextAC{
		{ID: 1, Result: pdu.ResultAcceptance, TransferSyntax: ExplicitVRLittleEndian},
		{ID: 3, Result: pdu.ResultAcceptance, TransferSyntax: JPEGLosslessSV1},
		{ID: 5, Result: pdu.ResultAcceptance, TransferSyntax: RLELossless},
		{ID: 7, Result: pdu.ResultTransferSyntaxesNotSupported},
		{ID: 9, Result: pdu.ResultTransferSyntaxesNotSupported},
		{ID: 11, Result: pdu.ResultAcceptance, TransferSyntax: ImplicitVRLittleEndian},
		{ID: 13, Result: pdu.ResultAbstractSyntaxNotSupported},
		{ID: 14, Result: pdu.ResultNoReason},
		{ID: 15, Result: pdu.ResultAcceptance, TransferSyntax: ImplicitVRLittleEndian},
	}
	if len(ac.PresentationContexts) != len(want) {
		t.Fatalf("%d results, want %d", len(ac.PresentationContexts), len(want))
	}
	for i, w := range want {
		got := ac.PresentationContexts[i]
		if got.ID != w.ID || got.Result != w.Result || (w.Result == pdu.ResultAcceptance && got.TransferSyntax != w.TransferSyntax) {
			t.Errorf("context %d: got %+v, want %+v", w.ID, got, w)
		}
	}
	ui := ac.UserInfo
	if !ui.HasMaxLength || ui.MaxLength != DefaultMaxPDULength || ui.ImplementationClassUID != ImplementationClassUID || ui.ImplementationVersionName != ImplementationVersionName {
		t.Errorf("user info %+v", ui)
	}
	if len(ui.RoleSelections) != 1 || ui.RoleSelections[0] != (pdu.RoleSelection{SOPClassUID: CTImageStorage, SCU: true, SCP: false}) {
		t.Errorf("role selections %+v", ui.RoleSelections)
	}
	if ui.AsyncOperationsWindow == nil || *ui.AsyncOperationsWindow != (pdu.AsyncOperationsWindow{MaxInvoked: 1, MaxPerformed: 1}) {
		t.Errorf("async window %+v", ui.AsyncOperationsWindow)
	}
	if ui.UserIdentityAC != nil || len(ui.ExtendedNegotiations) != 0 {
		t.Errorf("answered negotiations the node does not support: %+v", ui)
	}
	if ac.CalledAE != "MDM2NODE" || ac.CallingAE != "RAWSCU" {
		t.Errorf("AE titles %q %q", ac.CalledAE, ac.CallingAE)
	}
	p.release()
}

// statusHandler answers fixed outcomes, to check the statuses the server
// passes on.
type statusHandler struct {
	begin  error
	write  error
	commit uint16
	cerr   error
}

func (h *statusHandler) BeginStore(*StoreRequest) (StoreSink, error) {
	if h.begin != nil {
		return nil, h.begin
	}
	return &statusSink{h: h}, nil
}

type statusSink struct {
	h       *statusHandler
	aborted bool
}

func (s *statusSink) Write(p []byte) (int, error) {
	if s.h.write != nil {
		return 0, s.h.write
	}
	return len(p), nil
}
func (s *statusSink) Commit() (uint16, error) { return s.h.commit, s.h.cerr }
func (s *statusSink) Abort()                  { s.aborted = true }

func TestStoreStatuses(t *testing.T) {
	errDisk := errors.New("disk full")
	for _, tc := range []struct {
		name string
		h    *statusHandler
		cmd  func() *dimse.Command
		ctx  byte
		want uint16
	}{
		{"success", &statusHandler{}, nil, ctCtx, 0x0000},
		{"handler refuses: out of resources", &statusHandler{begin: NewStatusError(StatusOutOfResources, errDisk)}, nil, ctCtx, 0xA700},
		{"plain handler error", &statusHandler{begin: errDisk}, nil, ctCtx, 0xA700},
		{"write fails", &statusHandler{write: NewStatusError(StatusOutOfResources, errDisk)}, nil, ctCtx, 0xA700},
		{"commit: data set does not match", &statusHandler{commit: 0xA900}, nil, ctCtx, 0xA900},
		{"commit: cannot understand", &statusHandler{commit: 0xC000, cerr: errors.New("unparsable")}, nil, ctCtx, 0xC000},
		{"commit: error without status", &statusHandler{cerr: errDisk}, nil, ctCtx, 0xA700},
		{"commit: warning", &statusHandler{commit: 0xB000}, nil, ctCtx, 0xB000},
		{"SOP class of another context", &statusHandler{}, func() *dimse.Command {
			return dimse.NewCStoreRQ(1, MRImageStorage, "1.2.3", 0)
		}, ctCtx, 0x0122},
		{"no SOP instance UID", &statusHandler{}, func() *dimse.Command {
			c := dimse.NewCStoreRQ(1, CTImageStorage, "1.2.3", 0)
			c.Elements = c.Elements[:len(c.Elements)-1]
			return c
		}, ctCtx, 0xC000},
		{"unrecognized operation", &statusHandler{}, func() *dimse.Command {
			c := dimse.NewCStoreRQ(1, CTImageStorage, "1.2.3", 0)
			c.SetUint16(dimse.TagCommandField, uint16(dimse.NGetRQ))
			return c
		}, ctCtx, 0x0211},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServer(testConfig(), tc.h, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := serveOn(t, srv)
			p := dialRaw(t, s)
			p.associate()
			cmd := dimse.NewCStoreRQ(1, CTImageStorage, "1.2.3", 0)
			if tc.cmd != nil {
				cmd = tc.cmd()
			}
			p.sendCommand(tc.ctx, cmd)
			p.sendData(tc.ctx, fakeDataSet(CTImageStorage, "1.2.3"), false)
			p.sendData(tc.ctx, []byte{0, 0}, true)
			rsp := p.response()
			if st, _ := rsp.Status(); st != tc.want {
				t.Errorf("status %04X, want %04X", st, tc.want)
			}
			f, _ := rsp.Field()
			rqField, _ := cmd.Field()
			if f != dimse.ResponseField(rqField) {
				t.Errorf("response field %v", f)
			}
			for _, tag := range []dimse.Tag{dimse.TagAffectedSOPClassUID, dimse.TagAffectedSOPInstanceUID} {
				a, _ := cmd.Raw(tag)
				b, _ := rsp.Raw(tag)
				if !bytes.Equal(a, b) {
					t.Errorf("%v: %q, want %q", tag, b, a)
				}
			}
			p.release()
		})
	}
}

// serveOn serves srv on a loopback listener for the duration of the test.
func serveOn(t *testing.T, srv *Server) *testServer {
	t.Helper()
	ts := &testServer{Server: srv, done: make(chan error, 1)}
	l, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-ts.done
	})
	return ts
}

func TestTimeouts(t *testing.T) {
	cfg := testConfig()
	cfg.IdleTimeout = 300 * time.Millisecond
	cfg.DIMSETimeout = 300 * time.Millisecond
	s := startServer(t, cfg)

	t.Run("idle", func(t *testing.T) {
		p := dialRaw(t, s)
		p.associate()
		start := time.Now()
		p.expectAbort()
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("aborted after %v", d)
		}
	})

	t.Run("DIMSE", func(t *testing.T) {
		_, abortedBefore, _ := s.h.snapshot()
		p := dialRaw(t, s)
		p.associate()
		p.sendCommand(ctCtx, dimse.NewCStoreRQ(1, CTImageStorage, "1.2.3", 0))
		p.sendData(ctCtx, []byte{8, 0}, false)
		p.expectAbort()
		waitFor(t, "sink abort", func() bool { _, a, _ := s.h.snapshot(); return a == abortedBefore+1 })
	})

	t.Run("ARTIM before the request", func(t *testing.T) {
		p := dialRaw(t, s)
		p.expectClosed(5 * time.Second)
	})
}

func TestShutdownAbortsOpenAssociations(t *testing.T) {
	h := newFileHandler(t)
	srv, err := NewServer(testConfig(), h, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	s := &testServer{Server: srv, addr: l.Addr().String()}

	p := dialRaw(t, s)
	p.associate()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("shutdown: %v", err)
	}
	p.expectAbort()
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("serve: %v", err)
	}
	if srv.ActiveAssociations() != 0 {
		t.Errorf("%d associations left", srv.ActiveAssociations())
	}
}

func TestShutdownWaitsForRelease(t *testing.T) {
	h := newFileHandler(t)
	srv, _ := NewServer(testConfig(), h, nil, nil)
	l, _ := listenLoopback()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	s := &testServer{Server: srv, addr: l.Addr().String()}
	p := dialRaw(t, s)
	p.associate()
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond)
	// The open association still works, then releases.
	p.sendCommand(echoCtx, dimse.NewCEchoRQ(1))
	if st, _ := p.response().Status(); st != 0 {
		t.Errorf("echo status %04X", st)
	}
	p.release()
	if err := <-shut; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	<-done
}

func TestConnectionCap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxAssociations = 1
	s := startServer(t, cfg)
	var idle []*rawPeer
	for i := 0; i < 2*cfg.MaxAssociations+16; i++ {
		idle = append(idle, dialRaw(t, s))
	}
	waitFor(t, "connections counted", func() bool { return s.ActiveAssociations() == len(idle) })
	extra := dialRaw(t, s)
	extra.expectClosed(time.Second)
	for _, p := range idle {
		p.conn.Close()
	}
	waitFor(t, "connections closed", func() bool { return s.ActiveAssociations() == 0 })
	checkStillServing(t, s)
}
