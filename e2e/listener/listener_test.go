package listener

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// auditEvents reads the node's audit log.
func auditEvents(t *testing.T, n *node) []audit.Event {
	t.Helper()
	f, err := os.Open(n.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []audit.Event
	if err := audit.Scan(f, func(e audit.Event) { events = append(events, e) }, func(line string, err error) {
		t.Errorf("audit line is not an event: %v: %q", err, line)
	}); err != nil {
		t.Fatal(err)
	}
	return events
}

// acceptedSoFar counts the AssociationAccepted lines of a running node's
// audit log. A line still being written is not counted.
func acceptedSoFar(n *node) int {
	data, _ := os.ReadFile(n.auditPath)
	count := 0
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasSuffix(line, "\n") && strings.Contains(line, `"type":"AssociationAccepted"`) {
			count++
		}
	}
	return count
}

func countEvents(events []audit.Event, typ audit.Type) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestEchoAndAETitles(t *testing.T) {
	n := startNode(t, nodeOptions{allowedCalling: []string{"ALLOWED", "E2ESCU"}})
	port := strconv.Itoa(n.port)
	if out, err := runTool(t, "echoscu", "-aet", "E2ESCU", "-aec", nodeAE, "127.0.0.1", port); err != nil {
		t.Fatalf("echoscu: %v\n%s", err, out)
	}
	if out, err := runTool(t, "echoscu", "-aet", "E2ESCU", "-aec", "SOMEONEELSE", "127.0.0.1", port); err == nil {
		t.Errorf("echoscu to a wrong called AE title succeeded:\n%s", out)
	}
	if out, err := runTool(t, "echoscu", "-aet", "STRANGER", "-aec", nodeAE, "127.0.0.1", port); err == nil {
		t.Errorf("echoscu from a calling AE title not allowed succeeded:\n%s", out)
	}
	if out, err := runTool(t, "echoscu", "-aet", "ALLOWED", "-aec", nodeAE, "127.0.0.1", port); err != nil {
		t.Errorf("echoscu from an allowed calling AE title: %v\n%s", err, out)
	}
	n.stop()

	events := auditEvents(t, n)
	if got := countEvents(events, audit.AssociationRejected); got != 2 {
		t.Errorf("%d AssociationRejected events, want 2", got)
	}
	if got := countEvents(events, audit.SecurityAlert); got != 2 {
		t.Errorf("%d SecurityAlert events, want 2", got)
	}
	if got := countEvents(events, audit.AssociationReleased); got != 2 {
		t.Errorf("%d AssociationReleased events, want 2", got)
	}
	first, last := events[0], events[len(events)-1]
	if first.Type != audit.ApplicationActivity || first.Action != audit.ActionStart ||
		last.Type != audit.ApplicationActivity || last.Action != audit.ActionStop {
		t.Errorf("audit log does not start and end with ApplicationActivity: %+v ... %+v", first, last)
	}
	// The application log (stderr) holds no patient name; nothing with
	// patient data was stored here, so check the audit tail command instead.
	out, stderr, err := mdm2node(t, "audit", "tail", "-n", "0", "-path", n.auditPath)
	if err != nil || !strings.Contains(out, "SecurityAlert") || !strings.Contains(out, "called AE title not recognized") {
		t.Errorf("audit tail: %v\n%s%s", err, out, stderr)
	}
}

// pushConcurrently runs one storescu per group of files at the same time
// and returns their outputs.
func pushConcurrently(t *testing.T, port int, groups [][]string, extra ...string) []string {
	t.Helper()
	outs := make([]string, len(groups))
	var wg sync.WaitGroup
	for i, files := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"-v", "-xi", "-aet", fmt.Sprintf("E2ESCU%d", i), "-aec", nodeAE}, extra...)
			args = append(args, "127.0.0.1", strconv.Itoa(port))
			outs[i], _ = runTool(t, "storescu", append(args, files...)...)
		}()
	}
	wg.Wait()
	return outs
}

// split deals the copies round-robin into k groups of paths.
func split(copies []instanceCopy, k int) [][]string {
	groups := make([][]string, k)
	for i, c := range copies {
		groups[i%k] = append(groups[i%k], c.path)
	}
	return groups
}

