package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/pipeline/cohort"
)

func TestReadCohortManifestFormats(t *testing.T) {
	tests := []struct {
		name, manifest, set string
		wantIDs, wantDirs   []string
		wantCohort          string
	}{
		{
			name: "synth",
			manifest: "study_id,folder,study_uid,patient_id,label,mdm2_amplified,cohort,age,sex,ldh\n" +
				"S1-0001,S1-0001,2.25.1,SYNTH-S1-0001,WDLPS,1,synthetic,43,M,272\n" +
				"S1-0002,S1-0002,2.25.2,SYNTH-S1-0002,lipoma,0,synthetic,47,F,150\n",
			set: "validation", wantIDs: []string{"S1-0001", "S1-0002"}, wantDirs: []string{"S1-0001", "S1-0002"},
			wantCohort: "validation",
		},
		{
			name: "cohort with paths",
			manifest: "study,label,cohort,path,age,ldh\n" +
				"A,lipoma,train,studies/a,50,160\n" +
				"B,WDLPS,train,studies/b,60,200\n",
			set: "validation", wantIDs: []string{"A", "B"}, wantDirs: []string{"studies/a", "studies/b"},
			wantCohort: "train",
		},
		{
			name:     "cohort without paths",
			manifest: "study,label,cohort\nA,lipoma,train\n",
			set:      "train", wantIDs: []string{"A"}, wantDirs: []string{"A"}, wantCohort: "train",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "manifest.csv")
			if err := os.WriteFile(path, []byte(tc.manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := readCohortManifest(path, tc.set)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tc.wantIDs) {
				t.Fatalf("%d rows, want %d", len(rows), len(tc.wantIDs))
			}
			for i, r := range rows {
				if r.study != tc.wantIDs[i] {
					t.Errorf("row %d study %q, want %q", i, r.study, tc.wantIDs[i])
				}
				if want := filepath.Join(dir, tc.wantDirs[i]); r.dir != want {
					t.Errorf("row %d folder %q, want %q", i, r.dir, want)
				}
				if r.cohort != tc.wantCohort {
					t.Errorf("row %d cohort %q, want %q", i, r.cohort, tc.wantCohort)
				}
			}

			// The written manifest reads back in the cohort format, with
			// paths relative to its own folder.
			var buf bytes.Buffer
			outDir := filepath.Join(dir, "out")
			if err := writeCohortManifest(&buf, outDir, rows); err != nil {
				t.Fatal(err)
			}
			m, err := cohort.ReadManifest(&buf)
			if err != nil {
				t.Fatalf("written manifest: %v\n%s", err, buf.String())
			}
			for i, s := range m.Studies {
				if got := filepath.Join(outDir, s.Path); got != rows[i].dir {
					t.Errorf("study %s path %q resolves to %q, want %q", s.ID, s.Path, got, rows[i].dir)
				}
			}
		})
	}
}

func TestReadCohortManifestErrors(t *testing.T) {
	tests := []struct{ name, manifest string }{
		{"no studies", "study,label,cohort\n"},
		{"no label", "study_id,folder\nS1,S1\n"},
		{"bad label", "study,label,cohort\nA,angioma,train\n"},
		{"empty study", "study_id,folder,label\n,S1,lipoma\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "manifest.csv")
			if err := os.WriteFile(path, []byte(tc.manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := readCohortManifest(path, "train"); err == nil {
				t.Error("no error")
			}
		})
	}
}
