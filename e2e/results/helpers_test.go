package results

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// Real public test files (MANIFEST.md of the shared test data).
const (
	srFile = "testdata/dicom/dcmqi/sr-example/sr.dcm" // Comprehensive SR, Explicit VR LE
	ctFile = "testdata/dicom/highdicom/ct_image.dcm"  // CT Image, Explicit VR LE
)

// testLog returns a logger that writes to the test log.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// openStore opens the store of dir and closes it at the end of the test
// unless the test closed it before.
func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("store.Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// ingest stores the file at path as if a C-STORE had delivered it.
func ingest(t *testing.T, st *store.Store, path string) results.Instance {
	t.Helper()
	inst, err := results.ReadInstance(path)
	if err != nil {
		t.Fatalf("ReadInstance(%s): %v", path, err)
	}
	sink, err := st.BeginStore(&scp.StoreRequest{
		AssociationID:     "test",
		CallingAE:         "TESTSCU",
		CalledAE:          "MDM2NODE",
		PeerAddr:          "127.0.0.1:1",
		MessageID:         1,
		SOPClassUID:       inst.SOPClassUID,
		SOPInstanceUID:    inst.SOPInstanceUID,
		TransferSyntaxUID: inst.TransferSyntaxUID,
	})
	if err != nil {
		t.Fatalf("BeginStore(%s): %v", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(inst.DataSetOffset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(sink, f); err != nil {
		t.Fatalf("writing %s to the store: %v", path, err)
	}
	if status, err := sink.Commit(); err != nil || status != scp.StatusSuccess {
		t.Fatalf("Commit(%s) = %04X, %v", path, status, err)
	}
	return inst
}

// fastRetry is a retry policy in milliseconds, so that tests never sleep long.
func fastRetry(maxAge time.Duration) config.Retry {
	return config.Retry{InitialBackoff: 50 * time.Millisecond, Factor: 2, MaxBackoff: 200 * time.Millisecond, MaxAge: maxAge}
}

// runWorker starts w and returns a function that stops it and waits.
func runWorker(t *testing.T, w *results.Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = w.Run(ctx)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond every 20 ms until it is true or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivery returns the current record of delivery id.
func delivery(t *testing.T, st *store.Store, id uint64) store.Delivery {
	t.Helper()
	d, err := st.Delivery(id)
	if err != nil {
		t.Fatalf("Delivery(%d): %v", id, err)
	}
	return d
}

// startProcess starts a server program and stops it at the end of the
// test; it returns once addr accepts connections.
func startProcess(t *testing.T, addr string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return cmd
		}
		select {
		case <-exited:
			stopped = true
			t.Fatalf("%s exited before listening on %s:\n%s", name, addr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s after 20 s", name, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopProcess kills a process started by startProcess and waits until its
// port is closed.
func stopProcess(t *testing.T, cmd *exec.Cmd, addr string) {
	t.Helper()
	_ = cmd.Process.Kill()
	waitFor(t, 10*time.Second, "port "+addr+" to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
}

// startStorescp runs DCMTK storescp as AE ae on port, writing received
// files to outDir under unique names, so that a second copy of an instance
// is a second file.
func startStorescp(t *testing.T, ae string, port int, outDir string, extra ...string) *exec.Cmd {
	t.Helper()
	bin := testutil.RequireTool(t, "storescp")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-aet", ae, "-od", outDir, "+uf"}, extra...)
	args = append(args, strconv.Itoa(port))
	return startProcess(t, addr(port), bin, args...)
}

// startOrthanc runs Orthanc as AE ae on a free DICOM port with storage in
// dir and returns the port.
func startOrthanc(t *testing.T, ae string, dir string) int {
	t.Helper()
	port := testutil.FreePort(t)
	startOrthancOn(t, ae, port, dir)
	return port
}

// startOrthancOn runs Orthanc as AE ae on DICOM port port with storage in
// dir/storage, and stops it at the end of the test.
func startOrthancOn(t *testing.T, ae string, port int, dir string) {
	t.Helper()
	bin := testutil.RequireTool(t, "Orthanc")
	cfg := fmt.Sprintf(`{
  "Name": "mdm2node-test",
  "DicomAet": %q,
  "DicomPort": %d,
  "DicomServerEnabled": true,
  "HttpServerEnabled": false,
  "HttpPort": %d,
  "RemoteAccessAllowed": false,
  "StorageDirectory": %q,
  "IndexDirectory": %q,
  "DicomCheckCalledAet": false,
  "UnknownSopClassAccepted": true
}`, ae, port, testutil.FreePort(t), filepath.Join(dir, "storage"), filepath.Join(dir, "index"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "orthanc.json")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	startProcess(t, addr(port), bin, path)
}

func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// dicomFiles returns the regular files under dir.
func dicomFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// sopInstanceOf reads the SOP Instance UID of a received file.
func sopInstanceOf(t *testing.T, path string) string {
	t.Helper()
	inst, err := results.ReadInstance(path)
	if err != nil {
		t.Fatalf("ReadInstance(%s): %v", path, err)
	}
	return inst.SOPInstanceUID
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
