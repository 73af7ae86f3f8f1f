package results

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/retrieve"
	"github.com/mdm2node/mdm2node/store"
)

// retrieveNode is a node with the SR and the CT image stored, serving
// C-STORE, C-MOVE and C-GET as MDM2NODE on a free port.
type retrieveNode struct {
	port   int
	sr, ct results.Instance
	srRec  store.InstanceRecord
	ctRec  store.InstanceRecord
}

func startRetrieveNode(t *testing.T, destinations []config.Peer) *retrieveNode {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "node"))
	n := &retrieveNode{
		sr: ingest(t, st, testutil.SharedPath(t, srFile)),
		ct: ingest(t, st, testutil.SharedPath(t, ctFile)),
	}
	var err error
	if n.srRec, err = st.Instance(n.sr.SOPInstanceUID); err != nil {
		t.Fatal(err)
	}
	if n.ctRec, err = st.Instance(n.ct.SOPInstanceUID); err != nil {
		t.Fatal(err)
	}
	res := config.Results{Destinations: destinations}
	srv, err := scp.NewServer(scp.Config{AETitle: "MDM2NODE", IdleTimeout: 10 * time.Second}, st, nil, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(dimse.CMoveRQ, retrieve.NewMoveService(retrieve.MoveConfig{
		Index:          st,
		DataDir:        st.Dir(),
		Destination:    res.Destination,
		CallingAE:      "MDM2NODE",
		ConnectTimeout: 2 * time.Second,
		DIMSETimeout:   5 * time.Second,
		Log:            testLog(t),
	}))
	srv.Handle(dimse.CGetRQ, retrieve.NewGetService(retrieve.GetConfig{Index: st, DataDir: st.Dir(), Log: testLog(t)}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.port = l.Addr().(*net.TCPAddr).Port
	done := make(chan struct{})
	go func() { _ = srv.Serve(l); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return n
}

// runDCMTK runs a DCMTK tool and returns its combined output.
func runDCMTK(t *testing.T, tool string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testutil.RequireTool(t, tool), args...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s\n%s", tool, strings.Join(args, " "), out)
	return string(out), err
}

func TestMoveToStorescp(t *testing.T) {
	destPort := testutil.FreePort(t)
	out := filepath.Join(t.TempDir(), "moved")
	startStorescp(t, "MOVEDEST", destPort, out)
	n := startRetrieveNode(t, []config.Peer{{AETitle: "MOVEDEST", Host: "127.0.0.1", Port: destPort}})
	port := strconv.Itoa(n.port)

	cases := []struct {
		name string
		args []string
		want []string // SOP Instance UIDs that must arrive
	}{
		{"study root study level", []string{"-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + n.srRec.StudyInstanceUID}, []string{n.sr.SOPInstanceUID}},
		{"study root series level", []string{"-S", "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + n.ctRec.StudyInstanceUID, "-k", "SeriesInstanceUID=" + n.ctRec.SeriesInstanceUID}, []string{n.ct.SOPInstanceUID}},
		{"study root image level", []string{"-S", "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + n.srRec.StudyInstanceUID, "-k", "SeriesInstanceUID=" + n.srRec.SeriesInstanceUID, "-k", "SOPInstanceUID=" + n.sr.SOPInstanceUID}, []string{n.sr.SOPInstanceUID}},
		{"patient root patient level", []string{"-P", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID=" + n.ctRec.PatientID}, []string{n.ct.SOPInstanceUID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := receivedInstances(t, out)
			args := append([]string{"-aet", "MOVESCU", "-aec", "MDM2NODE", "-aem", "MOVEDEST"}, c.args...)
			args = append(args, "127.0.0.1", port)
			if _, err := runDCMTK(t, "movescu", args...); err != nil {
				t.Fatalf("movescu: %v", err)
			}
			after := receivedInstances(t, out)
			for _, uid := range c.want {
				if countOf(after, uid)-countOf(before, uid) != 1 {
					t.Errorf("instance %s arrived %d times, want 1", uid, countOf(after, uid)-countOf(before, uid))
				}
			}
			if len(after)-len(before) != len(c.want) {
				t.Errorf("%d files arrived, want %d", len(after)-len(before), len(c.want))
			}
		})
	}
}

func TestMoveUnknownDestinationRefused(t *testing.T) {
	n := startRetrieveNode(t, nil)
	output, _ := runDCMTK(t, "movescu", "-d", "-aet", "MOVESCU", "-aec", "MDM2NODE", "-aem", "NOBODY", "-S",
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID="+n.srRec.StudyInstanceUID, "127.0.0.1", strconv.Itoa(n.port))
	if !strings.Contains(strings.ToLower(output), "a801") {
		t.Errorf("movescu output does not show status A801:\n%s", output)
	}
}

func TestGetWithGetscu(t *testing.T) {
	n := startRetrieveNode(t, nil)
	out := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"study level SR", []string{"-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + n.srRec.StudyInstanceUID}, n.sr.SOPInstanceUID},
		{"image level CT", []string{"-S", "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + n.ctRec.StudyInstanceUID, "-k", "SeriesInstanceUID=" + n.ctRec.SeriesInstanceUID, "-k", "SOPInstanceUID=" + n.ct.SOPInstanceUID}, n.ct.SOPInstanceUID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(out, strings.ReplaceAll(c.name, " ", "_"))
			args := append([]string{"-aet", "GETSCU", "-aec", "MDM2NODE", "-od", dir}, c.args...)
			args = append(args, "127.0.0.1", strconv.Itoa(n.port))
			if err := mkdir(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := runDCMTK(t, "getscu", args...); err != nil {
				t.Fatalf("getscu: %v", err)
			}
			got := receivedInstances(t, dir)
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("getscu received %v, want [%s]", got, c.want)
			}
		})
	}
}

// TestMovePartialFailure moves the SR and the CT image (two studies, a
// list of Study Instance UIDs) to a storescp that accepts CT only. The CT
// image arrives, and the final status is B000 with the SR in the Failed SOP
// Instance UID List. To a destination that is down, the status is A702.
func TestMovePartialFailure(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "ct-only.cfg")
	if err := writeFile(cfgPath, ctOnlyProfile); err != nil {
		t.Fatal(err)
	}
	ctOnlyPort := testutil.FreePort(t)
	out := filepath.Join(t.TempDir(), "ctonly")
	startStorescp(t, "CTONLY", ctOnlyPort, out, "-xf", cfgPath, "CTOnly")
	downPort := testutil.FreePort(t)
	n := startRetrieveNode(t, []config.Peer{
		{AETitle: "CTONLY", Host: "127.0.0.1", Port: ctOnlyPort},
		{AETitle: "DOWN", Host: "127.0.0.1", Port: downPort},
	})
	studies := n.srRec.StudyInstanceUID + `\` + n.ctRec.StudyInstanceUID

	output, _ := runDCMTK(t, "movescu", "-d", "-aet", "MOVESCU", "-aec", "MDM2NODE", "-aem", "CTONLY", "-S",
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID="+studies, "127.0.0.1", strconv.Itoa(n.port))
	lower := strings.ToLower(output)
	if !strings.Contains(lower, "0xb000") {
		t.Errorf("final status is not B000")
	}
	if !strings.Contains(output, n.sr.SOPInstanceUID) || !strings.Contains(output, "(0008,0058)") {
		t.Errorf("final response has no Failed SOP Instance UID List with the SR")
	}
	if got := receivedInstances(t, out); len(got) != 1 || got[0] != n.ct.SOPInstanceUID {
		t.Errorf("CTONLY received %v, want only the CT image", got)
	}

	output, _ = runDCMTK(t, "movescu", "-d", "-aet", "MOVESCU", "-aec", "MDM2NODE", "-aem", "DOWN", "-S",
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID="+studies, "127.0.0.1", strconv.Itoa(n.port))
	if !strings.Contains(strings.ToLower(output), "0xa702") {
		t.Errorf("move to a destination that is down: final status is not A702")
	}
}
