// Package trackertest helps tests fill a store with DICOM files as the
// listener would, without a network association.
package trackertest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// Put stores the Part 10 (or bare Implicit VR Little Endian) file at path
// in st as a C-STORE from callingAE would, and fails the test on error.
func Put(t testing.TB, st *store.Store, path, callingAE string) {
	t.Helper()
	if err := PutFile(st, path, callingAE); err != nil {
		t.Fatal(err)
	}
}

// PutFile stores one file in st and returns an error for a failure status.
func PutFile(st *store.Store, path, callingAE string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ts, off, err := store.SplitPart10(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if ts == "" {
		ts = scp.ImplicitVRLittleEndian
	}
	h, err := store.ParseHeader(bytes.NewReader(b[off:]), int64(len(b))-off, ts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	req := &scp.StoreRequest{
		AssociationID: "test", CallingAE: callingAE, CalledAE: "MDM2NODE", PeerAddr: "127.0.0.1:1",
		SOPClassUID: h.SOPClassUID, SOPInstanceUID: h.SOPInstanceUID, TransferSyntaxUID: ts,
	}
	sink, err := st.BeginStore(req)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := sink.Write(b[off:]); err != nil {
		sink.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	status, err := sink.Commit()
	if err != nil || status != scp.StatusSuccess {
		return fmt.Errorf("%s: status %04X: %v", path, status, err)
	}
	return nil
}

// PutDir stores every regular file under dir, in name order.
func PutDir(t testing.TB, st *store.Store, dir, callingAE string) {
	t.Helper()
	for _, p := range Files(t, dir) {
		Put(t, st, p, callingAE)
	}
}

// Files lists the regular files under dir in name order.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() && filepath.Ext(p) != ".csv" {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
