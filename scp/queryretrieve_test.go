package scp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// startServerWith starts a server with extra services registered before
// Serve.
func startServerWith(t *testing.T, cfg Config, services map[dimse.CommandField]Service) *testServer {
	t.Helper()
	h := newFileHandler(t)
	obs := &recorder{}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := NewServer(cfg, h, obs, log)
	if err != nil {
		t.Fatal(err)
	}
	for f, svc := range services {
		srv.Handle(f, svc)
	}
	ts := serveOn(t, srv)
	ts.h = h
	ts.obs = obs
	ts.port = portOf(t, ts.addr)
	return ts
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// explicitLE encodes short-VR elements of group 0008 or 0020 in Explicit VR
// Little Endian, each value padded to an even length with a space (NUL for
// UI).
func explicitLE(elems ...struct {
	group, elem uint16
	vr, value   string
}) []byte {
	var b []byte
	for _, e := range elems {
		v := e.value
		if len(v)%2 == 1 {
			if e.vr == "UI" {
				v += "\x00"
			} else {
				v += " "
			}
		}
		b = binary.LittleEndian.AppendUint16(b, e.group)
		b = binary.LittleEndian.AppendUint16(b, e.elem)
		b = append(b, e.vr...)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	return b
}

// studyIdentifier is a C-FIND identifier at study level, Explicit VR LE.
var studyIdentifier = explicitLE(
	struct {
		group, elem uint16
		vr, value   string
	}{0x0008, 0x0052, "CS", "STUDY"},
	struct {
		group, elem uint16
		vr, value   string
	}{0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.8.498.1"},
)

// findOutcome is what the test C-FIND service did for one request.
type findOutcome struct {
	assocID  string
	pending  int
	canceled bool
	final    uint16
	err      error
}

// streamingFind is a C-FIND service that sends pending responses, each with
// studyIdentifier, until the peer cancels or max have been sent.
type streamingFind struct {
	max int

	mu       sync.Mutex
	outcomes []findOutcome
}

func (s *streamingFind) Begin(req *Request) Operation { return &streamingFindOp{s: s, req: req} }

func (s *streamingFind) results() []findOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]findOutcome(nil), s.outcomes...)
}

type streamingFindOp struct {
	s   *streamingFind
	req *Request
}

func (o *streamingFindOp) Write(p []byte) (int, error) { return len(p), nil }
func (o *streamingFindOp) Abort()                      {}

func (o *streamingFindOp) Finish(rsp Responder) {
	out := findOutcome{assocID: o.req.Association.ID, final: StatusSuccess}
	defer func() {
		o.s.mu.Lock()
		o.s.outcomes = append(o.s.outcomes, out)
		o.s.mu.Unlock()
	}()
	cc, ok := rsp.(CancelChecker)
	if !ok {
		out.err = errors.New("responder is not a CancelChecker")
		return
	}
	for out.pending < o.s.max {
		if cc.Canceled() {
			out.canceled = true
			out.final = 0xFE00
			break
		}
		c := dimse.NewResponse(o.req.Command, dimse.CFindRSP, 0xFF00)
		if out.err = rsp.Respond(c, bytes.NewReader(studyIdentifier)); out.err != nil {
			return
		}
		out.pending++
	}
	out.err = rsp.Respond(dimse.NewResponse(o.req.Command, dimse.CFindRSP, out.final), nil)
}

