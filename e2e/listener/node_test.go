package listener

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// nodeAE is the called AE title of the node under test.
const nodeAE = "MDM2NODE"

// binaryPath is the mdm2node binary built by TestMain.
var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mdm2node-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var flags []string
	if os.Getenv("MDM2NODE_E2E_RACE") != "" {
		// The race detector in the served binary reports data races in the
		// listener under real DCMTK traffic; it makes the tests slower.
		flags = append(flags, "-race")
	}
	if binaryPath, err = testutil.BuildBinary(dir, flags...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// nodeOptions configure a node under test.
type nodeOptions struct {
	// dir is the node's folder (config, data, audit log); empty makes one.
	dir             string
	duplicatePolicy string
	allowedCalling  []string
	maxAssociations int
	maxInstanceSize string
	// overrideFlags starts the node with -listen, -ae-title OTHERAE and
	// -data-dir <dir>/data-flag, and a file that names another port.
	overrideFlags bool
}

// node is one running `mdm2node serve`.
type node struct {
	t         *testing.T
	opts      nodeOptions
	dir       string
	dataDir   string
	auditPath string
	port      int
	cmd       *exec.Cmd
	stderr    *testutil.LockedBuffer
	exited    chan struct{}
	waitErr   error
	extraArgs []string
}

// startNode writes a configuration and starts the node, returning once it
// accepts TCP connections. The node is stopped at the end of the test.
func startNode(t *testing.T, opts nodeOptions) *node {
	t.Helper()
	if opts.dir == "" {
		opts.dir = t.TempDir()
	}
	if opts.duplicatePolicy == "" {
		opts.duplicatePolicy = "keep-first"
	}
	if opts.maxAssociations == 0 {
		opts.maxAssociations = 16
	}
	if opts.maxInstanceSize == "" {
		opts.maxInstanceSize = "2GiB"
	}
	n := &node{t: t, opts: opts, dir: opts.dir, dataDir: filepath.Join(opts.dir, "data"),
		auditPath: filepath.Join(opts.dir, "audit.log"), port: testutil.FreePort(t)}
	allowed := "[]"
	if len(opts.allowedCalling) > 0 {
		allowed = "[" + strings.Join(opts.allowedCalling, ", ") + "]"
	}
	filePort := n.port
	if opts.overrideFlags {
		filePort = testutil.FreePort(t)
		n.extraArgs = []string{"-listen", n.addr(), "-ae-title", "OTHERAE", "-data-dir", filepath.Join(n.dir, "data-flag")}
	}
	cfg := fmt.Sprintf(`node:
  ae_title: %s
  listen: 127.0.0.1:%d
  allowed_calling_aes: %s
limits:
  max_associations: %d
  max_instance_size: %s
  free_space_watermark: 1MiB
  timeouts: {shutdown: 60s}
storage:
  data_dir: %s
  duplicate_policy: %s
audit:
  path: %s
`, nodeAE, filePort, allowed, opts.maxAssociations, opts.maxInstanceSize, n.dataDir, opts.duplicatePolicy, n.auditPath)
	cfgPath := filepath.Join(n.dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n.start(cfgPath)
	t.Cleanup(func() {
		if n.running() {
			n.stop()
		}
	})
	return n
}

func (n *node) start(cfgPath string) {
	n.t.Helper()
	n.stderr = &testutil.LockedBuffer{}
	n.exited = make(chan struct{})
	n.cmd = exec.Command(binaryPath, append([]string{"serve", "-config", cfgPath, "-log-level", "debug"}, n.extraArgs...)...)
	n.cmd.Stdout, n.cmd.Stderr = n.stderr, n.stderr
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start mdm2node serve: %v", err)
	}
	go func() {
		n.waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", n.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-n.exited:
			n.t.Fatalf("mdm2node serve exited at start (%v):\n%s", n.waitErr, n.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("mdm2node serve did not listen on %s:\n%s", n.addr(), n.stderr)
		}
	}
}

// restart starts the node again on the same configuration and data.
func (n *node) restart() {
	n.t.Helper()
	n.start(filepath.Join(n.dir, "config.yaml"))
}

func (n *node) addr() string { return fmt.Sprintf("127.0.0.1:%d", n.port) }

func (n *node) running() bool {
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (n *node) stop() {
	n.t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(90 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
		n.t.Fatalf("mdm2node serve ignored SIGTERM:\n%s", n.stderr)
	}
	if n.waitErr != nil {
		n.t.Errorf("mdm2node serve exited with %v:\n%s", n.waitErr, n.stderr)
	}
}

// kill sends SIGKILL and waits for the process to end.
func (n *node) kill() {
	n.t.Helper()
	n.cmd.Process.Kill()
	<-n.exited
}

// storedPath is where the node files an instance.
func (n *node) storedPath(study, series, sop string) string {
	return filepath.Join(n.dataDir, study, series, sop+".dcm")
}

// runTool runs an external program with TCP_NODELAY=1, which Debian's
// DCMTK needs to disable Nagle's algorithm, and returns its combined output.
func runTool(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testutil.RequireTool(t, name), args...)
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mdm2node runs a command of the binary and returns its stdout and stderr.
func mdm2node(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binaryPath, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}
