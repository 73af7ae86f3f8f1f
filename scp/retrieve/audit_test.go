package retrieve

import (
	"encoding/binary"
	"testing"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
)

func TestGetAuditRecord(t *testing.T) {
	ix, dir := getFixture(t)
	var records []Record
	rsp := &fakeResponder{
		contexts: map[string][]string{ctClass: {tsELE}, mrClass: {tsELE}},
		statuses: map[string]uint16{ctClass: 0x0000, mrClass: 0xB007},
	}
	svc := NewGetService(GetConfig{Index: ix, DataDir: dir, Audit: func(r Record) { records = append(records, r) }})
	getRequest(t, svc, rsp)

	if len(records) != 1 {
		t.Fatalf("%d audit records, want 1", len(records))
	}
	r := records[0]
	if r.Operation != "C-GET" || r.Status != StatusWarningSubOperations {
		t.Errorf("record %s status %04X, want C-GET B000", r.Operation, r.Status)
	}
	if r.Completed != 1 || r.Failed != 1 || r.Warnings != 1 {
		t.Errorf("record counts completed %d failed %d warnings %d, want 1, 1, 1", r.Completed, r.Failed, r.Warnings)
	}
	if len(r.Studies) != 1 || r.Studies[0].StudyInstanceUID != "1.1" || r.Studies[0].Instances != 3 {
		t.Errorf("record studies %+v, want study 1.1 with 3 instances", r.Studies)
	}
}

func TestMoveAuditUnknownDestination(t *testing.T) {
	ix, dir := getFixture(t)
	var records []Record
	svc := NewMoveService(MoveConfig{
		Index: ix, DataDir: dir,
		Destination: func(string) (config.Peer, bool) { return config.Peer{}, false },
		Audit:       func(r Record) { records = append(records, r) },
	})
	cmd := &dimse.Command{}
	cmd.SetUint16(dimse.TagCommandField, uint16(dimse.CMoveRQ))
	cmd.SetUint16(dimse.TagMessageID, 4)
	cmd.SetString(dimse.TagAffectedSOPClassUID, scp.StudyRootQueryRetrieveMove)
	cmd.SetString(dimse.TagMoveDestination, "NOBODY")
	cmd.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	op := svc.Begin(&scp.Request{AbstractSyntax: scp.StudyRootQueryRetrieveMove, TransferSyntax: tsELE, Command: cmd})
	op.Write(element(binary.LittleEndian, 0x0008, 0x0052, "CS", "STUDY", false))
	op.Finish(&fakeResponder{})

	if len(records) != 1 {
		t.Fatalf("%d audit records, want 1", len(records))
	}
	if r := records[0]; r.Operation != "C-MOVE" || r.Destination != "NOBODY" || r.Status != StatusMoveDestUnknown {
		t.Errorf("record %+v, want C-MOVE to NOBODY with A801", r)
	}
}
