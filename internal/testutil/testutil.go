// Package testutil holds helpers shared by the tests of several packages:
// locating the repository and the shared test data, requiring external tools,
// and picking free loopback ports.
package testutil

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RepoRoot returns the folder that holds go.mod, searching upwards from the
// working directory of the test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testutil: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testutil: go.mod not found above the test's working directory")
		}
		dir = parent
	}
}

// SharedPath returns the path of rel inside the read-only shared folder that
// sits beside the repository (../shared). A missing shared folder fails the
// test in CI and skips it elsewhere.
func SharedPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "shared test data "+p)
	}
	return p
}

// RequireTool returns the path of an external program such as storescu.
// When the program is missing the test fails in CI (CI is set) and is skipped
// elsewhere, so that CI never reports a skipped check as passing.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "program "+name+" (install it with 'make deps')")
	}
	return p
}

// RequirePython returns the path of Debian's python3 (/usr/bin/python3),
// which has the python3-sklearn, python3-pywt and python3-pydicom packages,
// after checking that each named module imports.
func RequirePython(t testing.TB, modules ...string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		Missing(t, py)
	}
	for _, m := range modules {
		if err := exec.Command(py, "-c", "import "+m).Run(); err != nil {
			Missing(t, "python module "+m+" for "+py+" (install it with 'make deps')")
		}
	}
	return py
}

// Missing fails the test when running in CI and skips it otherwise.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("missing %s", what)
	}
	t.Skipf("missing %s; run 'make deps'", what)
}

// FreePort returns a TCP port on 127.0.0.1 that was free when asked.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testutil: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
