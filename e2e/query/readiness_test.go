package query

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/synth"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/find"
	"github.com/mdm2node/mdm2node/series/tracker"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// Two synthetic studies sent with storescu to a node that runs the tracker
// (real clock, one-second quiet period): the complete one becomes ready and
// is queued; the one with a CT slice missing waits for series and says why;
// the node answers C-FIND throughout.
func TestReadinessOverTheNetwork(t *testing.T) {
	testutil.RequireTool(t, "storescu")
	testutil.RequireTool(t, "findscu")
	testutil.RequireTool(t, "dcmdump")

	src := t.TempDir()
	p := synth.DefaultParams()
	p.Out, p.N, p.Seed = src, 2, 11
	p.CTMatrix, p.CTSlices, p.MRMatrix, p.MRSlices = 64, 8, 64, 6
	recs, err := synth.Generate(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := recs[0], recs[1]
	if err := os.Remove(filepath.Join(src, bad.StudyID, "CT", "IM0004.dcm")); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var events []audit.Event
	tr, err := tracker.New(st, tracker.Config{
		QuietPeriod: time.Second, MaxWait: time.Minute, PollInterval: 100 * time.Millisecond,
		Audit: func(e audit.Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	q, err := store.NewJobQueue(st.Index, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := scp.NewServer(scp.Config{AETitle: "MDM2NODE"}, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(dimse.CFindRQ, find.New(st, find.Config{}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tr.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
		st.Close()
	})

	host, port, _ := net.SplitHostPort(l.Addr().String())
	os.Remove(filepath.Join(src, synth.ManifestName))
	out, err := exec.Command("storescu", "-aet", "SENDER", "-aec", "MDM2NODE", "-R", "+sd", "+r", host, port, src).CombinedOutput()
	if err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}

	deadline := time.Now().Add(30 * time.Second)
	var g, b store.StudyStatus
	for time.Now().Before(deadline) {
		g, _ = st.StudyStatus(good.StudyUID)
		b, _ = st.StudyStatus(bad.StudyUID)
		if g.State == store.StateReady && b.State == store.StateWaitingForSeries {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if g.State != store.StateReady {
		t.Fatalf("complete study: %v (%s)", g.State, g.Reason)
	}
	if b.State != store.StateWaitingForSeries || !strings.Contains(b.Reason, "missing slices") {
		t.Fatalf("study with a missing slice: %v (%s)", b.State, b.Reason)
	}
	jctx, jcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer jcancel()
	job, err := q.Next(jctx)
	if err != nil || job.StudyUID != good.StudyUID || job.CallingAE != "SENDER" || len(job.Roles) != 3 {
		t.Fatalf("job %+v, %v", job, err)
	}

	n := &node{addr: l.Addr().String(), st: st}
	r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "NumberOfStudyRelatedSeries", "ModalitiesInStudy")
	wantValues(t, r, "0020,1206", "6", "6")
	wantValues(t, r, "0008,0061", `CT\MR\SEG`, `CT\MR\SEG`)
}
