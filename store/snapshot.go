package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SnapshotFile is the listing of studies a running store rewrites in its
// data folder, so that `mdm2node studies` can show it while the server holds
// the index's lock.
const SnapshotFile = "studies.json"

// snapshotInterval is the longest a snapshot lags behind the index.
const snapshotInterval = 2 * time.Second

// StudyListing is a study with its series.
type StudyListing struct {
	StudyRecord
	SeriesList []SeriesRecord `json:"series_list"`
}

// Snapshot is the content of SnapshotFile.
type Snapshot struct {
	Written time.Time      `json:"written"`
	Studies []StudyListing `json:"studies"`
}

// Listing returns every study with its series.
func (ix *Index) Listing() ([]StudyListing, error) {
	studies, err := ix.Studies()
	if err != nil {
		return nil, err
	}
	out := make([]StudyListing, 0, len(studies))
	for _, st := range studies {
		series, err := ix.SeriesOfStudy(st.StudyInstanceUID)
		if err != nil {
			return nil, err
		}
		out = append(out, StudyListing{StudyRecord: st, SeriesList: series})
	}
	return out, nil
}

// ReadSnapshot reads the snapshot of the data folder dataDir.
func ReadSnapshot(dataDir string) (*Snapshot, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, SnapshotFile))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("store: %s: %w", SnapshotFile, err)
	}
	return &s, nil
}

// snapshotter rewrites the snapshot every snapshotInterval while instances
// arrive, and once more when stop is closed.
func (s *Store) snapshotter(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(snapshotInterval)
	defer tick.Stop()
	written := int64(-1)
	for {
		select {
		case <-tick.C:
		case <-stop:
			s.writeSnapshot(&written)
			return
		}
		s.writeSnapshot(&written)
	}
}

// writeSnapshot writes the snapshot when the store changed since the last
// one. It is a convenience copy, written to a temporary file and renamed
// without fsync: after a crash the index, not the snapshot, is right.
func (s *Store) writeSnapshot(written *int64) {
	changes := s.changes.Load()
	if changes == *written {
		return
	}
	listing, err := s.Listing()
	if err != nil {
		s.log.Warn("studies snapshot not written", "err", err)
		return
	}
	data, err := json.Marshal(&Snapshot{Written: time.Now().UTC(), Studies: listing})
	if err != nil {
		s.log.Warn("studies snapshot not written", "err", err)
		return
	}
	tmp := filepath.Join(s.tmpDir, SnapshotFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		s.log.Warn("studies snapshot not written", "err", err)
		return
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, SnapshotFile)); err != nil {
		s.log.Warn("studies snapshot not written", "err", err)
		return
	}
	*written = changes
}
