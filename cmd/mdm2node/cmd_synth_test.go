package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/synth"
)

func TestSynthWritesOneLabelledStudy(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-out", dir, "-n", "1", "-seed", "5", "-first", "7", "-label", "wdlps", "-q",
		"-ct-matrix", "64", "-ct-slices", "8", "-mr-matrix", "48", "-mr-slices", "6"}
	if err := runSynth(args); err != nil {
		t.Fatalf("synth: %v", err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, synth.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(manifest)), "\n")
	if len(lines) != 2 {
		t.Fatalf("manifest has %d lines, want 2:\n%s", len(lines), manifest)
	}
	if !strings.HasPrefix(lines[1], "S5-0007,S5-0007,") || !strings.Contains(lines[1], ","+synth.LabelWDLPS+",1,") {
		t.Errorf("manifest row %q, want study S5-0007 labelled WDLPS", lines[1])
	}
	ct, err := os.ReadDir(filepath.Join(dir, "S5-0007", "CT"))
	if err != nil || len(ct) != 8 {
		t.Errorf("CT folder: %v, %d files, want 8", err, len(ct))
	}
}

func TestSynthRejectsInvalidFlags(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		params bool // the error wraps synth.ErrParams
	}{
		{"missing out", []string{"-n", "1"}, false},
		{"unknown label", []string{"-out", t.TempDir(), "-label", "sarcoma"}, true},
		{"matrix too small", []string{"-out", t.TempDir(), "-ct-matrix", "4"}, true},
		{"extra argument", []string{"-out", t.TempDir(), "extra"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := runSynth(c.args)
			if err == nil {
				t.Fatal("synth succeeded, want an error")
			}
			if c.params && !errors.Is(err, synth.ErrParams) {
				t.Errorf("error %v does not wrap synth.ErrParams", err)
			}
		})
	}
}