func TestQueryRetrieveNegotiation(t *testing.T) {
	find, move, get := &streamingFind{}, &streamingFind{}, &streamingFind{}
	for _, tc := range []struct {
		name     string
		services map[dimse.CommandField]Service
		accepted []string // of QueryRetrieveSOPClasses
	}{
		{"no service", nil, nil},
		{"find", map[dimse.CommandField]Service{dimse.CFindRQ: find},
			[]string{PatientRootQueryRetrieveFind, StudyRootQueryRetrieveFind}},
		{"find move get", map[dimse.CommandField]Service{dimse.CFindRQ: find, dimse.CMoveRQ: move, dimse.CGetRQ: get}, QueryRetrieveSOPClasses},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServerWith(t, testConfig(), tc.services)
			for _, uid := range tc.accepted {
				if !contains(s.Config().AcceptedSOPClasses, uid) {
					t.Errorf("Config().AcceptedSOPClasses lacks %s", uid)
				}
			}
			rq := testRQ("MDM2NODE", "RAWSCU")
			rq.PresentationContexts = nil
			for i, uid := range QueryRetrieveSOPClasses {
				rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{
					ID: byte(2*i + 1), AbstractSyntax: uid,
					TransferSyntaxes: []string{ImplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian},
				})
			}
			// Compressed syntaxes are not accepted for identifiers.
			rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{
				ID: 21, AbstractSyntax: StudyRootQueryRetrieveFind, TransferSyntaxes: []string{DeflatedExplicitVRLittleEndian, JPEGLosslessSV1},
			})
			p := dialRaw(t, s)
			p.send(rq)
			ac, ok := p.next().(*pdu.AssociateAC)
			if !ok {
				t.Fatal("not accepted")
			}
			for i, uid := range QueryRetrieveSOPClasses {
				got := ac.PresentationContexts[i]
				if contains(tc.accepted, uid) {
					if got.Result != pdu.ResultAcceptance || got.TransferSyntax != ExplicitVRLittleEndian {
						t.Errorf("%s: result %d, transfer syntax %s; want acceptance with Explicit VR LE", uid, got.Result, got.TransferSyntax)
					}
				} else if got.Result != pdu.ResultAbstractSyntaxNotSupported {
					t.Errorf("%s: result %d, want abstract syntax not supported", uid, got.Result)
				}
			}
			last := ac.PresentationContexts[len(ac.PresentationContexts)-1]
			want := byte(pdu.ResultAbstractSyntaxNotSupported)
			if len(tc.accepted) > 0 {
				want = pdu.ResultTransferSyntaxesNotSupported
			}
			if last.Result != want {
				t.Errorf("compressed proposal: result %d, want %d", last.Result, want)
			}
			p.release()
		})
	}
}

func TestQueryRetrieveConfig(t *testing.T) {
	cfg := testConfig()
	cfg.AcceptedSOPClasses = []string{VerificationSOPClass, StudyRootQueryRetrieveFind}
	if _, err := NewServer(cfg, newFileHandler(t), nil, nil); err != nil {
		t.Errorf("Query/Retrieve SOP class in AcceptedSOPClasses: %v", err)
	}
	cfg.AcceptedSOPClasses = []string{"1.2.840.10008.5.1.4.1.2.3.1"} // Patient/Study Only, retired
	if _, err := NewServer(cfg, newFileHandler(t), nil, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("unsupported SOP class: got %v, want ErrConfig", err)
	}
}

