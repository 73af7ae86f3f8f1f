package pipeline

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// startStorescp runs DCMTK storescp as AE ae on a free port, writing what it
// receives into outDir, and stops it at the end of the test. make test runs
// the tests in a loopback-only network namespace, because storescp of DCMTK
// 3.6.7 listens on every interface.
func startStorescp(t *testing.T, ae, outDir string) int {
	t.Helper()
	bin := testutil.RequireTool(t, "storescp")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := testutil.FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-aet", ae, "-od", outDir, strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("storescp: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})

	// Wait until it accepts connections.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("storescp on port %d: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withStorescpDestination adds a storescp destination to a configuration
// that pipelineConfig wrote, so that every report also goes there.
func withStorescpDestination(cfg, ae string, port int) string {
	cfg = strings.Replace(cfg, "  destinations:\n", "  destinations:\n    - {ae_title: "+ae+", host: 127.0.0.1, port: "+itoa(port)+"}\n", 1)
	return strings.Replace(cfg, "default_destinations: [RECEIVER]", "default_destinations: [RECEIVER, "+ae+"]", 1)
}

// waitForFile returns the first file that appears in dir within timeout.
func waitForFile(t *testing.T, dir string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
				// storescp writes the file before it sends the C-STORE-RSP,
				// but it may not have closed the file yet.
				time.Sleep(200 * time.Millisecond)
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no file in %s after %v", dir, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
