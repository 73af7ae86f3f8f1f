package retrieve

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
)

// sentResponse is one response a fakeResponder received.
type sentResponse struct {
	cmd  *dimse.Command
	data []byte
}

// fakeResponder records responses. As a SubStorer it accepts the SOP
// classes in contexts and returns statuses[class] for each C-STORE.
type fakeResponder struct {
	responses []sentResponse
	contexts  map[string][]string
	statuses  map[string]uint16
	stored    []string
	cancelAt  int // Canceled reports true from this call on (0: never)
	calls     int
}

func (f *fakeResponder) Respond(cmd *dimse.Command, data io.Reader) error {
	r := sentResponse{cmd: cmd}
	if data != nil {
		r.data, _ = io.ReadAll(data)
	}
	f.responses = append(f.responses, r)
	return nil
}

func (f *fakeResponder) SubStore(_ context.Context, class, sop, _ string, data io.Reader) (uint16, error) {
	io.Copy(io.Discard, data)
	f.stored = append(f.stored, sop)
	return f.statuses[class], nil
}

func (f *fakeResponder) SubStoreTransferSyntaxes(class string) []string { return f.contexts[class] }

func (f *fakeResponder) Canceled() bool {
	f.calls++
	return f.cancelAt > 0 && f.calls >= f.cancelAt
}

// plainResponder is a Responder without sub-operations or cancel.
type plainResponder struct{ rec fakeResponder }

func (p *plainResponder) Respond(cmd *dimse.Command, data io.Reader) error {
	return p.rec.Respond(cmd, data)
}

const (
	ctClass = "1.2.840.10008.5.1.4.1.1.2"
	srClass = "1.2.840.10008.5.1.4.1.1.88.33"
	mrClass = "1.2.840.10008.5.1.4.1.1.4"
	tsELE   = "1.2.840.10008.1.2.1"
)

