package results

import (
	"os"
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
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "mdm2node-e2e-results-")
		if binErr != nil {
			return
		}
		binPath, binErr = testutil.BuildBinary(binDir)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}
