package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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

// pythonSEGVolume returns, computed with pydicom and numpy, the number of
// region voxels of a binary SEG times the voxel volume of its series: pixel
// spacing times the distance between the first two slice positions.
func pythonSEGVolume(t *testing.T, seg string, slices []string) float64 {
	t.Helper()
	py := testutil.RequirePython(t, "pydicom", "numpy")
	script := `import sys, pydicom
seg = pydicom.dcmread(sys.argv[1])
a, b = (pydicom.dcmread(p) for p in sys.argv[2:4])
count = int(seg.pixel_array.astype(bool).sum())
dz = abs(float(a.ImagePositionPatient[2]) - float(b.ImagePositionPatient[2]))
print(count * float(a.PixelSpacing[0]) * float(a.PixelSpacing[1]) * dz)
`
	out, err := exec.Command(py, append([]string{"-c", script, seg}, slices[:2]...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	return v
}

func TestExtractCommandDICOMSeries(t *testing.T) {
	seriesDir := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/ct-3slice")
	seg := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/liver.dcm")
	slices, err := filepath.Glob(filepath.Join(seriesDir, "*.dcm"))
	if err != nil || len(slices) < 2 {
		t.Fatalf("slices of %s: %v %v", seriesDir, slices, err)
	}
	sort.Strings(slices)
	want := pythonSEGVolume(t, seg, slices)

	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yaml")
	if err := os.WriteFile(params, []byte("imageType:\n  Original: {}\nfeatureClass:\n  shape:\n  firstorder:\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "f.json")
	if err := runExtract([]string{"-series", seriesDir, "-region", seg, "-params", params, "-o", out}); err != nil {
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
	const relTol = 1e-6 // both sides multiply the same decimal spacings
	if v := got["original_shape_VoxelVolume"]; math.Abs(v-want) > relTol*want {
		t.Errorf("VoxelVolume = %v, pydicom count times voxel volume %v", v, want)
	}
	if _, ok := got["original_firstorder_Mean"]; !ok {
		t.Error("no original_firstorder_Mean in the output")
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

func TestExtractCommandDICOMRTStruct(t *testing.T) {
	src := testutil.SharedPath(t, "testdata/dicom/rt-utils/mock_data")
	py := testutil.RequirePython(t, "pydicom", "numpy")

	// The two CT slices go into a folder of their own; the structure set
	// sits beside them in the shared data.
	seriesDir := t.TempDir()
	var slices []string
	for _, name := range []string{"ct_1.dcm", "ct_2.dcm"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(seriesDir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		slices = append(slices, p)
	}
	rt := filepath.Join(src, "rt.dcm")

	// Independent reference: voxels per slice from series/testdata/masks.py
	// (crossing-number test of each pixel centre) times the voxel size.
	masks := filepath.Join(testutil.RepoRoot(t), "series", "testdata", "masks.py")
	out, err := exec.Command(py, append([]string{masks, rt, "1"}, slices...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("masks.py: %v\n%s", err, out)
	}
	var counts []int
	if err := json.Unmarshal(out, &counts); err != nil {
		t.Fatalf("masks.py output %q: %v", out, err)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	voxel := pythonVoxelSize(t, py, slices)
	want := float64(total) * voxel

	tmp := t.TempDir()
	params := filepath.Join(tmp, "params.yaml")
	if err := os.WriteFile(params, []byte("imageType:\n  Original: {}\nfeatureClass:\n  shape:\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	result := filepath.Join(tmp, "f.json")
	if err := runExtract([]string{"-series", seriesDir, "-region", rt, "-params", params, "-o", result}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	const relTol = 1e-6
	if v := got["original_shape_VoxelVolume"]; total == 0 || math.Abs(v-want) > relTol*want {
		t.Errorf("VoxelVolume = %v, want %d voxels times %v mm3 = %v", v, total, voxel, want)
	}
}

// pythonVoxelSize returns, computed with pydicom, the voxel volume in mm3 of
// a series: pixel spacing times the distance between its first two slices.
func pythonVoxelSize(t *testing.T, py string, slices []string) float64 {
	t.Helper()
	script := `import sys, pydicom
a, b = (pydicom.dcmread(p) for p in sys.argv[1:3])
dz = sum((float(x) - float(y)) ** 2 for x, y in zip(a.ImagePositionPatient, b.ImagePositionPatient)) ** 0.5
print(float(a.PixelSpacing[0]) * float(a.PixelSpacing[1]) * dz)
`
	out, err := exec.Command(py, append([]string{"-c", script}, slices[:2]...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	return v
}