// sentBySOP maps each captured data set to the SOP Instance UID it contains.
func sentBySOP(copies []instanceCopy, sent [][]byte) map[string][]byte {
	out := map[string][]byte{}
	for _, ds := range sent {
		for _, c := range copies {
			if bytes.Contains(ds, []byte(c.sopInstance)) {
				out[c.sopInstance] = ds
				break
			}
		}
	}
	return out
}

// checkStored reads the stored file of c and compares its data set with the
// bytes sent.
func checkStored(t *testing.T, n *node, c instanceCopy, sent []byte) {
	t.Helper()
	got, err := os.ReadFile(n.storedPath(c.study, c.series, c.sopInstance))
	if err != nil {
		t.Errorf("%s: %v", c.sopInstance, err)
		return
	}
	_, off, err := store.SplitPart10(got)
	if err != nil || !bytes.Equal(got[off:], sent) {
		t.Errorf("%s: stored data set differs from the bytes sent (%v)", c.sopInstance, err)
	}
}

func TestFourConcurrentAssociations(t *testing.T) {
	n := startNode(t, nodeOptions{})
	px := startProxy(t, n.addr())
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 40)
	outs := pushConcurrently(t, px.port(), split(copies, 4))
	sent := sentBySOP(copies, px.takeDataSets())

	acknowledged := 0
	for _, out := range outs {
		for file, status := range storeResults(out) {
			if status != "Success" {
				t.Errorf("%s: %s", file, status)
			}
			acknowledged++
		}
	}
	if acknowledged != len(copies) || len(sent) != len(copies) {
		t.Fatalf("%d acknowledged, %d data sets sent, want %d\n%s", acknowledged, len(sent), len(copies), strings.Join(outs, "\n"))
	}
	for _, c := range copies {
		checkStored(t, n, c, sent[c.sopInstance])
	}
	n.stop()
	assertIndexed(t, n, len(copies))

	events := auditEvents(t, n)
	stored := 0
	for _, e := range events {
		if e.Type == audit.DICOMInstancesTransferred {
			stored += e.Stored
			if len(e.Studies) != 1 || e.Studies[0].StudyInstanceUID != copies[0].study {
				t.Errorf("DICOMInstancesTransferred studies %+v", e.Studies)
			}
		}
	}
	if stored != len(copies) || countEvents(events, audit.DICOMInstancesTransferred) != 4 {
		t.Errorf("audit: %d instances in %d DICOMInstancesTransferred events", stored, countEvents(events, audit.DICOMInstancesTransferred))
	}
}

// TestCrashDuringPush kills the node with SIGKILL while four associations
// push, restarts it, and checks that every instance acknowledged with
// Success is stored byte-identical and indexed, and that every indexed
// instance is complete.
func TestCrashDuringPush(t *testing.T) {
	n := startNode(t, nodeOptions{})
	px := startProxy(t, n.addr())
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 400)

	// 1. Push, and kill the node once some instances are stored.
	done := make(chan []string, 1)
	go func() { done <- pushConcurrently(t, px.port(), split(copies, 4), "-nh") }()
	seriesDir := filepath.Dir(n.storedPath(copies[0].study, copies[0].series, copies[0].sopInstance))
	for {
		entries, _ := os.ReadDir(seriesDir)
		if len(entries) >= 40 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	n.kill()
	outs := <-done
	sent := sentBySOP(copies, px.takeDataSets())

	// 2. Collect what storescu saw acknowledged.
	byPath := map[string]instanceCopy{}
	for _, c := range copies {
		byPath[c.path] = c
	}
	var acked []instanceCopy
	for _, out := range outs {
		for file, status := range storeResults(out) {
			if status == "Success" {
				acked = append(acked, byPath[file])
			}
		}
	}
	if len(acked) < 20 || len(acked) == len(copies) {
		t.Fatalf("%d of %d acknowledged: the kill did not land during the push", len(acked), len(copies))
	}

	t.Logf("%d of %d instances acknowledged before SIGKILL", len(acked), len(copies))

	// 3. Restart and stop cleanly, then check files and index.
	n.restart()
	n.stop()
	for _, c := range acked {
		checkStored(t, n, c, sent[c.sopInstance])
	}
	assertComplete(t, n, len(acked))
}

