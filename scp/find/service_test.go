package find

import (
	"io"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/series/tracker/trackertest"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// recorder is a Responder that cancels after cancelAfter responses.
type recorder struct {
	cmds        []*dimse.Command
	sets        []*DataSet
	cancelAfter int
}

func (r *recorder) Respond(cmd *dimse.Command, ds io.Reader) error {
	r.cmds = append(r.cmds, cmd)
	if ds != nil {
		b, _ := io.ReadAll(ds)
		d, err := Decode(b, scp.ExplicitVRLittleEndian)
		if err != nil {
			return err
		}
		r.sets = append(r.sets, d)
	}
	return nil
}

func (r *recorder) Canceled() bool { return r.cancelAfter > 0 && len(r.sets) >= r.cancelAfter }

func (r *recorder) final() uint16 {
	s, _ := r.cmds[len(r.cmds)-1].Status()
	return s
}

func newService(t *testing.T) (*Service, *[]audit.Event) {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, f := range []string{"pydicom/test_files/CT_small.dcm", "pydicom/test_files/MR_small.dcm", "rt-utils/mock_data/ct_1.dcm", "rt-utils/mock_data/ct_2.dcm"} {
		trackertest.Put(t, st, testutil.SharedPath(t, "testdata/dicom/"+f), "LOADER")
	}
	var events []audit.Event
	return New(st, Config{RetrieveAETitle: "MDM2NODE", Audit: func(e audit.Event) { events = append(events, e) }}), &events
}

func request(t *testing.T, sopClass string, id *DataSet) (*scp.Request, []byte) {
	t.Helper()
	cmd := &dimse.Command{}
	cmd.SetString(dimse.TagAffectedSOPClassUID, sopClass)
	cmd.SetUint16(dimse.TagCommandField, uint16(dimse.CFindRQ))
	cmd.SetUint16(dimse.TagMessageID, 7)
	cmd.SetUint16(dimse.TagPriority, 0)
	cmd.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	b, err := id.Encode(scp.ExplicitVRLittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return &scp.Request{
		Association:    scp.AssociationInfo{ID: "a1", CallingAE: "SCU", CalledAE: "MDM2NODE", PeerAddr: "127.0.0.1:1"},
		ContextID:      1,
		AbstractSyntax: sopClass,
		TransferSyntax: scp.ExplicitVRLittleEndian,
		Command:        cmd,
	}, b
}

func identifier(level string, keys ...*Element) *DataSet {
	d := &DataSet{}
	if level != "" {
		d.Put(&Element{Tag: TagQueryRetrieveLevel, VR: "CS", Value: []byte(level)})
	}
	for _, k := range keys {
		d.Put(k)
	}
	return d
}

func run(t *testing.T, s *Service, sopClass string, id *DataSet, rsp *recorder) {
	t.Helper()
	req, b := request(t, sopClass, id)
	op := s.Begin(req)
	if _, err := op.Write(b); err != nil {
		t.Fatal(err)
	}
	op.Finish(rsp)
}

func TestServiceResponses(t *testing.T) {
	s, events := newService(t)
	rsp := &recorder{}
	run(t, s, StudyRootFind, identifier("STUDY",
		&Element{Tag: TagStudyInstanceUID, VR: "UI"},
		&Element{Tag: TagPatientName, VR: "PN", Value: []byte("compressed*")},
		&Element{Tag: 0x00081110, VR: "SQ"}, // a sequence return key
	), rsp)
	if rsp.final() != StatusSuccess || len(rsp.sets) != 2 {
		t.Fatalf("final %04X, %d matches", rsp.final(), len(rsp.sets))
	}
	for _, d := range rsp.sets {
		var tags []Tag
		for _, e := range d.Elements {
			tags = append(tags, e.Tag)
		}
		want := []Tag{TagQueryRetrieveLevel, TagRetrieveAETitle, 0x00081110, TagPatientName, TagStudyInstanceUID}
		if len(tags) != len(want) {
			t.Fatalf("tags %v, want %v", tags, want)
		}
		for i := range want {
			if tags[i] != want[i] {
				t.Fatalf("tags %v, want %v", tags, want)
			}
		}
		if d.String(TagRetrieveAETitle) != "MDM2NODE" {
			t.Errorf("retrieve AE %q", d.String(TagRetrieveAETitle))
		}
	}
	for _, c := range rsp.cmds[:2] {
		if st, _ := c.Status(); st != StatusPending {
			t.Errorf("pending status %04X", st)
		}
	}
	if len(*events) != 1 || (*events)[0].Status != "0000" {
		t.Fatalf("audit %+v", *events)
	}
}

func TestServiceCancel(t *testing.T) {
	s, events := newService(t)
	rsp := &recorder{cancelAfter: 1}
	run(t, s, PatientRootFind, identifier("IMAGE", &Element{Tag: TagSOPInstanceUID, VR: "UI"}), rsp)
	if rsp.final() != StatusCanceled || len(rsp.sets) != 1 {
		t.Fatalf("final %04X after %d responses", rsp.final(), len(rsp.sets))
	}
	if (*events)[0].Status != "FE00" {
		t.Fatalf("audit %+v", *events)
	}
}

func TestServiceFailures(t *testing.T) {
	s, _ := newService(t)
	cases := []struct {
		name      string
		sopClass  string
		id        *DataSet
		status    uint16
		offending Tag
	}{
		{"no level", StudyRootFind, identifier("", &Element{Tag: TagPatientID, VR: "LO"}), StatusIdentifierNoSOP, TagQueryRetrieveLevel},
		{"patient level in study root", StudyRootFind, identifier("PATIENT"), StatusIdentifierNoSOP, TagQueryRetrieveLevel},
		{"bad date", StudyRootFind, identifier("STUDY", &Element{Tag: TagStudyDate, VR: "DA", Value: []byte("2020-13")}), StatusIdentifierNoSOP, TagStudyDate},
		{"key below level", PatientRootFind, identifier("PATIENT", &Element{Tag: TagStudyInstanceUID, VR: "UI", Value: []byte("1.2")}), StatusIdentifierNoSOP, TagStudyInstanceUID},
		{"charset", StudyRootFind, identifier("STUDY", &Element{Tag: TagSpecificCharacterSet, VR: "CS", Value: []byte("ISO_IR 999")}), StatusUnableToProcess, TagSpecificCharacterSet},
	}
	for _, c := range cases {
		rsp := &recorder{}
		run(t, s, c.sopClass, c.id, rsp)
		if len(rsp.cmds) != 1 || rsp.final() != c.status {
			t.Errorf("%s: %d responses, final %04X, want %04X", c.name, len(rsp.cmds), rsp.final(), c.status)
			continue
		}
		raw, ok := rsp.cmds[0].Raw(dimse.TagOffendingElement)
		if !ok || len(raw) != 4 || Tag(uint32(raw[0])|uint32(raw[1])<<8)<<16|Tag(uint32(raw[2])|uint32(raw[3])<<8) != c.offending {
			t.Errorf("%s: offending element %x, want %v", c.name, raw, c.offending)
		}
		if c, _ := rsp.cmds[0].String(dimse.TagErrorComment); c == "" {
			t.Errorf("no error comment")
		}
	}

	// An identifier that cannot be decoded.
	req, _ := request(t, StudyRootFind, identifier("STUDY"))
	op := s.Begin(req)
	op.Write([]byte{0x08, 0x00, 0x52, 0x00, 'C', 'S', 0xff, 0x7f})
	rsp := &recorder{}
	op.Finish(rsp)
	if rsp.final() != StatusUnableToProcess {
		t.Errorf("undecodable identifier: %04X", rsp.final())
	}
}
