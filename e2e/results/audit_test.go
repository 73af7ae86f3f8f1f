package results

import (
	"os"
	"testing"

	"github.com/mdm2node/mdm2node/store/audit"
)

// readAudit returns every event of the audit log at path.
func readAudit(t *testing.T, path string) []audit.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Event
	err = audit.Scan(f, func(e audit.Event) { out = append(out, e) }, func(line string, err error) {
		t.Errorf("audit line %q: %v", line, err)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