// getFixture stores three instance files of one study: CT, SR and MR.
func getFixture(t *testing.T) (memIndex, string) {
	t.Helper()
	dir := t.TempDir()
	ix := memIndex{
		{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.1", SOPInstanceUID: "1.1.1.1", SOPClassUID: ctClass, TransferSyntaxUID: tsELE, Path: "ct"},
		{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.1", SOPInstanceUID: "1.1.1.2", SOPClassUID: srClass, TransferSyntaxUID: tsELE, Path: "sr"},
		{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.1", SOPInstanceUID: "1.1.1.3", SOPClassUID: mrClass, TransferSyntaxUID: tsELE, Path: "mr"},
	}
	for _, r := range ix {
		if err := os.WriteFile(filepath.Join(dir, r.Path), []byte("data set bytes"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ix, dir
}

// getRequest runs a Study Root C-GET of study 1.1 through svc and rsp.
func getRequest(t *testing.T, svc scp.Service, rsp scp.Responder) {
	t.Helper()
	cmd := &dimse.Command{}
	cmd.SetUint16(dimse.TagCommandField, uint16(dimse.CGetRQ))
	cmd.SetUint16(dimse.TagMessageID, 7)
	cmd.SetString(dimse.TagAffectedSOPClassUID, scp.StudyRootQueryRetrieveGet)
	cmd.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	op := svc.Begin(&scp.Request{ContextID: 1, AbstractSyntax: scp.StudyRootQueryRetrieveGet, TransferSyntax: tsELE, Command: cmd})
	var id []byte
	id = append(id, element(binary.LittleEndian, 0x0008, 0x0052, "CS", "STUDY", false)...)
	id = append(id, element(binary.LittleEndian, 0x0020, 0x000D, "UI", "1.1", false)...)
	if _, err := op.Write(id); err != nil {
		t.Fatal(err)
	}
	op.Finish(rsp)
}

func counters(t *testing.T, c *dimse.Command) (status, remaining, completed, failed, warning uint16) {
	t.Helper()
	status, _ = c.Status()
	remaining, _ = c.Uint16(dimse.TagNumberOfRemainingSuboperations)
	completed, _ = c.Uint16(dimse.TagNumberOfCompletedSuboperations)
	failed, _ = c.Uint16(dimse.TagNumberOfFailedSuboperations)
	warning, _ = c.Uint16(dimse.TagNumberOfWarningSuboperations)
	return
}

func TestGetCountsAndFailedList(t *testing.T) {
	ix, dir := getFixture(t)
	rsp := &fakeResponder{
		contexts: map[string][]string{ctClass: {tsELE}, mrClass: {tsELE}},
		statuses: map[string]uint16{ctClass: 0x0000, mrClass: 0xB007},
	}
	getRequest(t, NewGetService(GetConfig{Index: ix, DataDir: dir}), rsp)

	// Sub-operations: CT completed, SR failed (no context), MR warning.
	if len(rsp.stored) != 2 {
		t.Errorf("sub-operations sent = %v, want the CT and MR instances", rsp.stored)
	}
	want := []struct{ status, remaining, completed, failed, warning uint16 }{
		{StatusPending, 2, 1, 0, 0},
		{StatusPending, 1, 1, 1, 0},
		{StatusWarningSubOperations, 0, 1, 1, 1},
	}
	if len(rsp.responses) != len(want) {
		t.Fatalf("%d responses, want %d", len(rsp.responses), len(want))
	}
	for i, w := range want {
		st, rem, comp, fail, warn := counters(t, rsp.responses[i].cmd)
		if st != w.status || rem != w.remaining || comp != w.completed || fail != w.failed || warn != w.warning {
			t.Errorf("response %d: status %04X remaining %d completed %d failed %d warning %d; want %+v", i, st, rem, comp, fail, warn, w)
		}
		if f, _ := rsp.responses[i].cmd.Field(); f != dimse.CGetRSP {
			t.Errorf("response %d: command field %v, want C-GET-RSP", i, f)
		}
	}
	final := rsp.responses[2]
	if final.cmd.Has(dimse.TagNumberOfRemainingSuboperations) {
		t.Error("final B000 response carries Number of Remaining Sub-operations")
	}
	if !bytes.Contains(final.data, []byte("1.1.1.2")) || binary.LittleEndian.Uint16(final.data[2:]) != 0x0058 {
		t.Errorf("final data set = %q, want the Failed SOP Instance UID List with 1.1.1.2", final.data)
	}
}

func TestGetCancel(t *testing.T) {
	ix, dir := getFixture(t)
	rsp := &fakeResponder{
		contexts: map[string][]string{ctClass: {tsELE}, srClass: {tsELE}, mrClass: {tsELE}},
		statuses: map[string]uint16{},
		cancelAt: 3, // after the first sub-operation's pending response
	}
	getRequest(t, NewGetService(GetConfig{Index: ix, DataDir: dir}), rsp)
	last := rsp.responses[len(rsp.responses)-1]
	st, rem, comp, _, _ := counters(t, last.cmd)
	if st != StatusCancel || comp != 1 || rem != 2 {
		t.Errorf("final response: status %04X completed %d remaining %d; want FE00, 1, 2", st, comp, rem)
	}
	if len(rsp.stored) != 1 {
		t.Errorf("%d sub-operations after the cancel, want 1", len(rsp.stored))
	}
}

func TestGetWithoutSubStorer(t *testing.T) {
	ix, dir := getFixture(t)
	rsp := &plainResponder{}
	getRequest(t, NewGetService(GetConfig{Index: ix, DataDir: dir}), rsp)
	if len(rsp.rec.responses) != 1 {
		t.Fatalf("%d responses, want 1", len(rsp.rec.responses))
	}
	if st, _ := rsp.rec.responses[0].cmd.Status(); st != StatusUnableToPerform {
		t.Errorf("status %04X, want A702", st)
	}
}

func TestMoveUnknownAndIdentifierErrors(t *testing.T) {
	ix, dir := getFixture(t)
	svc := NewMoveService(MoveConfig{Index: ix, DataDir: dir, Destination: func(string) (config.Peer, bool) { return config.Peer{}, false }})
	cmd := &dimse.Command{}
	cmd.SetUint16(dimse.TagCommandField, uint16(dimse.CMoveRQ))
	cmd.SetUint16(dimse.TagMessageID, 3)
	cmd.SetString(dimse.TagAffectedSOPClassUID, scp.StudyRootQueryRetrieveMove)
	cmd.SetString(dimse.TagMoveDestination, "NOBODY")
	cmd.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	rsp := &fakeResponder{}
	op := svc.Begin(&scp.Request{AbstractSyntax: scp.StudyRootQueryRetrieveMove, TransferSyntax: tsELE, Command: cmd})
	op.Write(element(binary.LittleEndian, 0x0008, 0x0052, "CS", "STUDY", false))
	op.Finish(rsp)
	if st, _ := rsp.responses[0].cmd.Status(); st != StatusMoveDestUnknown {
		t.Errorf("unknown destination: status %04X, want A801", st)
	}

	known := NewMoveService(MoveConfig{Index: ix, DataDir: dir, Destination: func(string) (config.Peer, bool) { return config.Peer{AETitle: "X", Host: "127.0.0.1", Port: 1}, true }})
	rsp = &fakeResponder{}
	op = known.Begin(&scp.Request{AbstractSyntax: scp.StudyRootQueryRetrieveMove, TransferSyntax: tsELE, Command: cmd})
	op.Write(element(binary.LittleEndian, 0x0008, 0x0052, "CS", "STUDY", false))
	op.Finish(rsp)
	if st, _ := rsp.responses[0].cmd.Status(); st != StatusIdentifierMismatch {
		t.Errorf("STUDY level without Study Instance UID: status %04X, want A900", st)
	}
}
