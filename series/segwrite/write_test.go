package segwrite

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

const ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

// testSource returns a source series of size slices on a 20 x 16 grid with
// 0.8 mm pixels and 2.5 mm slices.
func testSource(t *testing.T, slices int) Source {
	t.Helper()
	header := dicom.Dataset{}
	for _, kv := range []struct {
		t tag.Tag
		v string
	}{
		{tag.PatientName, "SYNTH^TEST"},
		{tag.PatientID, "SYNTH-TEST"},
		{tag.PatientSex, "F"},
		{tag.StudyInstanceUID, dcmuid.New()},
		{tag.StudyDate, "20240102"},
		{tag.StudyID, "1"},
	} {
		e, err := dicom.NewElement(kv.t, []string{kv.v})
		if err != nil {
			t.Fatal(err)
		}
		header.Elements = append(header.Elements, e)
	}
	src := Source{
		Header:              &header,
		SeriesInstanceUID:   dcmuid.New(),
		FrameOfReferenceUID: dcmuid.New(),
		Geometry: volume.Geometry{
			Size:    [3]int{20, 16, slices},
			Spacing: [3]float64{0.8, 0.8, 2.5},
			Origin:  [3]float64{-8, -6.4, 30},
			Axes:    [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
		},
	}
	for k := 0; k < slices; k++ {
		src.Instances = append(src.Instances, Instance{SOPClassUID: ctImageStorage, SOPInstanceUID: dcmuid.New()})
	}
	return src
}

// boxMask returns a mask on g with the voxels of the box [i0,i1) x [j0,j1)
// x [k0,k1) set.
func boxMask(g volume.Geometry, i0, j0, k0, i1, j1, k1 int) *volume.Mask {
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	for k := k0; k < k1; k++ {
		for j := j0; j < j1; j++ {
			for i := i0; i < i1; i++ {
				m.Data[g.Index(i, j, k)] = 1
			}
		}
	}
	return m
}

var testSegment = Segment{
	Label:         "Tumour",
	AlgorithmType: AlgorithmSemiautomatic,
	AlgorithmName: "box",
}

func TestPackFrames(t *testing.T) {
	// Two 3 x 3 frames: 18 bits across frame boundaries, LSB first.
	data := []uint8{
		1, 0, 0, 0, 0, 0, 0, 0, 1, // frame 0: bits 0 and 8
		0, 1, 0, 0, 0, 0, 0, 0, 1, // frame 1: bits 10 and 17
	}
	got, n := packFrames(data, 3, 3, []int{0, 1})
	want := []byte{0x01, 0x05, 0x02, 0x00}
	if !bytes.Equal(got, want) {
		t.Errorf("packFrames = %x, want %x", got, want)
	}
	if n != 4 {
		t.Errorf("packFrames counted %d voxels, want 4", n)
	}
}

func TestWriteRejectsInvalidInput(t *testing.T) {
	src := testSource(t, 4)
	good := boxMask(src.Geometry, 2, 2, 1, 5, 5, 3)
	otherGrid := src.Geometry
	otherGrid.Spacing[0] = 0.9
	cases := []struct {
		name string
		src  func() Source
		mask *volume.Mask
		seg  Segment
		want error
	}{
		{"empty mask", func() Source { return src }, boxMask(src.Geometry, 0, 0, 0, 0, 0, 0), testSegment, ErrMask},
		{"other grid", func() Source { return src }, boxMask(otherGrid, 2, 2, 1, 5, 5, 3), testSegment, ErrMask},
		{"nil mask", func() Source { return src }, nil, testSegment, ErrMask},
		{"no label", func() Source { return src }, good, Segment{AlgorithmType: AlgorithmManual}, ErrSegment},
		{"automatic without name", func() Source { return src }, good, Segment{Label: "x", AlgorithmType: AlgorithmAutomatic}, ErrSegment},
		{"unknown algorithm type", func() Source { return src }, good, Segment{Label: "x", AlgorithmType: "GUESS"}, ErrSegment},
		{"missing instance", func() Source { s := src; s.Instances = s.Instances[:3]; return s }, good, testSegment, ErrSource},
		{"invalid series UID", func() Source { s := src; s.SeriesInstanceUID = "1.02"; return s }, good, testSegment, ErrSource},
		{"no header", func() Source { s := src; s.Header = nil; return s }, good, testSegment, ErrSource},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Write(&buf, c.src(), c.mask, c.seg, Options{})
			if !errors.Is(err, c.want) {
				t.Fatalf("Write error = %v, want %v", err, c.want)
			}
		})
	}
}

// writeTestSEG writes a SEG of an L-shaped region over slices 1 to 3 of a
// 6-slice source and returns the file path, the source, the mask and the
// result.
func writeTestSEG(t *testing.T, opts Options) (string, Source, *volume.Mask, Result) {
	t.Helper()
	src := testSource(t, 6)
	mask := boxMask(src.Geometry, 3, 4, 1, 9, 10, 4)
	mask.Data[src.Geometry.Index(12, 2, 2)] = 1
	mask.Data[src.Geometry.Index(19, 15, 3)] = 1
	path := filepath.Join(t.TempDir(), "seg.dcm")
	res, err := WriteFile(path, src, mask, testSegment, opts)
	if err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	return path, src, mask, res
}

