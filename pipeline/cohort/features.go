package cohort

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Modalities a feature name may start with.
var Modalities = []string{"CT", "T1WI", "T2FS"}

// Feature kinds.
const (
	KindRadiomics = "radiomics"
	KindDeep      = "deep"
)

// ParseFeatureName splits a feature name into its modality and kind; see the
// package documentation.
func ParseFeatureName(name string) (modality, kind string, err error) {
	for _, m := range Modalities {
		rest, ok := strings.CutPrefix(name, m+"_")
		if !ok || rest == "" {
			continue
		}
		if strings.HasPrefix(rest, "deep_") {
			return m, KindDeep, nil
		}
		return m, KindRadiomics, nil
	}
	return "", "", fmt.Errorf("%w: %q does not start with CT_, T1WI_ or T2FS_", ErrFeatureName, name)
}

// FeatureTable is a feature table in memory. A table built as a literal
// must be complete before the first Row call, which indexes the studies.
type FeatureTable struct {
	// Names are the feature columns in file order.
	Names []string
	// IDs are the studies in file order.
	IDs []string
	// Rows[i] holds the values of study IDs[i] in the order of Names.
	Rows  [][]float64
	index map[string]int
}

// ReadFeatureTableFile reads a feature table from path.
func ReadFeatureTableFile(path string) (*FeatureTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ReadFeatureTable(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ReadFeatureTable parses a feature table; see the package documentation for
// the format.
func ReadFeatureTable(r io.Reader) (*FeatureTable, error) {
	records, err := readCSV(r)
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%w: empty feature table", ErrFormat)
	}
	header := records[0]
	if strings.ToLower(strings.TrimSpace(header[0])) != "study" {
		return nil, fmt.Errorf("%w: the first column of the feature table must be \"study\", got %q", ErrMissingColumn, header[0])
	}
	t := &FeatureTable{index: map[string]int{}}
	seen := map[string]bool{}
	for _, h := range header[1:] {
		h = strings.TrimSpace(h)
		if _, _, err := ParseFeatureName(h); err != nil {
			return nil, err
		}
		if seen[h] {
			return nil, fmt.Errorf("%w: column %q appears twice", ErrFeatureName, h)
		}
		seen[h] = true
		t.Names = append(t.Names, h)
	}
	for line, rec := range records[1:] {
		row := line + 2
		id := strings.TrimSpace(rec[0])
		if id == "" {
			return nil, fmt.Errorf("%w: row %d: empty study", ErrFormat, row)
		}
		if prev, dup := t.index[id]; dup {
			return nil, fmt.Errorf("%w: %q on rows %d and %d of the feature table", ErrDuplicateID, id, prev+2, row)
		}
		values := make([]float64, len(t.Names))
		for j, cell := range rec[1:] {
			cell = strings.TrimSpace(cell)
			if cell == "" || strings.EqualFold(cell, "nan") {
				values[j] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: row %d (study %s), column %s: %q is not a number", ErrFormat, row, id, t.Names[j], cell)
			}
			values[j] = v
		}
		t.index[id] = len(t.IDs)
		t.IDs = append(t.IDs, id)
		t.Rows = append(t.Rows, values)
	}
	return t, nil
}

// Row returns the values of study id, or false when the table has no row
// for it. The slice is the table's own.
func (t *FeatureTable) Row(id string) ([]float64, bool) {
	if t.index == nil {
		t.reindex()
	}
	i, ok := t.index[id]
	if !ok {
		return nil, false
	}
	return t.Rows[i], true
}

func (t *FeatureTable) reindex() {
	t.index = make(map[string]int, len(t.IDs))
	for i, id := range t.IDs {
		t.index[id] = i
	}
}

// Columns returns the indices of the features whose modality and kind keep
// accepts, in table order.
func (t *FeatureTable) Columns(keep func(modality, kind string) bool) []int {
	var out []int
	for j, name := range t.Names {
		m, k, err := ParseFeatureName(name)
		if err == nil && keep(m, k) {
			out = append(out, j)
		}
	}
	return out
}

// WriteFeatureTable writes t as CSV with values in Go's shortest exact
// decimal form, so that reading it back gives the same float64 values.
func WriteFeatureTable(w io.Writer, t *FeatureTable) error {
	cw := csv.NewWriter(w)
	header := append([]string{"study"}, t.Names...)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for i, id := range t.IDs {
		if len(t.Rows[i]) != len(t.Names) {
			return fmt.Errorf("%w: study %s has %d values for %d features", ErrFormat, id, len(t.Rows[i]), len(t.Names))
		}
		rec[0] = id
		for j, v := range t.Rows[i] {
			rec[j+1] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