func TestRoleSelectionForGet(t *testing.T) {
	const rtDose = "1.2.840.10008.5.1.4.1.1.481.2"
	for _, tc := range []struct {
		name string
		get  bool
	}{{"without C-GET service", false}, {"with C-GET service", true}} {
		t.Run(tc.name, func(t *testing.T) {
			services := map[dimse.CommandField]Service{}
			if tc.get {
				services[dimse.CGetRQ] = &streamingFind{}
			}
			cfg := testConfig()
			// MR is not received, but may be sent as a C-GET sub-operation.
			cfg.AcceptedSOPClasses = []string{VerificationSOPClass, CTImageStorage}
			s := startServerWith(t, cfg, services)
			rq := testRQ("MDM2NODE", "GETSCU")
			rq.PresentationContexts = []pdu.PresentationContextRQ{
				{ID: 1, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian}},
				{ID: 3, AbstractSyntax: MRImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
				{ID: 5, AbstractSyntax: rtDose, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
				{ID: 7, AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{ImplicitVRLittleEndian}},
			}
			rq.UserInfo.RoleSelections = []pdu.RoleSelection{
				{SOPClassUID: CTImageStorage, SCU: false, SCP: true},
				{SOPClassUID: MRImageStorage, SCU: false, SCP: true},
				{SOPClassUID: rtDose, SCU: false, SCP: true},
				{SOPClassUID: VerificationSOPClass, SCU: true, SCP: true},
			}
			p := dialRaw(t, s)
			p.send(rq)
			ac, ok := p.next().(*pdu.AssociateAC)
			if !ok {
				t.Fatal("not accepted")
			}
			results := map[byte]byte{}
			for _, pc := range ac.PresentationContexts {
				results[pc.ID] = pc.Result
			}
			wantMR := byte(pdu.ResultAbstractSyntaxNotSupported)
			if tc.get {
				wantMR = pdu.ResultAcceptance
			}
			if results[1] != pdu.ResultAcceptance || results[3] != wantMR || results[5] != pdu.ResultAbstractSyntaxNotSupported || results[7] != pdu.ResultAcceptance {
				t.Errorf("context results %v; want CT accepted, MR %d, RT Dose not supported, Verification accepted", results, wantMR)
			}
			roles := map[string]pdu.RoleSelection{}
			for _, r := range ac.UserInfo.RoleSelections {
				roles[r.SOPClassUID] = r
			}
			if got := roles[CTImageStorage]; got.SCP != tc.get || got.SCU {
				t.Errorf("CT role %+v, want SCP=%v SCU=false", got, tc.get)
			}
			if got, ok := roles[MRImageStorage]; ok != tc.get || got.SCP != tc.get {
				t.Errorf("MR role %+v (answered %v), want SCP=%v", got, ok, tc.get)
			}
			if _, ok := roles[rtDose]; ok {
				t.Error("role answered for a SOP class not accepted")
			}
			if got := roles[VerificationSOPClass]; got.SCP || !got.SCU {
				t.Errorf("Verification role %+v, want SCU only", got)
			}
			p.release()
		})
	}
}

// message reads one DIMSE message: its command set and data set, if any.
func (p *rawPeer) message() (*dimse.Command, []byte) {
	p.t.Helper()
	var cmdBuf, data []byte
	var cmd *dimse.Command
	for {
		x := p.next()
		pd, ok := x.(*pdu.PDataTF)
		if !ok {
			p.t.Fatalf("got %v, want P-DATA-TF", x.Type())
		}
		for _, v := range pd.PDVs {
			if v.IsCommand() {
				cmdBuf = append(cmdBuf, v.Data...)
				if !v.IsLast() {
					continue
				}
				c, err := dimse.Decode(cmdBuf)
				if err != nil {
					p.t.Fatal(err)
				}
				if !c.HasDataSet() {
					return c, nil
				}
				cmd = c
				continue
			}
			data = append(data, v.Data...)
			if v.IsLast() {
				return cmd, data
			}
		}
	}
}

func newCFindRQ(id uint16, sopClass string) *dimse.Command {
	c := &dimse.Command{}
	c.SetString(dimse.TagAffectedSOPClassUID, sopClass)
	c.SetUint16(dimse.TagCommandField, uint16(dimse.CFindRQ))
	c.SetUint16(dimse.TagMessageID, id)
	c.SetUint16(dimse.TagPriority, dimse.PriorityMedium)
	c.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	return c
}

func newCCancelRQ(id uint16) *dimse.Command {
	c := &dimse.Command{}
	c.SetUint16(dimse.TagCommandField, uint16(dimse.CCancelRQ))
	c.SetUint16(dimse.TagMessageIDBeingRespondedTo, id)
	c.SetUint16(dimse.TagCommandDataSetType, dimse.NoDataSet)
	return c
}

// TestCancelFind sends a C-CANCEL-RQ after the first pending C-FIND
// response; the service must see it, answer Cancel (FE00), and the
// association must go on.
func TestCancelFind(t *testing.T) {
	find := &streamingFind{max: 200000}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CFindRQ: find})
	p := dialRaw(t, s)
	rq := testRQ("MDM2NODE", "FINDSCU")
	rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{ID: 7, AbstractSyntax: StudyRootQueryRetrieveFind, TransferSyntaxes: []string{ExplicitVRLittleEndian}})
	p.send(rq)
	if _, ok := p.next().(*pdu.AssociateAC); !ok {
		t.Fatal("not accepted")
	}

	// 1. A C-CANCEL-RQ for no outstanding request is ignored, unanswered:
	// the C-ECHO-RQ after it gets the next response.
	p.sendCommand(echoCtx, newCCancelRQ(40))
	p.sendCommand(echoCtx, dimse.NewCEchoRQ(41))
	if c := p.response(); func() uint16 { id, _ := c.Uint16(dimse.TagMessageIDBeingRespondedTo); return id }() != 41 {
		t.Fatalf("response to the stray C-CANCEL-RQ or another message: %s", c.Format())
	}

	// 2. The query, canceled after its first pending response.
	p.sendCommand(7, newCFindRQ(42, StudyRootQueryRetrieveFind))
	p.sendData(7, studyIdentifier, true)
	first, data := p.message()
	if st, _ := first.Status(); st != 0xFF00 || !bytes.Equal(data, studyIdentifier) {
		t.Fatalf("first response: status %04X, %d data set bytes", st, len(data))
	}
	p.sendCommand(7, newCCancelRQ(42))
	pending := 1
	var final uint16
	for {
		c, _ := p.message()
		st, _ := c.Status()
		if id, _ := c.Uint16(dimse.TagMessageIDBeingRespondedTo); id != 42 {
			t.Fatalf("response to message %d", id)
		}
		if st != 0xFF00 {
			final = st
			break
		}
		pending++
	}
	if final != 0xFE00 {
		t.Errorf("final status %04X, want FE00", final)
	}

	// 3. The association goes on.
	p.sendCommand(echoCtx, dimse.NewCEchoRQ(43))
	if st, _ := p.response().Status(); st != StatusSuccess {
		t.Errorf("C-ECHO after the cancel: status %04X", st)
	}
	p.release()

	res := find.results()
	if len(res) != 1 {
		t.Fatalf("%d queries answered, want 1", len(res))
	}
	if r := res[0]; !r.canceled || r.err != nil || r.pending != pending || r.pending >= find.max {
		t.Errorf("service outcome %+v; the peer read %d pending responses", r, pending)
	}
}

