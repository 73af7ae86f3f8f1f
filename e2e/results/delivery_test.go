package results

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// receivedInstances returns the SOP Instance UIDs of the DICOM files under
// dir, one entry per file.
func receivedInstances(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, p := range dicomFiles(t, dir) {
		if inst, err := results.ReadInstance(p); err == nil {
			out = append(out, inst.SOPInstanceUID)
		}
	}
	return out
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func TestDeliveryToStorescpAndOrthanc(t *testing.T) {
	tmp := t.TempDir()
	scpPort := testutil.FreePort(t)
	startStorescp(t, "STORESCP", scpPort, filepath.Join(tmp, "storescp"))
	orthancPort := startOrthanc(t, "ORTHANC", filepath.Join(tmp, "orthanc"))

	st := openStore(t, filepath.Join(tmp, "node"))
	sr := ingest(t, st, testutil.SharedPath(t, srFile))
	auditLog, err := audit.Open(filepath.Join(tmp, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer auditLog.Close()
	w := results.NewWorker(st, results.WorkerConfig{
		Results: config.Results{
			Destinations: []config.Peer{
				{AETitle: "STORESCP", Host: "127.0.0.1", Port: scpPort},
				{AETitle: "ORTHANC", Host: "127.0.0.1", Port: orthancPort},
			},
			DefaultDestinations: []string{"STORESCP", "ORTHANC"},
			Retry:               fastRetry(time.Minute),
			Timeouts:            config.DeliveryTimeouts{Connect: 5 * time.Second, DIMSE: 5 * time.Second},
		},
		Audit: auditLog,
		Log:   testLog(t),
	})
	runWorker(t, w)

	ds, err := w.Enqueue(sr.SOPInstanceUID, w.Destinations(""))
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if len(ds) != 2 {
		t.Fatalf("Enqueue queued %d deliveries, want 2", len(ds))
	}
	for _, d := range ds {
		waitFor(t, 30*time.Second, "delivery to "+d.Destination, func() bool {
			return delivery(t, st, d.ID).State == store.DeliveryDelivered
		})
		got := delivery(t, st, d.ID)
		if got.Attempts != 1 || got.LastStatus != "0000" {
			t.Errorf("delivery to %s: attempts %d, last status %q; want 1, 0000", d.Destination, got.Attempts, got.LastStatus)
		}
	}
	if n := countOf(receivedInstances(t, filepath.Join(tmp, "storescp")), sr.SOPInstanceUID); n != 1 {
		t.Errorf("storescp received the SR %d times, want 1", n)
	}
	if n := countOf(receivedInstances(t, filepath.Join(tmp, "orthanc", "storage")), sr.SOPInstanceUID); n != 1 {
		t.Errorf("Orthanc stored the SR %d times, want 1", n)
	}

	// Each attempt is one DICOMInstancesTransferred event.
	auditLog.Close()
	events := readAudit(t, filepath.Join(tmp, "audit.log"))
	var transferred []audit.Event
	for _, e := range events {
		if e.Type == audit.DICOMInstancesTransferred && e.SOPInstanceUID == sr.SOPInstanceUID {
			transferred = append(transferred, e)
		}
	}
	if len(transferred) != 2 {
		t.Fatalf("audit log has %d transfer events for the SR, want 2", len(transferred))
	}
	for _, e := range transferred {
		if e.Outcome != audit.Success || e.Status != "0000" {
			t.Errorf("audit event to %s: outcome %d status %q, want 0 and 0000", e.CalledAE, e.Outcome, e.Status)
		}
	}
}

// TestDeliveryRetriedAcrossRestart queues the SR while the destination is
// down, restarts the worker and the store in between, then brings the
// destination up: the SR must arrive exactly once, at storescp and at
// Orthanc.
func TestDeliveryRetriedAcrossRestart(t *testing.T) {
	cases := []struct {
		name string
		// start starts the destination as AE LATE on port and returns the
		// folder where it keeps what it receives.
		start func(t *testing.T, port int, dir string) string
	}{
		{"storescp", func(t *testing.T, port int, dir string) string {
			out := filepath.Join(dir, "storescp")
			startStorescp(t, "LATE", port, out)
			return out
		}},
		{"Orthanc", func(t *testing.T, port int, dir string) string {
			startOrthancOn(t, "LATE", port, filepath.Join(dir, "orthanc"))
			return filepath.Join(dir, "orthanc", "storage")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			retryAcrossRestart(t, c.start)
		})
	}
}

func retryAcrossRestart(t *testing.T, start func(t *testing.T, port int, dir string) string) {
	tmp := t.TempDir()
	port := testutil.FreePort(t)
	dataDir := filepath.Join(tmp, "node")
	cfg := results.WorkerConfig{
		Results: config.Results{
			Destinations:        []config.Peer{{AETitle: "LATE", Host: "127.0.0.1", Port: port}},
			DefaultDestinations: []string{"LATE"},
			Retry:               fastRetry(time.Minute),
			Timeouts:            config.DeliveryTimeouts{Connect: 2 * time.Second, DIMSE: 5 * time.Second},
		},
		Log: testLog(t),
	}

	// 1. The destination is down: attempts fail and stay pending.
	st := openStore(t, dataDir)
	sr := ingest(t, st, testutil.SharedPath(t, srFile))
	w := results.NewWorker(st, cfg)
	stop := runWorker(t, w)
	ds, err := w.Enqueue(sr.SOPInstanceUID, []string{"LATE"})
	if err != nil || len(ds) != 1 {
		t.Fatalf("Enqueue = %v, %v; want one delivery", ds, err)
	}
	id := ds[0].ID
	waitFor(t, 10*time.Second, "two failed attempts", func() bool { return delivery(t, st, id).Attempts >= 2 })
	stop()
	before := delivery(t, st, id)
	if before.State != store.DeliveryPending {
		t.Errorf("state after failed attempts = %s, want pending", before.State)
	}
	if !strings.Contains(before.LastError, "connection refused") {
		t.Errorf("last error = %q, want it to say connection refused", before.LastError)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// 2. A new store and worker, as after a restart of the node; then the
	// destination comes up.
	st2 := openStore(t, dataDir)
	w2 := results.NewWorker(st2, cfg)
	runWorker(t, w2)
	out := start(t, port, tmp)
	waitFor(t, 30*time.Second, "delivery after restart", func() bool {
		return delivery(t, st2, id).State == store.DeliveryDelivered
	})
	after := delivery(t, st2, id)
	if after.Attempts <= before.Attempts {
		t.Errorf("attempts after restart = %d, want more than %d", after.Attempts, before.Attempts)
	}

	// 3. Exactly once: nothing more is sent while the worker runs on.
	time.Sleep(300 * time.Millisecond)
	if n := countOf(receivedInstances(t, out), sr.SOPInstanceUID); n != 1 {
		t.Errorf("the destination received the SR %d times, want 1", n)
	}
	all, err := st2.Deliveries()
	if err != nil || len(all) != 1 {
		t.Errorf("Deliveries() = %d entries, %v; want 1", len(all), err)
	}
}
