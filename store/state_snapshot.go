package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// StatesSnapshotFile is the copy of the study states that a running
// tracker rewrites in the data folder, so that `mdm2node studies` can show
// states while the server holds the index's lock.
const StatesSnapshotFile = "study_states.json"

// StatesSnapshot is the content of StatesSnapshotFile.
type StatesSnapshot struct {
	Written time.Time     `json:"written"`
	States  []StudyStatus `json:"states"`
}

// WriteStatesSnapshot writes the snapshot of dataDir: a temporary file
// renamed into place, without fsync (the index, not the snapshot, is
// right after a crash).
func WriteStatesSnapshot(dataDir string, states []StudyStatus, now time.Time) error {
	data, err := json.Marshal(&StatesSnapshot{Written: now.UTC(), States: states})
	if err != nil {
		return err
	}
	tmp := filepath.Join(dataDir, tmpDirName, StatesSnapshotFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, StatesSnapshotFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// ReadStatesSnapshot reads the snapshot of dataDir.
func ReadStatesSnapshot(dataDir string) (*StatesSnapshot, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, StatesSnapshotFile))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var s StatesSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("store: %s: %w", StatesSnapshotFile, err)
	}
	return &s, nil
}