// TestCancelAbortDuringFind aborts the association while the service
// streams: Canceled must report it, and the server must keep serving.
func TestCancelAbortDuringFind(t *testing.T) {
	find := &streamingFind{max: 200000}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CFindRQ: find})
	for _, tc := range []struct {
		name string
		pdu  pdu.PDU
	}{
		{"A-ABORT", &pdu.Abort{Source: pdu.AbortSourceServiceUser}},
		// PS3.7 forbids releasing with an operation outstanding: the server
		// aborts.
		{"A-RELEASE-RQ", &pdu.ReleaseRQ{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(find.results())
			p := dialRaw(t, s)
			rq := testRQ("MDM2NODE", "FINDSCU")
			rq.PresentationContexts = []pdu.PresentationContextRQ{{ID: 1, AbstractSyntax: StudyRootQueryRetrieveFind, TransferSyntaxes: []string{ExplicitVRLittleEndian}}}
			p.send(rq)
			if _, ok := p.next().(*pdu.AssociateAC); !ok {
				t.Fatal("not accepted")
			}
			p.sendCommand(1, newCFindRQ(1, StudyRootQueryRetrieveFind))
			p.sendData(1, studyIdentifier, true)
			p.message()
			p.send(tc.pdu)
			// Read until the server aborts or closes.
			go func() { _, _ = io.Copy(io.Discard, p.conn) }()
			waitFor(t, "the service to stop", func() bool { return len(find.results()) == before+1 })
			p.conn.Close()
			r := find.results()[before]
			if !r.canceled || r.pending >= find.max {
				t.Errorf("service outcome %+v, want stopped by Canceled", r)
			}
		})
	}
	checkStillServing(t, s)
}

// TestFindscuCancel runs DCMTK findscu --cancel 1. (With --repeat, findscu
// 3.6.7 cancels only the first query, so the association going on after a
// cancel is checked in TestCancelFind.)
func TestFindscuCancel(t *testing.T) {
	findscu := testutil.RequireTool(t, "findscu")
	find := &streamingFind{max: 200000}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CFindRQ: find})
	cmd := exec.Command(findscu, "-S", "-aet", "FINDSCU", "-aec", "MDM2NODE", "-v", "-sr", "--cancel", "1",
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", strconv.Itoa(s.port))
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	waitFor(t, "association end", func() bool { _, _, rel, _, _ := s.obs.counts(); return rel == 1 })
	res := find.results()
	if len(res) != 1 {
		t.Fatalf("%d queries answered, want 1\n%s", len(res), out)
	}
	if r := res[0]; !r.canceled || r.final != 0xFE00 || r.err != nil || r.pending >= find.max {
		t.Errorf("outcome %+v", r)
	}
	if !bytes.Contains(out, []byte("Sending Cancel Request")) {
		t.Errorf("findscu did not send a C-CANCEL-RQ:\n%s", out)
	}
}

// getInstance is an instance the test C-GET service sends.
type getInstance struct {
	file           string // relative to the shared DICOM test data
	sopClass       string
	transferSyntax string
}

// getOutcome is what the test C-GET service did for one request.
type getOutcome struct {
	statuses []uint16
	errs     []error
	canceled bool
	final    uint16
	err      error
}

// fixedGet is a C-GET service that sends the same instances whatever the
// identifier, with a pending response after each sub-operation (PS3.4
// C.4.3.1.3).
type fixedGet struct {
	t         *testing.T
	instances []getInstance
	dataSets  [][]byte
	uids      []string
	// reader, when set, replaces the reader of the data sets.
	reader func(data []byte) io.Reader

	mu       sync.Mutex
	outcomes []getOutcome
}