// assertComplete opens the index read-only and checks that every indexed
// instance's file exists with the indexed size and SHA-256. It also checks
// that at least minimum instances are indexed and that tmp is empty.
func assertComplete(t *testing.T, n *node, minimum int) {
	t.Helper()
	ix, err := store.OpenIndexReadOnly(n.dataDir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	studies, err := ix.Studies()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, st := range studies {
		series, err := ix.SeriesOfStudy(st.StudyInstanceUID)
		if err != nil {
			t.Fatal(err)
		}
		for _, se := range series {
			instances, err := ix.InstancesOfSeries(st.StudyInstanceUID, se.SeriesInstanceUID)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range instances {
				total++
				data, err := os.ReadFile(filepath.Join(n.dataDir, rec.Path))
				if err != nil || int64(len(data)) != rec.Size || sha256Hex(data) != rec.SHA256 {
					t.Errorf("indexed instance %s is not complete on disk (%v)", rec.SOPInstanceUID, err)
				}
			}
		}
	}
	if total < minimum {
		t.Errorf("%d instances indexed, want at least %d", total, minimum)
	}
	if entries, _ := os.ReadDir(filepath.Join(n.dataDir, "tmp")); len(entries) != 0 {
		t.Errorf("%d partial files left in tmp after restart", len(entries))
	}
}

func TestDuplicatePolicy(t *testing.T) {
	for _, policy := range []string{"keep-first", "replace"} {
		t.Run(policy, func(t *testing.T) {
			root := testutil.SharedPath(t, "testdata/dicom")
			first, second := "pydicom/test_files/CT_small.dcm", "highdicom/ct_image.dcm"
			fi := inspect(t, root, first)
			n := startNode(t, nodeOptions{duplicatePolicy: policy})
			px := startProxy(t, n.addr())
			var sent [][]byte
			for _, rel := range []string{first, second} {
				out, err := runTool(t, "storescu", "-v", "-xe", "-aec", nodeAE, "127.0.0.1", strconv.Itoa(px.port()), filepath.Join(root, rel))
				if err != nil || !strings.Contains(out, "Received Store Response (Success)") {
					t.Fatalf("%s: %v\n%s", rel, err, out)
				}
				sent = append(sent, px.takeDataSets()...)
			}
			if len(sent) != 2 || bytes.Equal(sent[0], sent[1]) {
				t.Fatalf("expected two different data sets with one SOP Instance UID, got %d", len(sent))
			}
			want := sent[0]
			if policy == "replace" {
				want = sent[1]
			}
			checkStored(t, n, instanceCopy{sopInstance: fi.sopInstance, study: fi.study, series: fi.series}, want)
			n.stop()
			assertIndexed(t, n, 1)
			var dup []audit.Event
			for _, e := range auditEvents(t, n) {
				if e.Type == audit.DuplicateInstance {
					dup = append(dup, e)
				}
			}
			if len(dup) != 1 || dup[0].SOPInstanceUID != fi.sopInstance || dup[0].Kept == nil || *dup[0].Kept != (policy == "keep-first") {
				t.Errorf("DuplicateInstance events %+v", dup)
			}
		})
	}
}

func TestStudiesWhileServingAndFlags(t *testing.T) {
	n := startNode(t, nodeOptions{})
	copies := makeCopies(t, "pydicom/test_files/CT_small.dcm", t.TempDir(), 3)
	pushConcurrently(t, n.port, split(copies, 1))

	// While the server holds the index, studies lists its snapshot, which
	// is at most a few seconds old.
	for {
		stdout, stderr, err := mdm2node(t, "studies", "-data-dir", n.dataDir, "-wait", "100ms")
		if err == nil && strings.Contains(stdout, copies[0].study) && strings.Contains(stderr, "snapshot") {
			break
		}
		if err != nil && !strings.Contains(stderr, "no snapshot yet") {
			t.Fatalf("studies while the server runs: %v\n%s%s", err, stdout, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	n.stop()
	assertIndexed(t, n, len(copies))
	stdout, stderr, err := mdm2node(t, "studies", "-data-dir", t.TempDir())
	if err == nil || !strings.Contains(stderr, "no index") {
		t.Errorf("studies on an empty folder: %v\n%s%s", err, stdout, stderr)
	}

	// Flags override the file: AE title, listen address and data folder.
	dir := t.TempDir()
	m := startNode(t, nodeOptions{dir: dir, overrideFlags: true})
	port := strconv.Itoa(m.port)
	if out, err := runTool(t, "echoscu", "-aec", "OTHERAE", "127.0.0.1", port); err != nil {
		t.Errorf("echoscu to the -ae-title of the flags: %v\n%s", err, out)
	}
	if out, err := runTool(t, "echoscu", "-aec", nodeAE, "127.0.0.1", port); err == nil {
		t.Errorf("the AE title of the file still answers:\n%s", out)
	}
	m.stop()
	if _, err := os.Stat(filepath.Join(dir, "data-flag", store.IndexFile)); err != nil {
		t.Errorf("-data-dir was not used: %v", err)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestGracefulShutdown sends SIGTERM while four associations push: the node
// stops accepting but lets the open associations finish, so every instance
// is acknowledged, stored and indexed, and the node exits 0.
func TestGracefulShutdown(t *testing.T) {
	n := startNode(t, nodeOptions{})
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 200)
	done := make(chan []string, 1)
	go func() { done <- pushConcurrently(t, n.port, split(copies, 4)) }()

	// SIGTERM once all four associations are open and instances arrive.
	seriesDir := filepath.Dir(n.storedPath(copies[0].study, copies[0].series, copies[0].sopInstance))
	for {
		entries, _ := os.ReadDir(seriesDir)
		if len(entries) >= 20 && acceptedSoFar(n) == 4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	n.stop()

	outs := <-done
	acked := 0
	for _, out := range outs {
		for file, status := range storeResults(out) {
			if status != "Success" {
				t.Errorf("%s: %s", file, status)
			}
			acked++
		}
	}
	if acked != len(copies) {
		t.Errorf("%d of %d acknowledged across a graceful shutdown\n%s", acked, len(copies), strings.Join(outs, "\n"))
	}
	assertComplete(t, n, len(copies))
	events := auditEvents(t, n)
	if last := events[len(events)-1]; last.Type != audit.ApplicationActivity || last.Action != audit.ActionStop {
		t.Errorf("last audit event %+v, want ApplicationActivity stop", last)
	}
}

// TestLimitsRefuseLargeInstance checks that a data set over
// limits.max_instance_size is rejected with A700 and leaves nothing behind.
func TestLimitsRefuseLargeInstance(t *testing.T) {
	n := startNode(t, nodeOptions{maxInstanceSize: "100KiB"})
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 1)
	out, _ := runTool(t, "storescu", "-v", "-xi", "-aec", nodeAE, "127.0.0.1", strconv.Itoa(n.port), copies[0].path)
	if status := storeResults(out)[copies[0].path]; !strings.Contains(status, "OutOfResources") {
		t.Errorf("status %q for an instance over the limit, want Refused: OutOfResources\n%s", status, out)
	}
	if out, err := runTool(t, "echoscu", "-aec", nodeAE, "127.0.0.1", strconv.Itoa(n.port)); err != nil {
		t.Errorf("echoscu after the refusal: %v\n%s", err, out)
	}
	n.stop()
	assertComplete(t, n, 0)
	if _, err := os.Stat(n.storedPath(copies[0].study, copies[0].series, copies[0].sopInstance)); err == nil {
		t.Error("the refused instance was stored")
	}
}

// TestPDUSizes pushes with storescu sending 4 KiB PDUs and with the largest
// PDUs the node announces (limits.max_pdu_length, 128 KiB by default).
func TestPDUSizes(t *testing.T) {
	for _, sendPDU := range []string{"4096", "131072"} {
		t.Run(sendPDU, func(t *testing.T) {
			n := startNode(t, nodeOptions{})
			px := startProxy(t, n.addr())
			copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 3)
			outs := pushConcurrently(t, px.port(), split(copies, 1), "--max-send-pdu", sendPDU)
			sent := sentBySOP(copies, px.takeDataSets())
			// DCMTK counts the 6-byte PDU header in the limit, so its
			// longest PDUs are a few bytes under it.
			if limit := mustAtoi(t, sendPDU); px.maxPData > limit || px.maxPData < limit-12 {
				t.Errorf("longest P-DATA-TF PDU %d bytes, want just under %d", px.maxPData, limit)
			}
			for _, c := range copies {
				if storeResults(outs[0])[c.path] != "Success" {
					t.Fatalf("%s not acknowledged:\n%s", c.path, outs[0])
				}
				checkStored(t, n, c, sent[c.sopInstance])
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
