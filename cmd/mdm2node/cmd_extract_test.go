package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

func TestExtractCommandBrain1(t *testing.T) {
	dir := testutil.SharedPath(t, "reference/radiomics/pyradiomics/images")
	image := filepath.Join(dir, "brain1_image.nrrd")
	mask := filepath.Join(dir, "brain1_label.nrrd")
	tmp := t.TempDir()

	// Original image only, so the values can be checked against PyRadiomics'
	// baseline for brain1 (firstorder Mean 825.235436307, Kurtosis
	// 2.18077293939; PyRadiomics 1.3.0).
	params := filepath.Join(tmp, "params.yaml")
	if err := os.WriteFile(params, []byte("imageType:\n  Original: {}\nsetting:\n  voxelArrayShift: 2000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "f.json")
	if err := runExtract([]string{"-image", image, "-mask", mask, "-params", params, "-format", "json", "-o", out}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("output is not one JSON object of numbers: %v", err)
	}
	if len(got) != 107 {
		t.Errorf("%d features, want 107", len(got))
	}
	for name, want := range map[string]float64{"original_firstorder_Mean": 825.235436307, "original_firstorder_Kurtosis": 2.18077293939} {
		if math.Abs(got[name]/want-1) > 1e-9 {
			t.Errorf("%s = %v, baseline %v", name, got[name], want)
		}
	}

	// Default parameters: 851 features, CSV header and one value row.
	out = filepath.Join(tmp, "f.csv")
	if err := runExtract([]string{"-image", image, "-mask", mask, "-format", "csv", "-o", out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[0]) != 851 || len(rows[1]) != 851 {
		t.Fatalf("csv has %d rows of %d columns, want 2 of 851", len(rows), len(rows[0]))
	}
	if rows[0][0] != "original_shape_Elongation" {
		t.Errorf("first column %q", rows[0][0])
	}
	for i, v := range rows[1] {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			t.Errorf("%s: %v", rows[0][i], err)
		}
	}
}

func TestExtractCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-image", "a.nrrd"}, "required"},
		{[]string{"-image", "a.nrrd", "-mask", "b.nrrd", "-format", "xml"}, "-format"},
		{[]string{"-image", "a.nrrd", "-mask", "b.nrrd", "-features", "nosuchset"}, "unknown feature set"},
		{[]string{"-image", "a.png", "-mask", "b.nrrd"}, "no such file"},
	} {
		err := runExtract(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// The IBSI digital phantom in NIfTI: first-order values must equal the IBSI
// reference values (mean 2.15, energy 567; IBSI 1 reference workbook).
func TestExtractCommandNIfTI(t *testing.T) {
	dir := testutil.SharedPath(t, "reference/radiomics/ibsi/digital_phantom/nifti")
	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yaml")
	if err := os.WriteFile(params, []byte("imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\nsetting:\n  binWidth: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "f.json")
	args := []string{"-image", filepath.Join(dir, "image/phantom.nii.gz"), "-mask", filepath.Join(dir, "mask/mask.nii.gz"),
		"-params", params, "-o", out}
	if err := runExtract(args); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 18 {
		t.Errorf("%d features, want the 18 first-order features", len(got))
	}
	if m := got["original_firstorder_Mean"]; math.Abs(m-2.15) > 0.005 {
		t.Errorf("Mean = %v, IBSI 2.15", m)
	}
	if e := got["original_firstorder_Energy"]; e != 567 {
		t.Errorf("Energy = %v, IBSI 567", e)
	}
}

func TestExtractCommandInputFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-series", "dir"}, "both -series and -region"},
		{[]string{"-image", "a.nrrd", "-mask", "b.nrrd", "-series", "dir", "-region", "r.dcm"}, "not both"},
		{[]string{"-series", t.TempDir(), "-region", "r.dcm"}, "no files"},
	} {
		err := runExtract(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}