func (s *fixedGet) Begin(req *Request) Operation { return &fixedGetOp{s: s, req: req} }

type fixedGetOp struct {
	s   *fixedGet
	req *Request
}

func (o *fixedGetOp) Write(p []byte) (int, error) { return len(p), nil }
func (o *fixedGetOp) Abort()                      {}

func (o *fixedGetOp) Finish(rsp Responder) {
	var out getOutcome
	defer func() {
		o.s.mu.Lock()
		o.s.outcomes = append(o.s.outcomes, out)
		o.s.mu.Unlock()
	}()
	ss, ok := rsp.(SubStorer)
	if !ok {
		out.err = errors.New("responder is not a SubStorer")
		return
	}
	counts := func(c *dimse.Command, remaining, completed, failed int) *dimse.Command {
		c.SetUint16(dimse.TagNumberOfRemainingSuboperations, uint16(remaining))
		c.SetUint16(dimse.TagNumberOfCompletedSuboperations, uint16(completed))
		c.SetUint16(dimse.TagNumberOfFailedSuboperations, uint16(failed))
		c.SetUint16(dimse.TagNumberOfWarningSuboperations, 0)
		return c
	}
	completed, failed := 0, 0
	for i, in := range o.s.instances {
		if rsp.(CancelChecker).Canceled() {
			out.canceled = true
			out.final = 0xFE00
			out.err = rsp.Respond(counts(dimse.NewResponse(o.req.Command, dimse.CGetRSP, out.final), len(o.s.instances)-i, completed, failed), nil)
			return
		}
		var data io.Reader = bytes.NewReader(o.s.dataSets[i])
		if o.s.reader != nil {
			data = o.s.reader(o.s.dataSets[i])
		}
		st, err := ss.SubStore(context.Background(), in.sopClass, o.s.uids[i], in.transferSyntax, data)
		if err != nil && !errors.Is(err, ErrNoContext) {
			out.errs = append(out.errs, err)
			return
		}
		out.statuses = append(out.statuses, st)
		out.errs = append(out.errs, err)
		if err == nil && st == StatusSuccess {
			completed++
		} else {
			failed++
		}
		remaining := len(o.s.instances) - i - 1
		if remaining > 0 {
			if out.err = rsp.Respond(counts(dimse.NewResponse(o.req.Command, dimse.CGetRSP, 0xFF00), remaining, completed, failed), nil); out.err != nil {
				return
			}
		}
	}
	out.final = StatusSuccess
	if failed > 0 {
		out.final = 0xB000 // Sub-operations complete, one or more failures
	}
	c := counts(dimse.NewResponse(o.req.Command, dimse.CGetRSP, out.final), 0, completed, failed)
	c.Elements = withoutTag(c.Elements, dimse.TagNumberOfRemainingSuboperations)
	out.err = rsp.Respond(c, nil)
}

func withoutTag(elems []dimse.Element, tag dimse.Tag) []dimse.Element {
	var out []dimse.Element
	for _, e := range elems {
		if e.Tag != tag {
			out = append(out, e)
		}
	}
	return out
}

