package listener

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// instanceCopy is a copy of a test file with a SOP Instance UID of its own.
type instanceCopy struct {
	path, sopInstance, study, series string
}

// makeCopies writes n copies of a shared test file into dir, each with a new
// SOP Instance UID of the same length as the original, so that no element
// length changes. The new UIDs are 2.25 UIDs (PS3.5 B.2) made from the copy
// number, never random, so a failure names the same files on every run.
func makeCopies(t *testing.T, rel, dir string, n int) []instanceCopy {
	t.Helper()
	root := testutil.SharedPath(t, "testdata/dicom")
	fi := inspect(t, root, rel)
	orig, err := os.ReadFile(fi.path)
	if err != nil {
		t.Fatal(err)
	}
	digits := len(fi.sopInstance) - len("2.25.")
	if digits < 8 {
		t.Fatalf("%s: SOP Instance UID %q too short to rewrite", rel, fi.sopInstance)
	}
	out := make([]instanceCopy, n)
	for i := range out {
		uid := fmt.Sprintf("2.25.9%0*d", digits-1, i+1)
		data := bytes.ReplaceAll(orig, []byte(fi.sopInstance), []byte(uid))
		path := filepath.Join(dir, fmt.Sprintf("copy%04d.dcm", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out[i] = instanceCopy{path: path, sopInstance: uid, study: fi.study, series: fi.series}
	}
	return out
}
