package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// segSummaryScript reads a SEG and its source folder with pydicom. It prints
// the number of frames, set pixels and referenced instances. Then, per
// frame, it prints the position along the slice normal of the frame and of
// the source image that the frame's Derivation Image Sequence references.
const segSummaryScript = `
import sys, os, pydicom, numpy as np
seg = pydicom.dcmread(sys.argv[1])
src = {}
for name in os.listdir(sys.argv[2]):
    ds = pydicom.dcmread(os.path.join(sys.argv[2], name), force=True)
    src[ds.SOPInstanceUID] = ds
iop = [float(v) for v in seg.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient]
n = np.cross(iop[:3], iop[3:])
px = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
print(int(seg.NumberOfFrames), int(px.sum()), len(seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence))
for f in seg.PerFrameFunctionalGroupsSequence:
    pos = [float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient]
    ref = src[f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID]
    a, b = np.dot(n, pos), np.dot(n, [float(v) for v in ref.ImagePositionPatient])
    print("%.3f %.3f" % (round(a, 3) + 0.0, round(b, 3) + 0.0))
`

// thresholdCountScript counts, with pydicom and numpy, the voxels of a
// series folder inside an inclusive box (slices sorted along the normal)
// whose rescaled value lies in [low, high].
const thresholdCountScript = `
import sys, os, pydicom, numpy as np
d, lo, hi = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
i0, j0, k0, i1, j1, k1 = [int(v) for v in sys.argv[4].split(",")]
sl = [pydicom.dcmread(os.path.join(d, f), force=True) for f in os.listdir(d)]
iop = [float(v) for v in sl[0].ImageOrientationPatient]
n = np.cross(iop[:3], iop[3:])
sl.sort(key=lambda s: np.dot(n, [float(v) for v in s.ImagePositionPatient]))
count = 0
for s in sl[k0:k1 + 1]:
    a = s.pixel_array.astype(float) * float(getattr(s, "RescaleSlope", 1)) + float(getattr(s, "RescaleIntercept", 0))
    b = a[j0:j1 + 1, i0:i1 + 1]
    count += int(((b >= lo) & (b <= hi)).sum())
print(count)
`

func runPython(t *testing.T, py string, args ...string) []string {
	t.Helper()
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func TestROIBoxOnEgsnrcCT(t *testing.T) {
	py := testutil.RequirePython(t, "pydicom", "numpy")
	series := testutil.SharedPath(t, "testdata/dicom/egsnrc/DICOM")
	out := filepath.Join(t.TempDir(), "roi.dcm")
	if err := runROI([]string{"-series", series, "-box", "100,120,2,199,179,6", "-label", "Phantom", "-out", out}); err != nil {
		t.Fatalf("roi: %v", err)
	}

	lines := runPython(t, py, "-c", segSummaryScript, out, series)
	head := strings.Fields(lines[0])
	wantVoxels := 100 * 60 * 5
	if head[0] != "5" {
		t.Errorf("frames = %s, want 5", head[0])
	}
	if head[1] != strconv.Itoa(wantVoxels) {
		t.Errorf("voxels = %s, want %d", head[1], wantVoxels)
	}
	if head[2] != "10" {
		t.Errorf("referenced instances = %s, want 10", head[2])
	}

	// The slices lie 5 mm apart from -4.5 mm upwards, so k = 2..6 are at
	// 5.5 to 25.5 mm; each frame must reference the slice at its position.
	for f, line := range lines[1:] {
		pos := strings.Fields(line)
		want := strconv.FormatFloat(5.5+5*float64(f), 'f', 3, 64)
		if pos[0] != want || pos[1] != want {
			t.Errorf("frame %d at %s referencing a slice at %s, want both %s", f, pos[0], pos[1], want)
		}
	}
}

func TestROIThresholdOnT1Series(t *testing.T) {
	py := testutil.RequirePython(t, "pydicom", "numpy")
	series := testutil.SharedPath(t, "testdata/dicom/dcm_qa_decubitus/HFS/3_t1_fl2d_sag")
	out := filepath.Join(t.TempDir(), "roi.dcm")
	box := "60,40,10,190,200,24"
	if err := runROI([]string{"-series", series, "-threshold", "300,2000", "-box", box, "-label", "Brain", "-out", out}); err != nil {
		t.Fatalf("roi: %v", err)
	}
	want := runPython(t, py, "-c", thresholdCountScript, series, "300", "2000", box)[0]
	if n, _ := strconv.Atoi(want); n == 0 {
		t.Fatalf("independent count is 0; the test box misses the head")
	}
	lines := runPython(t, py, "-c", segSummaryScript, out, series)
	if got := strings.Fields(lines[0])[1]; got != want {
		t.Errorf("SEG voxels = %s, pydicom threshold count = %s", got, want)
	}
	for f, line := range lines[1:] {
		pos := strings.Fields(line)
		if pos[0] != pos[1] {
			t.Errorf("frame %d at %s references a slice at %s", f, pos[0], pos[1])
		}
	}
}

func TestROIValidatesWithDciodvfy(t *testing.T) {
	dciodvfy := testutil.RequireTool(t, "dciodvfy")
	series := testutil.SharedPath(t, "testdata/dicom/egsnrc/DICOM")
	out := filepath.Join(t.TempDir(), "roi.dcm")
	if err := runROI([]string{"-series", series, "-threshold", "-100,3000", "-label", "Phantom", "-out", out}); err != nil {
		t.Fatalf("roi: %v", err)
	}
	report, _ := exec.Command(dciodvfy, out).CombinedOutput()
	for _, line := range strings.Split(string(report), "\n") {
		if strings.HasPrefix(line, "Error") {
			t.Errorf("dciodvfy: %s", line)
		}
	}
}

func TestROIRejectsInvalidInput(t *testing.T) {
	series := testutil.SharedPath(t, "testdata/dicom/egsnrc/DICOM")
	out := filepath.Join(t.TempDir(), "roi.dcm")
	cases := []struct {
		name string
		args []string
		roi  bool // the error wraps errROI
	}{
		{"box outside grid", []string{"-series", series, "-box", "0,0,0,512,10,2", "-label", "x", "-out", out}, true},
		{"box corners swapped", []string{"-series", series, "-box", "10,0,0,5,10,2", "-label", "x", "-out", out}, true},
		{"box of five values", []string{"-series", series, "-box", "0,0,0,5,10", "-label", "x", "-out", out}, true},
		{"threshold reversed", []string{"-series", series, "-threshold", "100,-100", "-label", "x", "-out", out}, true},
		{"threshold selects nothing", []string{"-series", series, "-threshold", "20000,30000", "-label", "x", "-out", out}, false},
		{"missing series folder", []string{"-series", filepath.Join(t.TempDir(), "none"), "-box", "0,0,0,1,1,1", "-label", "x", "-out", out}, true},
		{"missing label", []string{"-series", series, "-box", "0,0,0,1,1,1", "-out", out}, false},
		{"no region option", []string{"-series", series, "-label", "x", "-out", out}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := runROI(c.args)
			if err == nil {
				t.Fatal("roi succeeded, want an error")
			}
			if c.roi && !errors.Is(err, errROI) {
				t.Errorf("error %v does not wrap errROI", err)
			}
		})
	}
}
