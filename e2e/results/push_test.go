package results

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/store"
)

// copyFile copies src to dst, dropping the first skip bytes.
func copyFile(t *testing.T, src, dst string, skip int64) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b[skip:], 0o644); err != nil {
		t.Fatal(err)
	}
}

// pushFolder builds a folder with the SR and the CT image as Part 10 files,
// the CT image again as a bare data set without File Meta Information, and
// one text file.
func pushFolder(t *testing.T) (dir string, sopInstances []string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "push")
	sr := testutil.SharedPath(t, srFile)
	ct := testutil.SharedPath(t, ctFile)
	copyFile(t, sr, filepath.Join(dir, "sr.dcm"), 0)
	copyFile(t, ct, filepath.Join(dir, "images", "ct.dcm"), 0)
	ctInst, err := results.ReadInstance(ct)
	if err != nil {
		t.Fatal(err)
	}
	srInst, err := results.ReadInstance(sr)
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, ct, filepath.Join(dir, "images", "ct-bare"), ctInst.DataSetOffset)
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not DICOM\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, []string{srInst.SOPInstanceUID, ctInst.SOPInstanceUID}
}

func runNode(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	cmd := exec.Command(nodeBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	t.Logf("mdm2node %s\n%s%s", strings.Join(args, " "), out.String(), errOut.String())
	return out.String() + errOut.String(), err
}

func TestPushFolderToStorescp(t *testing.T) {
	dir, uids := pushFolder(t)
	port := testutil.FreePort(t)
	out := filepath.Join(t.TempDir(), "received")
	startStorescp(t, "PUSHDEST", port, out)

	stdout, err := runNode(t, "push", dir, "-to", "PUSHDEST@"+addr(port), "-calling-ae", "PUSHER")
	if err != nil {
		t.Fatalf("push failed: %v", err)
	}
	if !strings.Contains(stdout, "3 sent, 0 failed, 1 skipped") {
		t.Errorf("push summary missing or wrong:\n%s", stdout)
	}
	got := receivedInstances(t, out)
	if len(got) != 3 || countOf(got, uids[0]) != 1 || countOf(got, uids[1]) != 2 {
		t.Errorf("storescp received %v, want the SR once and the CT image twice", got)
	}
}

func TestPushRejectedSOPClassFails(t *testing.T) {
	dir, _ := pushFolder(t)
	cfgPath := filepath.Join(t.TempDir(), "ct-only.cfg")
	if err := os.WriteFile(cfgPath, []byte(ctOnlyProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	port := testutil.FreePort(t)
	out := filepath.Join(t.TempDir(), "received")
	startStorescp(t, "CTONLY", port, out, "-xf", cfgPath, "CTOnly")

	stdout, err := runNode(t, "push", dir, "-to", "CTONLY@"+addr(port))
	if err == nil {
		t.Fatal("push with a rejected SOP class exited with status 0, want non-zero")
	}
	if !strings.Contains(stdout, "2 sent, 1 failed, 1 skipped") || !strings.Contains(stdout, "SOP class rejected by the destination") {
		t.Errorf("push output does not report the rejected SR:\n%s", stdout)
	}
	if got := receivedInstances(t, out); len(got) != 2 {
		t.Errorf("storescp received %d files, want the 2 CT images", len(got))
	}
}

func TestPushDestinationDown(t *testing.T) {
	dir, _ := pushFolder(t)
	port := testutil.FreePort(t)
	stdout, err := runNode(t, "push", dir, "-to", "DOWN@"+addr(port))
	if err == nil {
		t.Fatal("push to a closed port exited with status 0")
	}
	if !strings.Contains(stdout, "0 sent, 3 failed") || !strings.Contains(stdout, "connection refused") {
		t.Errorf("push output does not say why:\n%s", stdout)
	}
}

// TestDeliveriesAndResendCommands lists a delivered and a failed delivery
// with `mdm2node deliveries`, requeues the failed one with `mdm2node resend`
// and checks that a worker then delivers it.
func TestDeliveriesAndResendCommands(t *testing.T) {
	tmp := t.TempDir()
	dataDir := filepath.Join(tmp, "node")
	goodPort := testutil.FreePort(t)
	startStorescp(t, "GOOD", goodPort, filepath.Join(tmp, "good"))
	downPort := testutil.FreePort(t)
	cfg := results.WorkerConfig{
		Results: config.Results{
			Destinations: []config.Peer{
				{AETitle: "GOOD", Host: "127.0.0.1", Port: goodPort},
				{AETitle: "DOWN", Host: "127.0.0.1", Port: downPort},
			},
			Retry:    fastRetry(300 * time.Millisecond),
			Timeouts: config.DeliveryTimeouts{Connect: time.Second, DIMSE: time.Second},
		},
		Log: testLog(t),
	}

	// 1. One delivered, one failed.
	st := openStore(t, dataDir)
	sr := ingest(t, st, testutil.SharedPath(t, srFile))
	w := results.NewWorker(st, cfg)
	stop := runWorker(t, w)
	ds, err := w.Enqueue(sr.SOPInstanceUID, []string{"GOOD", "DOWN"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "both deliveries to end", func() bool {
		return delivery(t, st, ds[0].ID).State == store.DeliveryDelivered && delivery(t, st, ds[1].ID).State == store.DeliveryFailed
	})
	stop()

	// While the store is open, the command lists the worker's snapshot.
	stdout, err := runNode(t, "deliveries", "-data-dir", dataDir, "-json", "-wait", "200ms")
	if err != nil {
		t.Fatalf("deliveries while the index is held: %v", err)
	}
	var snap []store.Delivery
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil || len(snap) != 2 || snap[1].State != store.DeliveryFailed {
		t.Errorf("deliveries from the snapshot = %+v, %v; want 2 with the second failed", snap, err)
	}
	st.Close()

	// 2. The listing, as JSON and as a table.
	stdout, err = runNode(t, "deliveries", "-data-dir", dataDir, "-json")
	if err != nil {
		t.Fatal(err)
	}
	var listed []store.Delivery
	if err := json.Unmarshal([]byte(stdout), &listed); err != nil {
		t.Fatalf("deliveries -json: %v", err)
	}
	if len(listed) != 2 || listed[0].State != store.DeliveryDelivered || listed[1].State != store.DeliveryFailed {
		t.Fatalf("deliveries -json = %+v, want one delivered and one failed", listed)
	}
	table, err := runNode(t, "deliveries", "-data-dir", dataDir)
	if err != nil || !strings.Contains(table, "delivered") || !strings.Contains(table, "connection refused") {
		t.Errorf("deliveries table lacks the states or the reason (err %v)", err)
	}

	// 3. A pending or unknown delivery cannot be resent; the failed one can.
	if _, err := runNode(t, "resend", "-data-dir", dataDir, "99"); err == nil {
		t.Error("resend of an unknown ID exited with status 0")
	}
	failedID := store.FormatDeliveryID(ds[1].ID)
	if _, err := runNode(t, "resend", "-data-dir", dataDir, failedID); err != nil {
		t.Fatalf("resend %s: %v", failedID, err)
	}
	if _, err := runNode(t, "resend", "-data-dir", dataDir, failedID); err == nil {
		t.Error("resend of a pending delivery exited with status 0")
	}

	// 4. The destination comes up and a new worker delivers it.
	out := filepath.Join(tmp, "late")
	startStorescp(t, "DOWN", downPort, out)
	cfg.Results.Retry = fastRetry(time.Minute)
	st2 := openStore(t, dataDir)
	runWorker(t, results.NewWorker(st2, cfg))
	waitFor(t, 10*time.Second, "resent delivery", func() bool {
		return delivery(t, st2, ds[1].ID).State == store.DeliveryDelivered
	})
	if n := countOf(receivedInstances(t, out), sr.SOPInstanceUID); n != 1 {
		t.Errorf("resent SR arrived %d times, want 1", n)
	}
}

// implicitSRProfile is a storescp association configuration that accepts
// Comprehensive SR in Implicit VR Little Endian only.
const implicitSRProfile = `
[[TransferSyntaxes]]
[ImplicitOnly]
TransferSyntax1 = LittleEndianImplicit

[[PresentationContexts]]
[SRImplicit]
PresentationContext1 = ComprehensiveSRStorage\ImplicitOnly

[[Profiles]]
[SRImplicit]
PresentationContexts = SRImplicit
`

// TestPushConvertsToImplicitVR sends the Explicit VR SR to a destination
// that accepts only Implicit VR Little Endian: the node re-encodes it, and
// DCMTK dsrdump reads the same document tree from both files.
func TestPushConvertsToImplicitVR(t *testing.T) {
	dsrdump := testutil.RequireTool(t, "dsrdump")
	src := testutil.SharedPath(t, srFile)
	dir := filepath.Join(t.TempDir(), "push")
	copyFile(t, src, filepath.Join(dir, "sr.dcm"), 0)
	cfgPath := filepath.Join(t.TempDir(), "sr-implicit.cfg")
	if err := os.WriteFile(cfgPath, []byte(implicitSRProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	port := testutil.FreePort(t)
	out := filepath.Join(t.TempDir(), "received")
	startStorescp(t, "IMPLICIT", port, out, "-xf", cfgPath, "SRImplicit")

	if _, err := runNode(t, "push", dir, "-to", "IMPLICIT@"+addr(port)); err != nil {
		t.Fatalf("push: %v", err)
	}
	files := dicomFiles(t, out)
	if len(files) != 1 {
		t.Fatalf("storescp received %d files, want 1", len(files))
	}
	got, err := results.ReadInstance(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.TransferSyntaxUID != "1.2.840.10008.1.2" {
		t.Errorf("received transfer syntax %s, want Implicit VR Little Endian", got.TransferSyntaxUID)
	}
	want, err := exec.Command(dsrdump, "-Ee", src).CombinedOutput()
	if err != nil {
		t.Fatalf("dsrdump %s: %v\n%s", src, err, want)
	}
	have, err := exec.Command(dsrdump, "-Ee", files[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("dsrdump of the converted SR: %v\n%s", err, have)
	}
	if string(have) != string(want) {
		t.Errorf("dsrdump of the converted SR differs from the original:\n--- original\n%s\n--- converted\n%s", want, have)
	}
}

// TestResendWhileServerRuns requeues a failed delivery with `mdm2node
// resend` while a worker holds the index: the command leaves a request,
// and the running worker performs it and delivers.
func TestResendWhileServerRuns(t *testing.T) {
	tmp := t.TempDir()
	dataDir := filepath.Join(tmp, "node")
	port := testutil.FreePort(t)
	st := openStore(t, dataDir)
	sr := ingest(t, st, testutil.SharedPath(t, srFile))
	w := results.NewWorker(st, results.WorkerConfig{
		Results: config.Results{
			Destinations: []config.Peer{{AETitle: "LATE", Host: "127.0.0.1", Port: port}},
			Retry:        fastRetry(300 * time.Millisecond),
			Timeouts:     config.DeliveryTimeouts{Connect: time.Second, DIMSE: time.Second},
		},
		Log: testLog(t),
	})
	runWorker(t, w)
	ds, err := w.Enqueue(sr.SOPInstanceUID, []string{"LATE"})
	if err != nil {
		t.Fatal(err)
	}
	id := ds[0].ID
	waitFor(t, 10*time.Second, "the delivery to fail", func() bool { return delivery(t, st, id).State == store.DeliveryFailed })

	out := filepath.Join(tmp, "late")
	startStorescp(t, "LATE", port, out)
	stdout, err := runNode(t, "resend", "-data-dir", dataDir, "-wait", "200ms", store.FormatDeliveryID(id))
	if err != nil {
		t.Fatalf("resend while the index is held: %v", err)
	}
	if !strings.Contains(stdout, "requested") {
		t.Errorf("resend output does not say the resend was requested:\n%s", stdout)
	}
	waitFor(t, 15*time.Second, "the requested resend to be delivered", func() bool {
		return delivery(t, st, id).State == store.DeliveryDelivered
	})
	if n := countOf(receivedInstances(t, out), sr.SOPInstanceUID); n != 1 {
		t.Errorf("the SR arrived %d times, want 1", n)
	}
	if ids, err := store.ResendRequests(dataDir); err != nil || len(ids) != 0 {
		t.Errorf("resend requests left = %v, %v; want none", ids, err)
	}
}
