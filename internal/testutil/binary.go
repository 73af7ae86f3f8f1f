package testutil

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
)

// BuildBinary builds the mdm2node command into dir with go build and any
// extra flags (for example -race), and returns the binary's path. It takes
// no testing.TB because end-to-end packages call it from TestMain.
func BuildBinary(dir string, flags ...string) (string, error) {
	path := filepath.Join(dir, "mdm2node")
	args := append(append([]string{"build", "-o", path}, flags...), "github.com/mdm2node/mdm2node/cmd/mdm2node")
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build mdm2node: %v\n%s", err, out)
	}
	return path, nil
}

// LockedBuffer collects a process's output written from several goroutines.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
