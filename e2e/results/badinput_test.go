package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/store"
)

// ctOnlyProfile is a storescp association configuration that accepts CT
// Image Storage only, so that it rejects the presentation context of the SR.
const ctOnlyProfile = `
[[TransferSyntaxes]]
[Uncompressed]
TransferSyntax1 = LocalEndianExplicit
TransferSyntax2 = LittleEndianImplicit

[[PresentationContexts]]
[CTOnly]
PresentationContext1 = CTImageStorage\Uncompressed

[[Profiles]]
[CTOnly]
PresentationContexts = CTOnly
`

// TestDeliveryBadDestinations sends the SR to a destination that rejects
// its SOP class, one that aborts mid-transfer and one that never answers,
// beside a good one: the good delivery arrives at once, the others are
// retried with a clear reason and then given up at the maximum age.
func TestDeliveryBadDestinations(t *testing.T) {
	tmp := t.TempDir()

	// 1. The destinations.
	goodPort := testutil.FreePort(t)
	startStorescp(t, "GOOD", goodPort, filepath.Join(tmp, "good"))
	cfgPath := filepath.Join(tmp, "ct-only.cfg")
	if err := os.WriteFile(cfgPath, []byte(ctOnlyProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	rejectPort := testutil.FreePort(t)
	startStorescp(t, "CTONLY", rejectPort, filepath.Join(tmp, "ctonly"), "-xf", cfgPath, "CTOnly")
	abortPort := startAbortingPeer(t)
	silentPort := startSilentPeer(t)

	// 2. The worker: short timeouts and a maximum age of 2 s.
	const maxAge = 2 * time.Second
	st := openStore(t, filepath.Join(tmp, "node"))
	sr := ingest(t, st, testutil.SharedPath(t, srFile))
	w := results.NewWorker(st, results.WorkerConfig{
		Results: config.Results{
			Destinations: []config.Peer{
				{AETitle: "GOOD", Host: "127.0.0.1", Port: goodPort},
				{AETitle: "CTONLY", Host: "127.0.0.1", Port: rejectPort},
				{AETitle: "ABORTS", Host: "127.0.0.1", Port: abortPort},
				{AETitle: "SILENT", Host: "127.0.0.1", Port: silentPort},
			},
			Retry:    fastRetry(maxAge),
			Timeouts: config.DeliveryTimeouts{Connect: 500 * time.Millisecond, DIMSE: 500 * time.Millisecond},
		},
		Log: testLog(t),
	})
	runWorker(t, w)
	queued := time.Now()
	ds, err := w.Enqueue(sr.SOPInstanceUID, []string{"SILENT", "CTONLY", "ABORTS", "GOOD"})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	ids := map[string]uint64{}
	for _, d := range ds {
		ids[d.Destination] = d.ID
	}

	// 3. The good destination is not held up by the silent one, whose
	// association attempt alone takes the 500 ms connect timeout.
	waitFor(t, 10*time.Second, "delivery to GOOD", func() bool {
		return delivery(t, st, ids["GOOD"]).State == store.DeliveryDelivered
	})
	if took := time.Since(queued); took >= 500*time.Millisecond {
		t.Errorf("delivery to GOOD took %v, want less than the 500 ms timeout of SILENT", took)
	}

	// 4. The others fail with their reason, retry, and are given up.
	want := map[string]string{
		"CTONLY": "SOP class rejected by the destination",
		"ABORTS": "association failed",
		"SILENT": "timeout",
	}
	for ae, reason := range want {
		waitFor(t, maxAge+10*time.Second, "failed delivery to "+ae, func() bool {
			return delivery(t, st, ids[ae]).State == store.DeliveryFailed
		})
		d := delivery(t, st, ids[ae])
		if !strings.Contains(d.LastError, reason) || !strings.Contains(d.LastError, "gave up after") {
			t.Errorf("%s: last error %q, want it to contain %q and %q", ae, d.LastError, reason, "gave up after")
		}
		if d.Attempts < 2 {
			t.Errorf("%s: %d attempts, want at least 2 (retried)", ae, d.Attempts)
		}
	}
	if got := receivedInstances(t, filepath.Join(tmp, "ctonly")); len(got) != 0 {
		t.Errorf("CTONLY received %d files, want none", len(got))
	}

	// 5. An AE title outside results.destinations is refused at once.
	if _, err := w.Enqueue(sr.SOPInstanceUID, []string{"NOBODY"}); !errors.Is(err, results.ErrUnknownDestination) {
		t.Errorf("Enqueue to an unknown AE: %v, want ErrUnknownDestination", err)
	}
}