func TestWriteResult(t *testing.T) {
	cases := []struct {
		name       string
		all        bool
		wantFrames int
	}{
		{"region slices", false, 3},
		{"all slices", true, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, mask, res := writeTestSEG(t, Options{AllFrames: c.all})
			if res.Frames != c.wantFrames {
				t.Errorf("frames = %d, want %d", res.Frames, c.wantFrames)
			}
			if res.Voxels != mask.Count() {
				t.Errorf("voxels = %d, want %d", res.Voxels, mask.Count())
			}
			if dcmuid.Check(res.SOPInstanceUID) != nil || dcmuid.Check(res.SeriesInstanceUID) != nil {
				t.Errorf("invalid UIDs in %+v", res)
			}
		})
	}
}

func TestWriteParsesBack(t *testing.T) {
	path, src, _, res := writeTestSEG(t, Options{Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
	ds, err := dicom.ParseFile(path, nil)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	checks := []struct {
		t    tag.Tag
		want string
	}{
		{tag.SOPClassUID, SOPClassUID},
		{tag.SOPInstanceUID, res.SOPInstanceUID},
		{tag.SeriesInstanceUID, res.SeriesInstanceUID},
		{tag.StudyInstanceUID, headerString(src.Header, tag.StudyInstanceUID)},
		{tag.PatientName, "SYNTH^TEST"},
		{tag.Modality, "SEG"},
		{tag.NumberOfFrames, strconv.Itoa(res.Frames)},
		{tag.FrameOfReferenceUID, src.FrameOfReferenceUID},
		{tag.ContentDate, "20240102"},
	}
	for _, c := range checks {
		if got := headerString(&ds, c.t); got != c.want {
			t.Errorf("%s = %q, want %q", tag.DebugString(c.t), got, c.want)
		}
	}
}

func TestWriteValidatesWithDciodvfy(t *testing.T) {
	dciodvfy := testutil.RequireTool(t, "dciodvfy")
	path, _, _, _ := writeTestSEG(t, Options{})
	out, _ := exec.Command(dciodvfy, path).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Error") {
			t.Errorf("dciodvfy: %s", line)
		}
	}
	if t.Failed() {
		t.Logf("dciodvfy output:\n%s", out)
	}
}

func TestWriteReadsWithDcmdump(t *testing.T) {
	dcmdump := testutil.RequireTool(t, "dcmdump")
	path, _, _, res := writeTestSEG(t, Options{})
	out, err := exec.Command(dcmdump, path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, out)
	}
	for _, want := range []string{"SegmentationStorage", "BINARY", "(0062,0005) LO [Tumour]", res.SOPInstanceUID} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("dcmdump output lacks %q", want)
		}
	}
}

// pydicomScript prints the number of frames, the number of set pixels and
// the z position of each frame, read independently of this package.
const pydicomScript = `
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
px = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
print(int(ds.NumberOfFrames), int(px.sum()))
for f in ds.PerFrameFunctionalGroupsSequence:
    print(float(f.PlanePositionSequence[0].ImagePositionPatient[2]))
`

func TestWriteReadsWithPydicom(t *testing.T) {
	py := testutil.RequirePython(t, "pydicom", "numpy")
	path, src, mask, res := writeTestSEG(t, Options{})
	out, err := exec.Command(py, "-c", pydicomScript, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pydicom: %v\n%s", err, out)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if len(lines) != 2+res.Frames {
		t.Fatalf("pydicom printed %q, want %d values", out, 2+res.Frames)
	}
	if lines[0] != strconv.Itoa(res.Frames) {
		t.Errorf("pydicom frames = %s, want %d", lines[0], res.Frames)
	}
	if lines[1] != strconv.Itoa(mask.Count()) {
		t.Errorf("pydicom voxels = %s, want %d", lines[1], mask.Count())
	}
	for f, k := range res.Slices {
		want := src.Geometry.Position(0, 0, float64(k))[2]
		got, err := strconv.ParseFloat(lines[2+f], 64)
		if err != nil || got != want {
			t.Errorf("frame %d z = %s, want %g", f, lines[2+f], want)
		}
	}
}

func TestWriteFileRemovesPartialFile(t *testing.T) {
	src := testSource(t, 2)
	path := filepath.Join(t.TempDir(), "seg.dcm")
	_, err := WriteFile(path, src, boxMask(src.Geometry, 0, 0, 0, 0, 0, 0), testSegment, Options{})
	if !errors.Is(err, ErrMask) {
		t.Fatalf("WriteFile error = %v, want ErrMask", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file %s left behind: %v", path, err)
	}
}
