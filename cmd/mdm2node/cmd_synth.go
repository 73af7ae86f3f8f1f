package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/internal/synth"
)

func init() {
	register("synth", "write synthetic phantom studies (CT, T1WI, T2FS, SEGs) and a manifest: synth -out DIR -n N -seed S", runSynth)
}

func runSynth(args []string) error {
	d := synth.DefaultParams()
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	out := fs.String("out", "", "output `folder`; studies go to DIR/<study-id>/ and the manifest to DIR/manifest.csv (required)")
	n := fs.Int("n", d.N, "number of studies")
	seed := fs.Uint64("seed", d.Seed, "random seed; the same seed writes the same files")
	first := fs.Int("first", d.First, "number of the first study, so that runs with one seed can add distinct studies")
	label := fs.String("label", d.Label, "tumour label: auto (54 % lipoma), lipoma or WDLPS")
	cohort := fs.String("cohort", d.Cohort, "value of the manifest's cohort column")
	ctMatrix := fs.Int("ct-matrix", d.CTMatrix, "CT rows and columns")
	ctSlices := fs.Int("ct-slices", d.CTSlices, "number of CT slices")
	ctThickness := fs.Float64("ct-thickness", d.CTSliceThickness, "CT slice thickness and spacing in mm")
	mrMatrix := fs.Int("mr-matrix", d.MRMatrix, "MR rows and columns (256 to 512 is clinical)")
	mrSlices := fs.Int("mr-slices", d.MRSlices, "number of slices per MR series")
	mrThickness := fs.Float64("mr-thickness", d.MRSliceThickness, "MR slice thickness in mm; slices are spaced 1.2 times this")
	workers := fs.Int("workers", 0, "goroutines rendering slices; 0 means one per CPU")
	quiet := fs.Bool("q", false, "do not print progress")

	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		return fmt.Errorf("missing -out folder")
	}
	lbl := *label
	for _, known := range []string{synth.LabelAuto, synth.LabelLipoma, synth.LabelWDLPS} {
		if strings.EqualFold(lbl, known) {
			lbl = known
		}
	}
	p := synth.Params{
		Out: *out, N: *n, Seed: *seed, First: *first, Label: lbl, Cohort: *cohort,
		CTMatrix: *ctMatrix, CTSlices: *ctSlices, CTSliceThickness: *ctThickness,
		MRMatrix: *mrMatrix, MRSlices: *mrSlices, MRSliceThickness: *mrThickness,
		Workers: *workers,
	}

	start := time.Now()
	progress := func(done, total int, r synth.Record) {
		if !*quiet {
			fmt.Fprintf(os.Stderr, "synth: %d/%d %s %s (%s)\n", done, total, r.StudyID, r.Label, time.Since(start).Round(100*time.Millisecond))
		}
	}
	records, err := synth.Generate(p, progress)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d studies (%s) and %s to %s\n", len(records), time.Since(start).Round(time.Second), synth.ManifestName, *out)
	return nil
}