// TestGetscuSubStore sends instances with SubStore to DCMTK getscu, which
// writes what it receives unchanged with --bit-preserving.
func TestGetscuSubStore(t *testing.T) {
	getscu := testutil.RequireTool(t, "getscu")
	get := &fixedGet{t: t, instances: []getInstance{
		{"rt-utils/mock_data/ct_1.dcm", CTImageStorage, ExplicitVRLittleEndian},
		{"dicom2nifti/siemens/anatomical/001/IM-0001-0112-0001.dcm", MRImageStorage, ExplicitVRLittleEndian},
		// getscu proposes Explicit VR first, so the node accepts no context
		// in Implicit VR LE to send this one: a failed sub-operation.
		{"cornerstone3d/CTImage.dcm", CTImageStorage, ImplicitVRLittleEndian},
		{"highdicom/sr_document.dcm", Comprehensive3DSRStorage, ExplicitVRLittleEndian},
	}}
	for _, in := range get.instances {
		path := sharedFiles(t, []string{in.file})[0]
		get.dataSets = append(get.dataSets, dataSetOf(t, path))
		get.uids = append(get.uids, sopInstanceOf(t, path))
	}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CGetRQ: get})

	dir := t.TempDir()
	cmd := exec.Command(getscu, "-S", "-aet", "GETSCU", "-aec", "MDM2NODE", "+B", "-od", dir,
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.826.0.1.3680043.8.498.1", "127.0.0.1", strconv.Itoa(s.port))
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("getscu: %v\n%s", err, out)
	}
	waitFor(t, "association end", func() bool { _, _, rel, _, _ := s.obs.counts(); return rel == 1 })

	get.mu.Lock()
	outcomes := append([]getOutcome(nil), get.outcomes...)
	get.mu.Unlock()
	if len(outcomes) != 1 {
		t.Fatalf("%d C-GET requests answered, want 1\n%s", len(outcomes), out)
	}
	o := outcomes[0]
	if o.err != nil || o.final != 0xB000 {
		t.Errorf("final status %04X, error %v", o.final, o.err)
	}
	for i, in := range get.instances {
		wantErr := in.transferSyntax == ImplicitVRLittleEndian
		switch {
		case wantErr && !errors.Is(o.errs[i], ErrNoContext):
			t.Errorf("%s: error %v, want ErrNoContext", in.file, o.errs[i])
		case !wantErr && (o.errs[i] != nil || o.statuses[i] != StatusSuccess):
			t.Errorf("%s: status %04X, error %v", in.file, o.statuses[i], o.errs[i])
		}
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	got := map[[32]byte]bool{}
	for _, f := range files {
		got[sha256.Sum256(dataSetOf(t, f))] = true
	}
	if len(files) != 3 {
		t.Errorf("getscu wrote %d files, want 3\n%s", len(files), out)
	}
	for i, in := range get.instances {
		if in.transferSyntax == ImplicitVRLittleEndian {
			continue
		}
		if !got[sha256.Sum256(get.dataSets[i])] {
			t.Errorf("%s: no file written by getscu has the data set sent", in.file)
		}
	}
}

// TestClientStoreForMove checks that the Move Originator elements reach the
// receiving server's StoreHandler.
func TestClientStoreForMove(t *testing.T) {
	s := startServer(t, testConfig())
	c, err := dialTest(t, s.addr, "MDM2NODE", 0, []ProposedContext{ctExplicit})
	if err != nil {
		t.Fatal(err)
	}
	data := fakeDataSet(CTImageStorage, "1.2.826.0.1.3680043.8.498.2")
	st, err := c.StoreForMove(CTImageStorage, "1.2.826.0.1.3680043.8.498.2", ExplicitVRLittleEndian, bytes.NewReader(data), MoveOriginator{AETitle: "MOVESCU", MessageID: 7})
	if err != nil || st != StatusSuccess {
		t.Fatalf("store: status %04X, %v", st, err)
	}
	if _, err := c.StoreForMove(CTImageStorage, "1.2.3", ExplicitVRLittleEndian, bytes.NewReader(data), MoveOriginator{}); err == nil {
		t.Error("empty move originator AE title accepted")
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	_, _, reqs := s.h.snapshot()
	if len(reqs) != 1 || reqs[0].MoveOriginatorAE != "MOVESCU" || reqs[0].MoveOriginatorID != 7 {
		t.Errorf("store requests %+v, want one from move originator MOVESCU, message 7", reqs)
	}
}

// TestCancelInSamePDU sends the last fragment of the C-FIND identifier and
// the C-CANCEL-RQ in one P-DATA-TF: the cancel is the PDV after the one that
// started the operation, and the first Canceled call must see it.
func TestCancelInSamePDU(t *testing.T) {
	find := &streamingFind{max: 200000}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CFindRQ: find})
	p := dialRaw(t, s)
	rq := testRQ("MDM2NODE", "FINDSCU")
	rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{ID: 7, AbstractSyntax: StudyRootQueryRetrieveFind, TransferSyntaxes: []string{ExplicitVRLittleEndian}})
	p.send(rq)
	if _, ok := p.next().(*pdu.AssociateAC); !ok {
		t.Fatal("not accepted")
	}
	p.sendCommand(7, newCFindRQ(5, StudyRootQueryRetrieveFind))
	p.send(&pdu.PDataTF{PDVs: []pdu.PDV{
		{ContextID: 7, Control: pdu.FlagLast, Data: studyIdentifier},
		{ContextID: 7, Control: pdu.FlagCommand | pdu.FlagLast, Data: newCCancelRQ(5).Encode()},
	}})
	c, _ := p.message()
	if st, _ := c.Status(); st != 0xFE00 {
		t.Errorf("first response: status %04X, want FE00 without pending responses", st)
	}
	p.sendCommand(echoCtx, dimse.NewCEchoRQ(6))
	if st, _ := p.response().Status(); st != StatusSuccess {
		t.Errorf("C-ECHO after the cancel: status %04X", st)
	}
	p.release()
	if res := find.results(); len(res) != 1 || !res[0].canceled || res[0].pending != 0 {
		t.Errorf("service outcomes %+v", res)
	}
}

