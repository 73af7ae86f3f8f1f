package cohort

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Labels of the manifest.
const (
	LabelLipoma = 0
	LabelWDLPS  = 1
	// LabelUnknown marks a validation study without an outcome.
	LabelUnknown = -1
)

// Cohorts of the manifest.
const (
	CohortTrain      = "train"
	CohortValidation = "validation"
)

// Study is one row of the manifest.
type Study struct {
	ID     string
	Label  int
	Cohort string
	// Path is the DICOM folder as written in the manifest (may be empty).
	Path string
	// Clinical holds the numeric clinical variables, NaN when missing.
	Clinical map[string]float64
	// Text holds the non-numeric columns.
	Text map[string]string
}

// Manifest is the list of studies of a cohort file.
type Manifest struct {
	Studies []Study
	// ClinicalNames are the numeric clinical columns in header order, lower
	// case.
	ClinicalNames []string
	// TextNames are the non-numeric extra columns in header order, lower case.
	TextNames []string
}

// ReadManifestFile reads a manifest from path.
func ReadManifestFile(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadManifest(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadManifest parses a manifest; see the package documentation for the
// format.
func ReadManifest(r io.Reader) (*Manifest, error) {
	records, err := readCSV(r)
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%w: empty manifest", ErrFormat)
	}
	header := make([]string, len(records[0]))
	col := map[string]int{}
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%w: column %q appears twice", ErrFormat, h)
		}
		col[h] = i
	}
	for _, req := range []string{"study", "label", "cohort"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%w: %q (the header is %v)", ErrMissingColumn, req, header)
		}
	}

	// Extra columns are numeric when every non-empty cell parses.
	m := &Manifest{}
	for i, h := range header {
		switch h {
		case "study", "label", "cohort", "path":
			continue
		}
		numeric := true
		for _, rec := range records[1:] {
			v := strings.TrimSpace(rec[i])
			if v == "" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				numeric = false
				break
			}
		}
		if numeric {
			m.ClinicalNames = append(m.ClinicalNames, h)
		} else {
			m.TextNames = append(m.TextNames, h)
		}
	}

	seen := map[string]int{}
	for line, rec := range records[1:] {
		row := line + 2
		s, err := parseStudy(rec, col, m)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		if prev, dup := seen[s.ID]; dup {
			return nil, fmt.Errorf("%w: %q on rows %d and %d", ErrDuplicateID, s.ID, prev, row)
		}
		seen[s.ID] = row
		m.Studies = append(m.Studies, s)
	}
	return m, nil
}

func parseStudy(rec []string, col map[string]int, m *Manifest) (Study, error) {
	s := Study{
		ID:       strings.TrimSpace(rec[col["study"]]),
		Cohort:   strings.ToLower(strings.TrimSpace(rec[col["cohort"]])),
		Clinical: map[string]float64{},
		Text:     map[string]string{},
	}
	if s.ID == "" {
		return s, fmt.Errorf("%w: empty study", ErrFormat)
	}
	if i, ok := col["path"]; ok {
		s.Path = strings.TrimSpace(rec[i])
	}
	if s.Cohort != CohortTrain && s.Cohort != CohortValidation {
		return s, fmt.Errorf("%w: %q for study %s", ErrUnknownCohort, s.Cohort, s.ID)
	}
	label, err := ParseLabel(rec[col["label"]])
	if err != nil {
		return s, fmt.Errorf("study %s: %w", s.ID, err)
	}
	if label == LabelUnknown && s.Cohort == CohortTrain {
		return s, fmt.Errorf("%w: empty label for training study %s", ErrUnknownLabel, s.ID)
	}
	s.Label = label
	for _, name := range m.ClinicalNames {
		v := strings.TrimSpace(rec[col[name]])
		if v == "" {
			s.Clinical[name] = math.NaN()
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		s.Clinical[name] = f
	}
	for _, name := range m.TextNames {
		s.Text[name] = strings.TrimSpace(rec[col[name]])
	}
	return s, nil
}

// ParseLabel maps "lipoma" to LabelLipoma, "WDLPS" to LabelWDLPS and an
// empty value to LabelUnknown, ignoring case and surrounding spaces.
func ParseLabel(v string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "lipoma":
		return LabelLipoma, nil
	case "wdlps":
		return LabelWDLPS, nil
	case "":
		return LabelUnknown, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownLabel, v)
}

// LabelName returns "lipoma", "WDLPS" or "" for LabelUnknown.
func LabelName(label int) string {
	switch label {
	case LabelLipoma:
		return "lipoma"
	case LabelWDLPS:
		return "WDLPS"
	}
	return ""
}

// Cohort returns the studies of one cohort in manifest order.
func (m *Manifest) Cohort(name string) []Study {
	var out []Study
	for _, s := range m.Studies {
		if s.Cohort == name {
			out = append(out, s)
		}
	}
	return out
}

func readCSV(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	records, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: line %d: %v", ErrFormat, pe.Line, pe.Err)
		}
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return records, nil
}
