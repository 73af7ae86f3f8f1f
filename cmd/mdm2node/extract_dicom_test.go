package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// voxelVolumeTolerance is the relative tolerance between the node's voxel
// volume and the reference's: both multiply the same decimal spacings.
const voxelVolumeTolerance = 1e-6

// extractJSON writes params as a parameter file, runs extract with args, the
// parameter file and -o, and returns the JSON object it wrote.
func extractJSON(t *testing.T, params string, args ...string) map[string]float64 {
	t.Helper()
	tmp := t.TempDir()
	paramsPath := filepath.Join(tmp, "params.yaml")
	if err := os.WriteFile(paramsPath, []byte(params), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "f.json")
	if err := runExtract(append(args, "-params", paramsPath, "-o", out)); err != nil {
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
	return got
}

// pythonFloat runs a Python script with args and parses the number it
// prints.
func pythonFloat(t *testing.T, py, script string, args ...string) float64 {
	t.Helper()
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	return v
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
	return pythonFloat(t, py, script, slices[:2]...)
}

func TestExtractCommandDICOMSeries(t *testing.T) {
	py := testutil.RequirePython(t, "pydicom", "numpy")
	seriesDir := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/ct-3slice")
	seg := testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/liver.dcm")
	slices, err := filepath.Glob(filepath.Join(seriesDir, "*.dcm"))
	if err != nil || len(slices) < 2 {
		t.Fatalf("slices of %s: %v %v", seriesDir, slices, err)
	}

	// Independent reference: the SEG's set pixels, read with pydicom,
	// times the voxel size.
	count := pythonFloat(t, py, "import sys, pydicom\nprint(int(pydicom.dcmread(sys.argv[1]).pixel_array.astype(bool).sum()))\n", seg)
	want := count * pythonVoxelSize(t, py, slices)

	got := extractJSON(t, "imageType:\n  Original: {}\nfeatureClass:\n  shape:\n  firstorder:\n",
		"-series", seriesDir, "-region", seg)
	if v := got["original_shape_VoxelVolume"]; math.Abs(v-want) > voxelVolumeTolerance*want {
		t.Errorf("VoxelVolume = %v, pydicom count times voxel volume %v", v, want)
	}
	if _, ok := got["original_firstorder_Mean"]; !ok {
		t.Error("no original_firstorder_Mean in the output")
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
	if total == 0 {
		t.Fatal("masks.py counts no voxel in the structure set")
	}
	voxel := pythonVoxelSize(t, py, slices)
	want := float64(total) * voxel

	got := extractJSON(t, "imageType:\n  Original: {}\nfeatureClass:\n  shape:\n", "-series", seriesDir, "-region", rt)
	if v := got["original_shape_VoxelVolume"]; math.Abs(v-want) > voxelVolumeTolerance*want {
		t.Errorf("VoxelVolume = %v, want %d voxels times %v mm3 = %v", v, total, voxel, want)
	}
}
