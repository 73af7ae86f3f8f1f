package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/deep"
	"github.com/mdm2node/mdm2node/pipeline/worker"
	"github.com/mdm2node/mdm2node/series"
)

func init() {
	register("features", "compute the feature table of a cohort folder for train: features -cohort DIR -out FILE [-manifest-out FILE]", runFeatures)
}

func runFeatures(args []string) error {
	fs := flag.NewFlagSet("features", flag.ContinueOnError)
	dir := fs.String("cohort", "", "cohort `folder`: one sub-folder of DICOM files per study and a manifest (required)")
	manifestPath := fs.String("manifest", "", "manifest CSV `file`; default DIR/manifest.csv. Either the cohort format (study, label, cohort, path, ...) or the one `mdm2node synth` writes (study_id, folder, label, ...)")
	out := fs.String("out", "", "feature table CSV `file` to write (required)")
	manifestOut := fs.String("manifest-out", "", "also write the manifest in the format `mdm2node train` reads to this `file`")
	set := fs.String("set", cohort.CohortTrain, "cohort column value (train or validation) for a manifest from `mdm2node synth`, which has none")
	configPath := fs.String("config", "", "node configuration `file` for the series rules, region labels and deep extractor; default the built-in defaults")
	kinds := fs.String("features", "radiomics,deep", "comma-separated feature `kinds`: radiomics, deep or both")
	params := fs.String("params", "", "PyRadiomics-style YAML parameter `file`; default pipeline.radiomics_params, else the 851-feature set")
	cache := fs.String("cache", "", "cache `folder` of per-study features; default DIR/.features-cache; \"none\" disables it")
	bundlePath := fs.String("bundle", "", "model bundle `file`: score every study with each of its models (needs -predictions)")
	predictions := fs.String("predictions", "", "predictions CSV `file` for `mdm2node evaluate` (columns study, label, cohort, model, probability)")
	quiet := fs.Bool("q", false, "do not print progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dir == "" || *out == "" {
		fs.Usage()
		return errors.New("-cohort and -out are required")
	}
	if (*bundlePath == "") != (*predictions == "") {
		return errors.New("-bundle and -predictions go together")
	}
	if *set != cohort.CohortTrain && *set != cohort.CohortValidation {
		return fmt.Errorf("-set %q: want train or validation", *set)
	}

	// 1. Configuration, manifest and feature extractors.
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			return err
		}
	}
	if *params != "" {
		cfg.Pipeline.RadiomicsParams = *params
	}
	if *manifestPath == "" {
		*manifestPath = filepath.Join(*dir, "manifest.csv")
	}
	rows, err := readCohortManifest(*manifestPath, *set)
	if err != nil {
		return err
	}
	wantRadiomics, wantDeep, err := parseKinds(*kinds)
	if err != nil {
		return err
	}
	feats, closeFeats, err := newFeatures(cfg, wantRadiomics, wantDeep, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeFeats()
	rules, err := series.CompileRules(cfg.Series)
	if err != nil {
		return err
	}

	// 2. The table.
	studies := make([]worker.CohortStudy, len(rows))
	for i, r := range rows {
		studies[i] = worker.CohortStudy{ID: r.study, Dir: r.dir}
	}
	cacheDir := *cache
	switch cacheDir {
	case "":
		cacheDir = filepath.Join(*dir, ".features-cache")
	case "none":
		cacheDir = ""
	}
	start := time.Now()
	opts := worker.TableOptions{Rules: rules, CacheDir: cacheDir}
	if !*quiet {
		opts.Progress = func(done, total int, id string, took time.Duration, cached bool) {
			note := ""
			if cached {
				note = " (cached)"
			}
			fmt.Fprintf(os.Stderr, "features: %d/%d %s %s%s, elapsed %s\n", done, total, id,
				took.Round(10*time.Millisecond), note, time.Since(start).Round(time.Second))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	table, err := worker.CohortTable(ctx, studies, feats, opts)
	if err != nil {
		return err
	}

	// 3. Output files.
	if err := writeFileAtomic(*out, func(w io.Writer) error { return cohort.WriteFeatureTable(w, table) }); err != nil {
		return err
	}
	if *manifestOut != "" {
		if err := writeFileAtomic(*manifestOut, func(w io.Writer) error { return writeCohortManifest(w, filepath.Dir(*manifestOut), rows) }); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d studies x %d features to %s (%s)\n", len(table.IDs), len(table.Names), *out, time.Since(start).Round(time.Second))

	// 4. Predictions of every model of a bundle.
	if *bundlePath != "" {
		sum, err := deep.FileSHA256(cfg.Deep.Model.File)
		if err != nil && wantDeep {
			return err
		}
		b, err := bundle.Load(*bundlePath, bundle.LoadOptions{ExtractorSHA256: sum})
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*predictions, func(w io.Writer) error { return writePredictions(w, b, table, rows) }); err != nil {
			return err
		}
		fmt.Printf("wrote the predictions of %d models to %s\n", len(b.ModelNames()), *predictions)
	}
	return nil
}

// writePredictions scores each study of t with every model of b and writes
// one row per study and model. Clinical variables come from the manifest
// rows. A model that cannot score a study (a missing clinical value) gets
// no row for it.
func writePredictions(w io.Writer, b *bundle.Bundle, t *cohort.FeatureTable, rows []manifestRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"study", "label", "cohort", "model", "probability"}); err != nil {
		return err
	}
	for i, id := range t.IDs {
		values := map[string]float64{}
		for j, n := range t.Names {
			values[n] = t.Rows[i][j]
		}
		r := rows[i]
		for _, c := range []string{"age", "ldh"} {
			if v, err := strconv.ParseFloat(r.clinical[c], 64); err == nil {
				values[c] = v
			}
		}
		for _, model := range b.ModelNames() {
			s, err := b.ScoreModel(model, values)
			if err != nil {
				continue
			}
			rec := []string{id, r.label, r.cohort, model, strconv.FormatFloat(s.Probability, 'g', -1, 64)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func parseKinds(s string) (radiomicsOn, deepOn bool, err error) {
	for _, k := range strings.Split(s, ",") {
		switch strings.TrimSpace(k) {
		case cohort.KindRadiomics:
			radiomicsOn = true
		case cohort.KindDeep:
			deepOn = true
		default:
			return false, false, fmt.Errorf("-features: unknown kind %q (want radiomics, deep or both)", k)
		}
	}
	return radiomicsOn, deepOn, nil
}

// newFeatures builds the feature extractors of cfg. The returned function
// closes the deep-feature session.
func newFeatures(cfg *config.Config, radiomicsOn, deepOn bool, log *slog.Logger) (*worker.Features, func(), error) {
	f := &worker.Features{Tolerances: cfg.Series.Volume, RegionLabels: cfg.Series.RegionLabels}
	if radiomicsOn {
		p, err := loadRadiomicsParams(cfg.Pipeline.RadiomicsParams)
		if err != nil {
			return nil, nil, err
		}
		f.Radiomics = &p
	}
	if !deepOn {
		return f, func() {}, nil
	}
	ext, pre, opt, err := deep.FromConfig(cfg.Deep)
	if err != nil {
		return nil, nil, err
	}
	opt.Logger = log
	sess, err := deep.Open(ext, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("deep feature extractor %s: %w", ext.File, err)
	}
	f.Deep, f.Preprocess = sess, pre
	return f, func() { sess.Close() }, nil
}

// manifestRow is one study of a cohort manifest.
type manifestRow struct {
	study, label, cohort, dir string
	// clinical holds the age and ldh columns as text, empty when missing.
	clinical map[string]string
}

// clinicalColumns are the manifest columns copied to the written manifest.
var clinicalColumns = []string{"age", "ldh", "sex"}

// readCohortManifest reads a cohort manifest, with columns study and path
// relative to the manifest's folder, or one written by `mdm2node synth`, with
// columns study_id and folder. A synth manifest has no train or validation
// column, so set fills the cohort of its rows.
func readCohortManifest(path, set string) ([]manifestRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no studies", path)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}

	// Which format, and the columns it needs.
	base := filepath.Dir(path)
	_, synthFormat := col["study_id"]
	idCol, dirCol := "study", "path"
	if synthFormat {
		idCol, dirCol = "study_id", "folder"
	}
	for _, c := range []string{idCol, "label"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: column %q missing", path, c)
		}
	}
	if !synthFormat {
		if _, err := cohort.ReadManifestFile(path); err != nil {
			return nil, err
		}
	}

	// One row per study.
	var rows []manifestRow
	for n, rec := range recs[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		r := manifestRow{study: get(idCol), label: get("label"), cohort: get("cohort"), clinical: map[string]string{}}
		if synthFormat {
			r.cohort = set
		}
		rel := get(dirCol)
		if rel == "" {
			rel = r.study
		}
		if r.study == "" {
			return nil, fmt.Errorf("%s: line %d: empty study", path, n+2)
		}
		r.dir = filepath.Join(base, rel)
		for _, c := range clinicalColumns {
			r.clinical[c] = get(c)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// writeCohortManifest writes rows in the cohort format, with paths relative
// to dir (the written manifest's folder).
func writeCohortManifest(w io.Writer, dir string, rows []manifestRow) error {
	cw := csv.NewWriter(w)
	header := append([]string{"study", "label", "cohort", "path"}, clinicalColumns...)
	if err := cw.Write(header); err != nil {
		return err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for _, r := range rows {
		abs, err := filepath.Abs(r.dir)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(absDir, abs)
		if err != nil {
			rel = abs
		}
		rec := []string{r.study, r.label, r.cohort, filepath.ToSlash(rel)}
		for _, c := range clinicalColumns {
			rec = append(rec, r.clinical[c])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeFileAtomic writes a file through a temporary name in its folder, so
// that an interrupted run leaves no partial file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
