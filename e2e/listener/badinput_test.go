package listener

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// failingReader returns data, then err: a sender that cannot finish a
// data set.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// dialNode opens an association proposing CT Image Storage in Implicit VR
// Little Endian, with the node's own SCU.
func dialNode(t *testing.T, n *node) *scp.Client {
	t.Helper()
	c, err := scp.Dial(context.Background(), n.addr(), scp.ClientConfig{CallingAE: "E2ERAW", CalledAE: nodeAE},
		[]scp.ProposedContext{{AbstractSyntax: scp.CTImageStorage, TransferSyntaxes: []string{scp.ImplicitVRLittleEndian}}})
	if err != nil {
		t.Fatalf("associate: %v", err)
	}
	return c
}

// bareDataSet returns a copy's bytes: the egsnrc files are bare Implicit VR
// Little Endian data sets.
func bareDataSet(t *testing.T, c instanceCopy) []byte {
	t.Helper()
	data, err := os.ReadFile(c.path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestAbortMidDataSet aborts an association half way through a data set:
// nothing of it may be stored or indexed, and the node goes on serving.
func TestAbortMidDataSet(t *testing.T) {
	n := startNode(t, nodeOptions{})
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 1)
	data := bareDataSet(t, copies[0])

	c := dialNode(t, n)
	cut := errors.New("sender gave up")
	_, err := c.Store(scp.CTImageStorage, copies[0].sopInstance, scp.ImplicitVRLittleEndian,
		&failingReader{data: data[:len(data)/2], err: cut})
	if err == nil {
		t.Fatal("Store of half a data set succeeded")
	}
	c.Close()

	if out, err := runTool(t, "echoscu", "-aec", nodeAE, "127.0.0.1", strconv.Itoa(n.port)); err != nil {
		t.Fatalf("echoscu after the abort: %v\n%s", err, out)
	}
	n.stop()
	assertComplete(t, n, 0)
	if _, err := os.Stat(n.storedPath(copies[0].study, copies[0].series, copies[0].sopInstance)); err == nil {
		t.Error("the aborted instance was stored")
	}
	if countEvents(auditEvents(t, n), audit.AssociationAborted) != 1 {
		t.Error("no AssociationAborted event in the audit log")
	}
}

// TestUIDEscapingTheDataFolder stores a data set whose SOP Instance UID is a
// relative path: it is rejected and nothing is written outside the data
// folder, nor inside it.
func TestUIDEscapingTheDataFolder(t *testing.T) {
	n := startNode(t, nodeOptions{})
	copies := makeCopies(t, "egsnrc/DICOM/1998052815582995.ct", t.TempDir(), 1)
	data := bareDataSet(t, copies[0])
	uid := copies[0].sopInstance
	evil := "../../../escaped"
	for len(evil) < len(uid) {
		evil += "x"
	}
	data = bytes.ReplaceAll(data, []byte(uid), []byte(evil))

	before, _ := os.ReadDir(n.dir)
	c := dialNode(t, n)
	status, err := c.Store(scp.CTImageStorage, evil, scp.ImplicitVRLittleEndian, bytes.NewReader(data))
	if err == nil && status == store.StatusSuccess {
		t.Errorf("a SOP Instance UID of %q was stored", evil)
	}
	if err == nil && status != store.StatusDataSetMismatch {
		t.Errorf("status %04X, want A900 (data set does not match SOP class)", status)
	}
	c.Release()

	n.stop()
	assertComplete(t, n, 0)
	after, _ := os.ReadDir(n.dir)
	if len(after) != len(before) {
		t.Errorf("the node folder had %d entries before and %d after", len(before), len(after))
	}
	for _, dir := range []string{filepath.Dir(n.dir), filepath.Dir(filepath.Dir(n.dir))} {
		if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
			t.Errorf("a file escaped to %s", dir)
		}
	}
}
