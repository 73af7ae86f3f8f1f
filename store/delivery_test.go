package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// putTestInstance writes an instance record straight into the index.
func putTestInstance(t *testing.T, ix *Index, rec InstanceRecord) {
	t.Helper()
	err := ix.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketInstances), []byte(rec.SOPInstanceUID), rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeliveryQueueLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), IndexFile)
	ix, err := OpenIndex(path, false, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rec := InstanceRecord{V: RecordVersion, SOPInstanceUID: "1.2.3.4", SOPClassUID: "1.2.840.10008.5.1.4.1.1.88.33",
		StudyInstanceUID: "1.2.3", TransferSyntaxUID: "1.2.840.10008.1.2.1", Path: "a/b/1.2.3.4.dcm", DataSetOffset: 300}
	putTestInstance(t, ix, rec)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	// 1. Enqueue: one entry per destination, with the instance's fields.
	ds, err := ix.EnqueueDeliveries("1.2.3.4", []string{"PACS", "SENDER"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].ID == ds[1].ID {
		t.Fatalf("EnqueueDeliveries = %+v, want two entries with distinct IDs", ds)
	}
	d := ds[0]
	if d.State != DeliveryPending || d.Destination != "PACS" || d.Path != rec.Path || d.DataSetOffset != 300 ||
		d.TransferSyntaxUID != rec.TransferSyntaxUID || !d.NextAttempt.Equal(now) {
		t.Errorf("queued delivery = %+v", d)
	}

	// 2. A second enqueue while pending returns the same entries.
	again, err := ix.EnqueueDeliveries("1.2.3.4", []string{"PACS"}, now.Add(time.Minute))
	if err != nil || len(again) != 1 || again[0].ID != d.ID {
		t.Errorf("enqueue while pending = %+v, %v; want the pending entry %d", again, err, d.ID)
	}

	// 3. Unknown instances are not queued.
	if _, err := ix.EnqueueDeliveries("9.9", []string{"PACS"}, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("enqueue of an unknown instance: %v, want ErrNotFound", err)
	}

	// 4. Pending order follows the next attempt time.
	if _, err := ix.UpdateDelivery(d.ID, func(u *Delivery) error { u.NextAttempt = now.Add(time.Hour); return nil }); err != nil {
		t.Fatal(err)
	}
	pending, err := ix.PendingDeliveries()
	if err != nil || len(pending) != 2 || pending[0].ID != ds[1].ID {
		t.Errorf("PendingDeliveries = %+v, %v; want %d first", pending, err, ds[1].ID)
	}

	// 5. Resend: refused while pending, allowed once delivered.
	if _, err := ix.ResendDelivery(d.ID, now); !errors.Is(err, ErrDeliveryState) {
		t.Errorf("resend of a pending delivery: %v, want ErrDeliveryState", err)
	}
	if _, err := ix.UpdateDelivery(d.ID, func(u *Delivery) error {
		u.State, u.Attempts, u.Delivered, u.LastStatus = DeliveryDelivered, 3, now, "0000"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Hour)
	r, err := ix.ResendDelivery(d.ID, later)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != DeliveryPending || r.Attempts != 0 || !r.Queued.Equal(later) || !r.NextAttempt.Equal(later) || r.LastStatus != "" {
		t.Errorf("resent delivery = %+v", r)
	}

	// 6. The queue survives closing and reopening the index.
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = OpenIndex(path, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	all, err := ix.Deliveries()
	if err != nil || len(all) != 2 {
		t.Fatalf("Deliveries after reopen = %d, %v; want 2", len(all), err)
	}
	if got, err := ix.Delivery(d.ID); err != nil || got.State != DeliveryPending || !got.Queued.Equal(later) {
		t.Errorf("Delivery(%d) after reopen = %+v, %v", d.ID, got, err)
	}
	if _, err := ix.Delivery(999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delivery(999): %v, want ErrNotFound", err)
	}
}

func TestDeliveriesOfIndexWithoutQueue(t *testing.T) {
	ix, err := OpenIndex(filepath.Join(t.TempDir(), IndexFile), false, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	all, err := ix.Deliveries()
	if err != nil || len(all) != 0 {
		t.Errorf("Deliveries of a new index = %v, %v; want none", all, err)
	}
	if _, err := ix.Delivery(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delivery(1) of a new index: %v, want ErrNotFound", err)
	}
}

func TestParseDeliveryID(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1", 1, true},
		{" 42 ", 42, true},
		{"0", 0, false},
		{"-3", 0, false},
		{"abc", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, err := ParseDeliveryID(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseDeliveryID(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestResendRequestFiles(t *testing.T) {
	dir := t.TempDir()
	if ids, err := ResendRequests(dir); err != nil || len(ids) != 0 {
		t.Errorf("ResendRequests without the folder = %v, %v; want none", ids, err)
	}
	for _, id := range []uint64{7, 12} {
		if _, err := RequestResend(dir, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ResendRequestDir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := ResendRequests(dir)
	if err != nil || len(ids) != 2 || ids[0] != 12 || ids[1] != 7 {
		t.Errorf("ResendRequests = %v, %v; want [12 7] in name order", ids, err)
	}
	if err := RemoveResendRequest(dir, 7); err != nil {
		t.Fatal(err)
	}
	if err := RemoveResendRequest(dir, 7); err != nil {
		t.Errorf("removing a removed request: %v, want nil", err)
	}
	if ids, _ := ResendRequests(dir); len(ids) != 1 || ids[0] != 12 {
		t.Errorf("after removal = %v, want [12]", ids)
	}
}
