package pipeline

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/store/audit"
)

// TestReportSurvivesCrash scores a study while its destination is down and
// kills the scoring node with SIGKILL after a failed delivery attempt. After
// a restart on the same data and the start of the destination, the report
// must arrive exactly once, and the study must not be scored again.
func TestReportSurvivesCrash(t *testing.T) {
	bundle := trainedModel(t)
	dir := t.TempDir()
	receiverPort := testutil.FreePort(t)
	cfg := pipelineConfig(bundle, receiverPort, "")
	scorer := startNode(t, "MDM2NODE", filepath.Join(dir, "node"), cfg)

	// 1. A study, scored while the receiver is down.
	study := filepath.Join(dir, "study")
	run(t, "synth", "-out", study, "-n", "1", "-seed", "78", "-q",
		"-ct-matrix", "96", "-ct-slices", "10", "-mr-matrix", "96", "-mr-slices", "10")
	studyUID, folder := synthStudy(t, study)
	scorer.push(t, folder)
	waitForFailedDelivery(t, scorer, 2*time.Minute)

	// 2. A crash, a restart on the same data, then the receiver.
	scorer.kill(t)
	restarted := startNode(t, "MDM2NODE", filepath.Join(dir, "node"), cfg)
	receiver := startNodeOn(t, "RECEIVER", filepath.Join(dir, "receiver"), "", receiverPort)
	path := receiver.waitForReport(t, restarted, 2*time.Minute)
	readReport(t, path, studyUID)

	// 3. Exactly once: one run over both lives of the node, one report at
	// the receiver and no duplicate there.
	assertOneRun(t, restarted, receiver, studyUID)
	if n := len(eventsOfType(t, receiver, audit.DuplicateInstance)); n != 0 {
		t.Errorf("receiver audited %d duplicate instances, want 0", n)
	}
}

// waitForFailedDelivery waits until the node's audit log records a failed
// delivery attempt to RECEIVER.
func waitForFailedDelivery(t *testing.T, n *node, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, e := range readEvents(t, n) {
			if e.Type == audit.DICOMInstancesTransferred && e.CalledAE == "RECEIVER" && e.Outcome != audit.Success {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed delivery to RECEIVER audited within %v; log:\n%s", timeout, n.log.String())
		}
		select {
		case <-n.exited:
			t.Fatalf("%s exited:\n%s", n.ae, n.log.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// eventsOfType returns the events of type typ in a node's audit log.
func eventsOfType(t testing.TB, n *node, typ audit.Type) []audit.Event {
	t.Helper()
	var out []audit.Event
	for _, e := range readEvents(t, n) {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// readEvents returns every event of a node's audit log.
func readEvents(t testing.TB, n *node) []audit.Event {
	t.Helper()
	f, err := os.Open(filepath.Join(n.dir, "audit.log"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	defer f.Close()
	var events []audit.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e audit.Event
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			events = append(events, e)
		}
	}
	return events
}
