package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/series"
)

// CohortStudy is one study of a cohort folder: its identifier in the
// manifest and the folder of its DICOM files.
type CohortStudy struct {
	ID  string
	Dir string
}

// TableOptions configure CohortTable.
type TableOptions struct {
	// Rules choose the series of each role; nil uses series.DefaultRules.
	Rules *series.Rules
	// CacheDir, when not empty, keeps one file per study with its features
	// and a key of the inputs and settings, so that a second run reuses
	// every study whose files and settings did not change.
	CacheDir string
	// Progress, when not nil, is called after each study.
	Progress func(done, total int, id string, took time.Duration, cached bool)
}

// CohortTable computes the features of every study, for every role, into one
// feature table in the format of package cohort, rows in the order of
// studies. Every study must produce the same feature names. The error names
// the study that failed.
func CohortTable(ctx context.Context, studies []CohortStudy, f *Features, opts TableOptions) (*cohort.FeatureTable, error) {
	rules := opts.Rules
	if rules == nil {
		rules = series.DefaultRules()
	}
	settings, err := settingsKey(f)
	if err != nil {
		return nil, err
	}
	if opts.CacheDir != "" {
		if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("%w: cache: %w", ErrCohort, err)
		}
	}

	t := &cohort.FeatureTable{}
	for i, st := range studies {
		start := time.Now()
		names, values, cached, err := studyFeatures(ctx, st, f, rules, settings, opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("study %s: %w", st.ID, err)
		}
		if i == 0 {
			t.Names = names
		} else if !sameNames(t.Names, names) {
			return nil, fmt.Errorf("%w: study %s has other feature names than study %s", ErrFeatures, st.ID, studies[0].ID)
		}
		t.IDs = append(t.IDs, st.ID)
		t.Rows = append(t.Rows, values)
		if opts.Progress != nil {
			opts.Progress(i+1, len(studies), st.ID, time.Since(start), cached)
		}
	}
	return t, nil
}

// cacheEntry is the content of one study's cache file.
type cacheEntry struct {
	Key    string    `json:"key"`
	Names  []string  `json:"names"`
	Values []float64 `json:"values"`
}

// studyFeatures returns the features of one study, from the cache when its
// key matches.
func studyFeatures(ctx context.Context, st CohortStudy, f *Features, rules *series.Rules, settings, cacheDir string) ([]string, []float64, bool, error) {
	inputs, err := StudyRoles(st.Dir, rules)
	if err != nil {
		return nil, nil, false, err
	}
	key, err := inputsKey(settings, inputs)
	if err != nil {
		return nil, nil, false, err
	}
	cacheFile := ""
	if cacheDir != "" {
		cacheFile = filepath.Join(cacheDir, safeName(st.ID)+".json")
		if data, err := os.ReadFile(cacheFile); err == nil {
			var e cacheEntry
			if json.Unmarshal(data, &e) == nil && e.Key == key && len(e.Names) == len(e.Values) {
				return e.Names, e.Values, true, nil
			}
		}
	}

	var names []string
	var values []float64
	for _, in := range inputs {
		rf, err := f.Role(ctx, in)
		if err != nil {
			return nil, nil, false, err
		}
		names = append(names, rf.Names...)
		values = append(values, rf.Values...)
	}

	if cacheFile != "" {
		data, err := json.Marshal(cacheEntry{Key: key, Names: names, Values: values})
		if err != nil {
			return nil, nil, false, fmt.Errorf("%w: cache: %w", ErrFeatures, err)
		}
		tmp := cacheFile + ".tmp"
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			return nil, nil, false, fmt.Errorf("%w: cache: %w", ErrCohort, err)
		}
		if err := os.Rename(tmp, cacheFile); err != nil {
			return nil, nil, false, fmt.Errorf("%w: cache: %w", ErrCohort, err)
		}
	}
	return names, values, false, nil
}

// settingsKey digests what determines feature values besides the images:
// the radiomics parameters, the extractor and its preprocessing.
func settingsKey(f *Features) (string, error) {
	var v struct {
		Radiomics  any
		Extractor  any
		Preprocess any
		Tolerances any
		Labels     []string
	}
	if f.Radiomics != nil {
		v.Radiomics = f.Radiomics
	}
	if f.Deep != nil {
		v.Extractor = f.Deep.Extractor()
		v.Preprocess = f.Preprocess
	}
	v.Tolerances = f.Tolerances
	v.Labels = f.RegionLabels
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("%w: settings: %w", ErrFeatures, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// inputsKey digests the settings and each input file's path, size and
// modification time.
func inputsKey(settings string, inputs []pipeline.RoleInput) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, settings)
	for _, in := range inputs {
		fmt.Fprintln(h, in.Role, in.SeriesUID, in.RegionFile)
		for _, p := range append(append([]string(nil), in.Files...), in.RegionFile) {
			fi, err := os.Stat(p)
			if err != nil {
				return "", fmt.Errorf("%w: %w", ErrCohort, err)
			}
			fmt.Fprintln(h, p, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// safeName maps a study identifier to a file name.
func safeName(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, id)
}
