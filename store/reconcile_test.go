package store

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDropsPendingEntryWithoutFile plays a crash after the index
// transaction of the last group commit but before its folder fsync: the
// entry is there, the renamed file is not.
func TestOpenDropsPendingEntryWithoutFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var kept, lost testInstance
	for i, n := range []string{"000000", "000001"} {
		ti := loadInstance(t, "dcmqi/paramaps/701-ADCb500/"+n+".dcm")
		if status, err := push(t, s, ti.request("a1"), ti.dataSet); status != StatusSuccess {
			t.Fatalf("status %04X: %v", status, err)
		}
		if i == 0 {
			kept = ti
		} else {
			lost = ti
		}
	}
	rec, err := s.Instance(lost.sopInstance)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rec.Path))); err != nil {
		t.Fatal(err)
	}

	// The last group commit held only the second instance: its entry goes,
	// the first stays, and the counts follow.
	var logged bytes.Buffer
	s, err = Open(Options{DataDir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Instance(lost.sopInstance); !errors.Is(err, ErrNotFound) {
		t.Errorf("entry without file: Instance returned %v, want ErrNotFound", err)
	}
	if _, err := s.Instance(kept.sopInstance); err != nil {
		t.Errorf("earlier instance: %v", err)
	}
	studies, err := s.Studies()
	if err != nil || len(studies) != 1 {
		t.Fatalf("studies %+v, %v", studies, err)
	}
	if studies[0].Instances != 1 {
		t.Errorf("study counts %d instances, want 1", studies[0].Instances)
	}
	series, err := s.SeriesOfStudy(rec.StudyInstanceUID)
	if err != nil || len(series) != 1 {
		t.Fatalf("series %+v, %v", series, err)
	}
	if series[0].Instances != 1 {
		t.Errorf("series counts %d instances, want 1", series[0].Instances)
	}
	if !strings.Contains(logged.String(), lost.sopInstance) {
		t.Errorf("log does not name the dropped instance:\n%s", logged.String())
	}

	// The instance sent again is stored; its entry, with its file, survives
	// the next Open.
	if status, err := push(t, s, lost.request("a2"), lost.dataSet); status != StatusSuccess {
		t.Fatalf("store again: status %04X: %v", status, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Instance(lost.sopInstance); err != nil {
		t.Errorf("instance stored again, after reopening: %v", err)
	}
}
