package pipeline

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// binaryPath is the mdm2node binary that TestMain builds, or the one named by
// MDM2NODE_E2E_BIN.
var binaryPath string

func TestMain(m *testing.M) {
	if p := os.Getenv("MDM2NODE_E2E_BIN"); p != "" {
		binaryPath = p
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "mdm2node-e2e-pipeline-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if binaryPath, err = testutil.BuildBinary(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary with args in the repository root, so that the default
// paths of the ONNX Runtime library and the extractor resolve, and fails the
// test with its output on error.
func run(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(binaryPath, args...)
	cmd.Dir = testutil.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mdm2node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// node is one running `mdm2node serve`.
type node struct {
	ae      string
	port    int
	dir     string
	dataDir string
	log     *testutil.LockedBuffer
	exited  chan struct{}
	cmd     *exec.Cmd
}

// startNode writes dir/config.yaml with the node section, storage and audit
// log filled in and extra appended. It starts the node in the repository
// root and returns once the node responds to C-ECHO. The node is stopped at
// the end of the test.
func startNode(t testing.TB, ae, dir, extra string) *node {
	t.Helper()
	return startNodeOn(t, ae, dir, extra, testutil.FreePort(t))
}

// startNodeOn is startNode on a given port.
func startNodeOn(t testing.TB, ae, dir, extra string, port int) *node {
	t.Helper()
	n := &node{ae: ae, port: port, dir: dir, dataDir: filepath.Join(dir, "data"),
		log: &testutil.LockedBuffer{}, exited: make(chan struct{})}
	cfg := fmt.Sprintf("node:\n  ae_title: %s\n  listen: 127.0.0.1:%d\nstorage:\n  data_dir: %s\naudit:\n  path: %s\n%s",
		ae, n.port, n.dataDir, filepath.Join(dir, "audit.log"), extra)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binaryPath, "serve", "-config", cfgPath)
	cmd.Dir = testutil.RepoRoot(t)
	cmd.Stdout, cmd.Stderr = n.log, n.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.cmd = cmd
	go func() {
		cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-n.exited
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", ae, n.log.String())
		}
	})

	echoscu := testutil.RequireTool(t, "echoscu")
	for i := 0; ; i++ {
		select {
		case <-n.exited:
			t.Fatalf("%s exited at start:\n%s", ae, n.log.String())
		default:
		}
		if exec.Command(echoscu, "-aec", ae, "127.0.0.1", strconv.Itoa(n.port)).Run() == nil {
			return n
		}
		if i == 150 {
			t.Fatalf("%s does not answer C-ECHO on port %d:\n%s", ae, n.port, n.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// push sends every file under dir to the node with storescu, proposing only
// the SOP classes of the files.
func (n *node) push(t testing.TB, dir string) {
	t.Helper()
	storescu := testutil.RequireTool(t, "storescu")
	cmd := exec.Command(storescu, "-aet", "MODALITY", "-aec", n.ae, "-R", "+sd", "+r", "127.0.0.1", strconv.Itoa(n.port), dir)
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("storescu %s: %v\n%s", dir, err, out)
	}
}

// waitForReport waits until the node has stored an instance under dataDir
// (the only instances a receiver gets are reports) and returns its path.
func (n *node) waitForReport(t testing.TB, sender *node, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(n.dataDir, "*", "*", "*.dcm"))
		if len(files) > 0 {
			return files[0]
		}
		select {
		case <-sender.exited:
			t.Fatalf("%s exited while processing", sender.ae)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("no report reached %s within %v; log of %s:\n%s", n.ae, timeout, sender.ae, sender.log.String())
	return ""
}

// kill stops the node with SIGKILL, as a crash would, and waits for it.
func (n *node) kill(t testing.TB) {
	t.Helper()
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill %s: %v", n.ae, err)
	}
	<-n.exited
}