// TestRequestDuringFind sends a C-ECHO-RQ while a C-FIND is outstanding,
// which the one-operation-at-a-time rule forbids: the server aborts.
func TestRequestDuringFind(t *testing.T) {
	find := &streamingFind{max: 200000}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CFindRQ: find})
	p := dialRaw(t, s)
	rq := testRQ("MDM2NODE", "FINDSCU")
	rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{ID: 7, AbstractSyntax: StudyRootQueryRetrieveFind, TransferSyntaxes: []string{ExplicitVRLittleEndian}})
	p.send(rq)
	if _, ok := p.next().(*pdu.AssociateAC); !ok {
		t.Fatal("not accepted")
	}
	p.sendCommand(7, newCFindRQ(5, StudyRootQueryRetrieveFind))
	p.send(&pdu.PDataTF{PDVs: []pdu.PDV{
		{ContextID: 7, Control: pdu.FlagLast, Data: studyIdentifier},
		{ContextID: echoCtx, Control: pdu.FlagCommand | pdu.FlagLast, Data: dimse.NewCEchoRQ(6).Encode()},
	}})
	p.expectAbort()
	p.conn.Close()
	waitFor(t, "the service to stop", func() bool { return len(find.results()) == 1 })
	if r := find.results()[0]; !r.canceled || r.pending != 0 {
		t.Errorf("service outcome %+v, want stopped by Canceled before any response", r)
	}
	waitFor(t, "abort seen", func() bool { _, _, _, ab, _ := s.obs.counts(); return ab == 1 })
}

// TestSubStoreCancel plays a C-GET SCU by hand: it is granted the SCP role
// for CT, receives the first sub-operation fragmented to its 4096-byte
// maximum, sends a C-CANCEL-RQ before its C-STORE-RSP, and expects the
// service to stop with Cancel (FE00).
func TestSubStoreCancel(t *testing.T) {
	file := sharedFiles(t, []string{"rt-utils/mock_data/ct_1.dcm"})[0]
	data := dataSetOf(t, file)
	const uid = "1.2.826.0.1.3680043.8.498.3"
	get := &fixedGet{t: t,
		instances: []getInstance{{"ct_1", CTImageStorage, ExplicitVRLittleEndian}, {"ct_1", CTImageStorage, ExplicitVRLittleEndian}},
		dataSets:  [][]byte{data, data},
		uids:      []string{uid, uid},
	}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CGetRQ: get})
	p := dialRaw(t, s)
	rq := testRQ("MDM2NODE", "GETSCU")
	rq.PresentationContexts = []pdu.PresentationContextRQ{
		{ID: 1, AbstractSyntax: StudyRootQueryRetrieveGet, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
		{ID: 3, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
	}
	rq.UserInfo.MaxLength = 4096
	rq.UserInfo.RoleSelections = []pdu.RoleSelection{{SOPClassUID: CTImageStorage, SCU: false, SCP: true}}
	p.send(rq)
	if _, ok := p.next().(*pdu.AssociateAC); !ok {
		t.Fatal("not accepted")
	}
	getRQ := newCFindRQ(9, StudyRootQueryRetrieveGet)
	getRQ.SetUint16(dimse.TagCommandField, uint16(dimse.CGetRQ))
	p.sendCommand(1, getRQ)
	p.sendData(1, studyIdentifier, true)

	// 1. The sub-operation, in PDUs the size the peer announced.
	var cmdBuf, got []byte
	var storeRQ *dimse.Command
	for storeRQ == nil || len(got) < len(data) {
		pd, ok := p.next().(*pdu.PDataTF)
		if !ok {
			t.Fatal("not a P-DATA-TF")
		}
		for _, v := range pd.PDVs {
			if len(v.Data)+pdu.PDVHeaderLength > 4096 {
				t.Fatalf("PDV of %d bytes exceeds the 4096-byte maximum", len(v.Data))
			}
			if v.ContextID != 3 {
				t.Fatalf("sub-operation on context %d, want 3", v.ContextID)
			}
			if v.IsCommand() {
				cmdBuf = append(cmdBuf, v.Data...)
				if v.IsLast() {
					c, err := dimse.Decode(cmdBuf)
					if err != nil {
						t.Fatal(err)
					}
					storeRQ = c
				}
				continue
			}
			got = append(got, v.Data...)
		}
	}
	if f, _ := storeRQ.Field(); f != dimse.CStoreRQ {
		t.Fatalf("command %v, want C-STORE-RQ", f)
	}
	if inst, _ := storeRQ.String(dimse.TagAffectedSOPInstanceUID); inst != uid || !bytes.Equal(got, data) {
		t.Errorf("sub-operation for %s with %d bytes; want %s with the %d bytes of the data set", inst, len(got), uid, len(data))
	}

	// 2. The cancel, then the C-STORE-RSP with a failure status.
	p.sendCommand(1, newCCancelRQ(9))
	p.sendCommand(3, dimse.NewResponse(storeRQ, dimse.CStoreRSP, StatusOutOfResources))
	// The pending response of the first sub-operation, then the final one.
	c, _ := p.message()
	if st, _ := c.Status(); st != 0xFF00 {
		t.Errorf("status %04X, want pending FF00", st)
	}
	c, _ = p.message()
	if f, _ := c.Field(); f != dimse.CGetRSP {
		t.Fatalf("command %v, want C-GET-RSP", f)
	}
	if st, _ := c.Status(); st != 0xFE00 {
		t.Errorf("status %04X, want FE00", st)
	}
	if n, _ := c.Uint16(dimse.TagNumberOfFailedSuboperations); n != 1 {
		t.Errorf("%d failed sub-operations, want 1", n)
	}
	p.release()

	get.mu.Lock()
	defer get.mu.Unlock()
	if len(get.outcomes) != 1 {
		t.Fatalf("%d C-GET requests answered", len(get.outcomes))
	}
	o := get.outcomes[0]
	if !o.canceled || len(o.statuses) != 1 || o.statuses[0] != StatusOutOfResources || o.errs[0] != nil {
		t.Errorf("outcome %+v, want one sub-operation answered A700, then canceled", o)
	}
}

// failingReader returns its data, then an error instead of EOF.
type failingReader struct{ r io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("disk read failed")
	}
	return n, err
}

