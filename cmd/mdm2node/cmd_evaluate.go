package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mdm2node/mdm2node/report/evalhtml"
	"github.com/mdm2node/mdm2node/report/stats"
)

func init() {
	register("evaluate", "evaluate predicted probabilities against labels and write an HTML report: evaluate -predictions FILE [-out DIR]", runEvaluate)
}

// Defaults for rows of a predictions file without model or cohort columns.
const (
	defaultModelName  = "model"
	defaultCohortName = "all"
)

func runEvaluate(args []string) error {
	return evaluate(args, os.Stdout, os.Stderr)
}

// evaluate runs the evaluate command with its output on stdout and its flag
// messages on stderr.
func evaluate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	predictions := fs.String("predictions", "", "CSV `file` with a header and the columns label (lipoma/WDLPS or 0/1) and probability (of WDLPS, in [0, 1]); optional columns model and cohort evaluate several models or cohorts in one report; other columns are ignored")
	threshold := fs.Float64("threshold", 0.5, "probability at or above which a case is called WDLPS, for accuracy, sensitivity, specificity, PPV and NPV")
	out := fs.String("out", "", "`directory` to write report.html and the PNG plots into (created if missing); empty writes no files")
	format := fs.String("format", "text", "format of the metrics printed on standard output: text or json")
	bundlePath := fs.String("bundle", "", "model bundle `file`: compute the features of the -cohort studies, score them with every model of the bundle, and evaluate those predictions (instead of -predictions)")
	cohortDir := fs.String("cohort", "", "cohort `folder` for -bundle: one sub-folder of DICOM files per study and a manifest, as `mdm2node features` reads it")
	cohortSet := fs.String("set", "validation", "cohort column value (train or validation) for a manifest from `mdm2node synth`, which has none; with -bundle")
	configPath := fs.String("config", "", "node configuration `file` for the series rules and the deep extractor; with -bundle")
	nomogramPath := fs.String("nomogram", "", "JSON `file` with a logistic model, {\"intercept\": b0, \"variables\": [{\"name\", \"coefficient\", \"min\", \"max\"}, ...]}, whose points nomogram is added to the report; needs -out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mdm2node evaluate (-predictions FILE | -bundle FILE -cohort DIR [-set validation] [-config FILE])")
		fmt.Fprintln(stderr, "                         [-threshold 0.5] [-out DIR] [-format text|json] [-nomogram FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}

	// 1. Check the flags.
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; the predictions file is given with -predictions", fs.Args())
	}
	if *bundlePath != "" {
		if *predictions != "" || *cohortDir == "" {
			return errors.New("-bundle needs -cohort DIR and replaces -predictions")
		}
		tmp, err := os.MkdirTemp("", "mdm2node-evaluate-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if *predictions, err = scoreCohort(tmp, *bundlePath, *cohortDir, *cohortSet, *configPath); err != nil {
			return err
		}
	}
	if *predictions == "" {
		return errors.New("missing -predictions FILE (or -bundle FILE -cohort DIR)")
	}
	if math.IsNaN(*threshold) || *threshold < 0 || *threshold > 1 {
		return fmt.Errorf("invalid -threshold %g: must be in [0, 1]", *threshold)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("invalid -format %q: must be text or json", *format)
	}
	if *nomogramPath != "" && *out == "" {
		return errors.New("-nomogram draws into the report, so it needs -out DIR")
	}

	// 2. Read the predictions and compute the statistics and plots.
	groups, err := readPredictions(*predictions)
	if err != nil {
		return err
	}
	opt := evalhtml.DefaultOptions()
	opt.Threshold = *threshold
	report, err := evalhtml.Build("MDM2 amplification: evaluation of "+filepath.Base(*predictions), groups, opt)
	if err != nil {
		return err
	}

	// 3. Add the nomogram and write the report files.
	if *nomogramPath != "" {
		nomo, err := readNomogram(*nomogramPath)
		if err != nil {
			return err
		}
		if err := report.AddNomogram("Nomogram", nomo); err != nil {
			return err
		}
	}
	if *out != "" {
		if err := report.WriteFiles(*out); err != nil {
			return err
		}
	}

	// 4. Print the metrics.
	if *format == "json" {
		return printEvaluationJSON(stdout, report)
	}
	printEvaluationText(stdout, report)
	if *out != "" {
		fmt.Fprintf(stdout, "wrote %s and %d plots\n", filepath.Join(*out, evalhtml.HTMLFile), len(report.Figures))
	}
	return nil
}

