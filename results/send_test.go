package results

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
)

func TestProposedContexts(t *testing.T) {
	instances := []Instance{
		{SOPClassUID: scp.ComprehensiveSRStorage, TransferSyntaxUID: scp.ExplicitVRLittleEndian},
		{SOPClassUID: scp.ComprehensiveSRStorage, TransferSyntaxUID: scp.ExplicitVRLittleEndian},
		{SOPClassUID: scp.CTImageStorage, TransferSyntaxUID: scp.ImplicitVRLittleEndian},
		{SOPClassUID: scp.CTImageStorage, TransferSyntaxUID: scp.JPEGLosslessSV1},
	}
	want := []scp.ProposedContext{
		{AbstractSyntax: scp.ComprehensiveSRStorage, TransferSyntaxes: []string{scp.ExplicitVRLittleEndian, scp.ImplicitVRLittleEndian}},
		{AbstractSyntax: scp.CTImageStorage, TransferSyntaxes: []string{scp.ImplicitVRLittleEndian, scp.ExplicitVRLittleEndian}},
		{AbstractSyntax: scp.CTImageStorage, TransferSyntaxes: []string{scp.JPEGLosslessSV1}},
	}
	got := ProposedContexts(instances)
	if len(got) != len(want) {
		t.Fatalf("ProposedContexts = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].AbstractSyntax != want[i].AbstractSyntax || !slices.Equal(got[i].TransferSyntaxes, want[i].TransferSyntaxes) {
			t.Errorf("context %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestOpenForSendChoice(t *testing.T) {
	inst := Instance{SOPClassUID: scp.CTImageStorage, SOPInstanceUID: "1.2.3", TransferSyntaxUID: scp.JPEGLosslessSV1, Path: "/nonexistent"}
	if _, _, err := OpenForSend(inst, nil); !errors.Is(err, ErrSOPClassRejected) {
		t.Errorf("no accepted context: %v, want ErrSOPClassRejected", err)
	}
	if _, _, err := OpenForSend(inst, []string{scp.ExplicitVRLittleEndian}); !errors.Is(err, ErrTransferSyntax) {
		t.Errorf("compressed instance, uncompressed context: %v, want ErrTransferSyntax", err)
	}
}

func TestReadInstanceBareDataSet(t *testing.T) {
	src := testutil.SharedPath(t, "testdata/dicom/highdicom/ct_image.dcm")
	part10, err := ReadInstance(src)
	if err != nil {
		t.Fatal(err)
	}
	if part10.DataSetOffset == 0 || part10.TransferSyntaxUID != scp.ExplicitVRLittleEndian {
		t.Errorf("Part 10 file: offset %d, TS %s", part10.DataSetOffset, part10.TransferSyntaxUID)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(t.TempDir(), "bare")
	if err := os.WriteFile(bare, b[part10.DataSetOffset:], 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadInstance(bare)
	if err != nil {
		t.Fatal(err)
	}
	if got.DataSetOffset != 0 || got.TransferSyntaxUID != scp.ExplicitVRLittleEndian ||
		got.SOPInstanceUID != part10.SOPInstanceUID || got.SOPClassUID != part10.SOPClassUID {
		t.Errorf("bare data set read as %+v, want the UIDs of %+v at offset 0", got, part10)
	}

	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("this is not a DICOM file at all, only some text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInstance(text); !errors.Is(err, ErrNotDICOM) {
		t.Errorf("text file: %v, want ErrNotDICOM", err)
	}
}

func TestWorkerDestinations(t *testing.T) {
	w := NewWorker(nil, WorkerConfig{Results: config.Results{
		Destinations:        []config.Peer{{AETitle: "PACS"}, {AETitle: "CT1"}},
		DefaultDestinations: []string{"PACS"},
		SendToSender:        true,
	}})
	cases := []struct {
		sender string
		want   []string
	}{
		{"", []string{"PACS"}},
		{"CT1", []string{"PACS", "CT1"}},
		{"PACS", []string{"PACS"}},
		{"STRANGER", []string{"PACS"}},
	}
	for _, c := range cases {
		if got := w.Destinations(c.sender); !slices.Equal(got, c.want) {
			t.Errorf("Destinations(%q) = %v, want %v", c.sender, got, c.want)
		}
	}
}