// TestSubStoreDataSetFails makes the data set of a sub-operation fail after
// its first fragments: the peer holds a partial message, so the server must
// abort the association, and SubStore must return an error other than
// ErrNoContext.
func TestSubStoreDataSetFails(t *testing.T) {
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 8192)
	get := &fixedGet{t: t,
		instances: []getInstance{{"generated", CTImageStorage, ExplicitVRLittleEndian}},
		dataSets:  [][]byte{data},
		uids:      []string{"1.2.826.0.1.3680043.8.498.4"},
		reader:    func(d []byte) io.Reader { return failingReader{bytes.NewReader(d)} },
	}
	s := startServerWith(t, testConfig(), map[dimse.CommandField]Service{dimse.CGetRQ: get})
	p := dialRaw(t, s)
	rq := testRQ("MDM2NODE", "GETSCU")
	rq.PresentationContexts = []pdu.PresentationContextRQ{
		{ID: 1, AbstractSyntax: StudyRootQueryRetrieveGet, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
		{ID: 3, AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}},
	}
	rq.UserInfo.RoleSelections = []pdu.RoleSelection{{SOPClassUID: CTImageStorage, SCP: true}}
	p.send(rq)
	if _, ok := p.next().(*pdu.AssociateAC); !ok {
		t.Fatal("not accepted")
	}
	getRQ := newCFindRQ(9, StudyRootQueryRetrieveGet)
	getRQ.SetUint16(dimse.TagCommandField, uint16(dimse.CGetRQ))
	p.sendCommand(1, getRQ)
	p.sendData(1, studyIdentifier, true)
	for {
		x := p.next()
		if _, ok := x.(*pdu.Abort); ok {
			break
		}
		if _, ok := x.(*pdu.PDataTF); !ok {
			t.Fatalf("got %v, want P-DATA-TF or A-ABORT", x.Type())
		}
	}
	p.conn.Close()
	waitFor(t, "the service to stop", func() bool {
		get.mu.Lock()
		defer get.mu.Unlock()
		return len(get.outcomes) == 1
	})
	o := get.outcomes[0]
	if len(o.errs) != 1 || o.errs[0] == nil || errors.Is(o.errs[0], ErrNoContext) {
		t.Errorf("SubStore errors %v, want one that is not ErrNoContext", o.errs)
	}
	waitFor(t, "abort seen", func() bool { _, _, _, ab, _ := s.obs.counts(); return ab == 1 })
}