// readPredictions reads a predictions CSV into one group per (model,
// cohort) pair, in order of first appearance.
func readPredictions(path string) ([]evalhtml.Group, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true

	// 1. Locate the columns by header name.
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: read header: %w", path, err)
	}
	// Spreadsheet programs often start a UTF-8 CSV with a byte order mark.
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	column := map[string]int{}
	for i, name := range header {
		column[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, required := range []string{"label", "probability"} {
		if _, ok := column[required]; !ok {
			return nil, fmt.Errorf("%s: missing column %q in header %q", path, required, header)
		}
	}
	field := func(record []string, name, fallback string) string {
		if i, ok := column[name]; ok && strings.TrimSpace(record[i]) != "" {
			return strings.TrimSpace(record[i])
		}
		return fallback
	}

	// 2. Parse the rows.
	type key struct{ model, cohort string }
	var order []key
	byKey := map[key]*evalhtml.Group{}
	for line := 2; ; line++ {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		label, err := parseLabel(field(record, "label", ""))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		text := field(record, "probability", "")
		prob, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(prob) || prob < 0 || prob > 1 {
			return nil, fmt.Errorf("%s line %d: invalid probability %q: must be a number in [0, 1]", path, line, text)
		}
		k := key{field(record, "model", defaultModelName), field(record, "cohort", defaultCohortName)}
		g, ok := byKey[k]
		if !ok {
			g = &evalhtml.Group{Model: k.model, Cohort: k.cohort}
			byKey[k] = g
			order = append(order, k)
		}
		g.Labels = append(g.Labels, label)
		g.Probabilities = append(g.Probabilities, prob)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%s: no prediction rows after the header", path)
	}
	groups := make([]evalhtml.Group, len(order))
	for i, k := range order {
		groups[i] = *byKey[k]
	}
	return groups, nil
}

// parseLabel returns true for WDLPS (or 1) and false for lipoma (or 0),
// ignoring case.
func parseLabel(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "wdlps", "1":
		return true, nil
	case "lipoma", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid label %q: must be lipoma, WDLPS, 0 or 1", s)
}

func printEvaluationJSON(w io.Writer, report *evalhtml.Report) error {
	out := struct {
		Threshold float64            `json:"threshold"`
		Level     float64            `json:"level"`
		Results   []evalhtml.Summary `json:"results"`
	}{report.Options.Threshold, report.Options.Level, report.Summaries}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}

func printEvaluationText(w io.Writer, report *evalhtml.Report) {
	level := strconv.FormatFloat(math.Round(1000*report.Options.Level)/10, 'f', -1, 64)
	for i, s := range report.Summaries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "model %s, cohort %s: %d cases, %d WDLPS, threshold %g\n", s.Model, s.Cohort, s.N, s.Positives, s.Threshold)
		fmt.Fprintf(w, "  %-18s %.3f (%s %% CI %.3f-%.3f, DeLong)\n", "AUC", s.AUC.AUC, level, s.AUC.Lower, s.AUC.Upper)
		fmt.Fprintf(w, "  %-18s %.3f\n", "average precision", s.AveragePrecision)
		fmt.Fprintf(w, "  %-18s %.3f\n", "C-index", s.CIndex.C)
		fmt.Fprintf(w, "  %-18s TP %d, FP %d, TN %d, FN %d\n", "confusion", s.Confusion.TP, s.Confusion.FP, s.Confusion.TN, s.Confusion.FN)
		for _, m := range []struct {
			name string
			p    stats.Proportion
		}{
			{"accuracy", s.Diagnostics.Accuracy},
			{"sensitivity", s.Diagnostics.Sensitivity},
			{"specificity", s.Diagnostics.Specificity},
			{"PPV", s.Diagnostics.PPV},
			{"NPV", s.Diagnostics.NPV},
		} {
			if m.p.Den == 0 {
				fmt.Fprintf(w, "  %-18s n/a (0/0)\n", m.name)
				continue
			}
			fmt.Fprintf(w, "  %-18s %.2f %% (%d/%d; %s %% CI %.2f-%.2f, Wilson with continuity correction)\n",
				m.name, 100*m.p.Value, m.p.Num, m.p.Den, level, 100*m.p.Lower, 100*m.p.Upper)
		}
		if hl := s.HosmerLemeshow; hl != nil {
			fmt.Fprintf(w, "  %-18s chi-square %.3f, df %d, p %.3f\n", "Hosmer-Lemeshow", hl.Statistic, hl.DF, hl.PValue)
		} else {
			fmt.Fprintf(w, "  %-18s n/a (fewer than 3 cases)\n", "Hosmer-Lemeshow")
		}
	}
}

// nomogramFile is the JSON form of a logistic model read by -nomogram.
type nomogramFile struct {
	Intercept *float64 `json:"intercept"`
	Variables []struct {
		Name        string   `json:"name"`
		Coefficient *float64 `json:"coefficient"`
		Min         *float64 `json:"min"`
		Max         *float64 `json:"max"`
	} `json:"variables"`
}

// readNomogram reads a logistic model from a JSON file and builds its
// nomogram. Every number must be present, and unknown fields are rejected.
func readNomogram(path string) (*stats.Nomogram, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var model nomogramFile
	if err := dec.Decode(&model); err != nil {
		return nil, fmt.Errorf("%s: invalid nomogram JSON: %w", path, err)
	}
	if model.Intercept == nil {
		return nil, fmt.Errorf("%s: missing \"intercept\"", path)
	}
	vars := make([]stats.NomogramVariable, len(model.Variables))
	for i, v := range model.Variables {
		if v.Name == "" || v.Coefficient == nil || v.Min == nil || v.Max == nil {
			return nil, fmt.Errorf("%s: variable %d needs \"name\", \"coefficient\", \"min\" and \"max\"", path, i+1)
		}
		vars[i] = stats.NomogramVariable{Name: v.Name, Coefficient: *v.Coefficient, Min: *v.Min, Max: *v.Max}
	}
	nomo, err := stats.NewNomogram(*model.Intercept, vars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nomo, nil
}

// scoreCohort computes the feature table of the studies under cohortDir in
// tmp and writes there the predictions of every model of the bundle, as
// `mdm2node features -bundle` does. It returns the predictions file.
func scoreCohort(tmp, bundlePath, cohortDir, set, configPath string) (string, error) {
	predictions := filepath.Join(tmp, "predictions.csv")
	args := []string{
		"-cohort", cohortDir, "-set", set, "-cache", "none",
		"-out", filepath.Join(tmp, "features.csv"),
		"-bundle", bundlePath, "-predictions", predictions,
	}
	if configPath != "" {
		args = append(args, "-config", configPath)
	}
	// The features command reports on standard output, which belongs to
	// the metrics here, so its lines go to standard error meanwhile.
	stdout := os.Stdout
	os.Stdout = os.Stderr
	err := runFeatures(args)
	os.Stdout = stdout
	if err != nil {
		return "", fmt.Errorf("scoring the cohort: %w", err)
	}
	return predictions, nil
}
