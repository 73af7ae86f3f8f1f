package results

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// nodeBinary builds cmd/mdm2node once per test run and returns its path.
func nodeBinary(t *testing.T) string {
	t.Helper()
	root := testutil.RepoRoot(t)
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "mdm2node-e2e-results-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "mdm2node")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/mdm2node")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/mdm2node: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}
