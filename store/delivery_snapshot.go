package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DeliveriesSnapshotFile is the listing of the delivery queue that the
// delivery worker rewrites in the data folder, so that `mdm2node deliveries`
// can show it while the server holds the index's lock.
const DeliveriesSnapshotFile = "deliveries.json"

// DeliveriesSnapshot is the content of DeliveriesSnapshotFile.
type DeliveriesSnapshot struct {
	Written    time.Time  `json:"written"`
	Deliveries []Delivery `json:"deliveries"`
}

// WriteDeliveriesSnapshot writes the delivery queue to
// DeliveriesSnapshotFile in the data folder: to a temporary file, then
// renamed, so that a reader never sees half of it.
func (s *Store) WriteDeliveriesSnapshot() error {
	all, err := s.Deliveries()
	if err != nil {
		return err
	}
	if all == nil {
		all = []Delivery{}
	}
	data, err := json.Marshal(DeliveriesSnapshot{Written: time.Now().UTC(), Deliveries: all})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(s.Dir(), DeliveriesSnapshotFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// ReadDeliveriesSnapshot reads the delivery snapshot of the data folder
// dataDir.
func ReadDeliveriesSnapshot(dataDir string) (*DeliveriesSnapshot, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, DeliveriesSnapshotFile))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var s DeliveriesSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("store: %s: %w", DeliveriesSnapshotFile, err)
	}
	return &s, nil
}
