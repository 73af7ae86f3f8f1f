package series

import (
	"encoding/json"
	"errors"
	"math"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// pyGeometry is what testdata/geometry.py prints: the geometry and the
// per-slice sums of rescaled pixel values, computed with pydicom and numpy.
type pyGeometry struct {
	Size    [3]int        `json:"size"`
	Spacing [3]float64    `json:"spacing"`
	Origin  [3]float64    `json:"origin"`
	Axes    [3][3]float64 `json:"axes"`
	Sums    []float64     `json:"sums"`
}

func referenceGeometry(t *testing.T, files []string) pyGeometry {
	t.Helper()
	py := testutil.RequirePython(t, "pydicom", "numpy")
	out, err := exec.Command(py, append([]string{filepath.Join("testdata", "geometry.py")}, files...)...).Output()
	if err != nil {
		t.Fatalf("geometry.py: %v", err)
	}
	var g pyGeometry
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatalf("geometry.py output %q: %v", out, err)
	}
	return g
}

func sharedGlob(t testing.TB, pattern string) []string {
	t.Helper()
	dir := testutil.SharedPath(t, "testdata/dicom")
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	sort.Strings(files)
	return files
}

// Geometry tolerances. Positions in the headers are decimal strings of at
// most 16 characters, so both readers parse the same numbers, and the
// remaining differences come from float64 arithmetic.
const (
	geometryTolerance = 1e-6
	// sumRelTolerance allows float32 rounding of each rescaled voxel.
	sumRelTolerance = 1e-6
)

func TestLoadSeriesAgainstPydicom(t *testing.T) {
	cases := []struct {
		name  string
		files string
	}{
		{"ct no meta 10 slices", "egsnrc/DICOM/*.ct"},
		{"mr t1 sagittal 35 slices", "dcm_qa_decubitus/HFS/3_t1_fl2d_sag/*.dcm"},
		{"ct 3 slices", "dcmqi/segmentations/ct-3slice/*.dcm"},
		{"ct 23x38x3", "dcmqi/segmentations/23x38x3/image/*.dcm"},
		{"legacy enhanced ct", "dcmqi/segmentations/23x38x3/multiframe/mf.dcm"},
		{"enhanced ct", "pydicom-data/eCT_Supplemental.dcm"},
		{"enhanced mr philips", "dicom2nifti/philips_enhanced/anatomical/001/*.dcm"},
		{"enhanced ct rle", "dicomparser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm"},
		{"ct 3 contiguous slices", "pydicom/test_files/dicomdirtests/77654033/CT2/171[3-9]6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := sharedGlob(t, c.files)
			s, err := LoadSeries(files, DefaultTolerances())
			if err != nil {
				t.Fatalf("LoadSeries: %v", err)
			}
			ref := referenceGeometry(t, files)
			if c.name == "enhanced ct rle" {
				// pydicom reads the RLE copy the same way as its
				// uncompressed twin, whose sums are checked below.
				ref = referenceGeometry(t, sharedGlob(t, "pydicom-data/eCT_Supplemental.dcm"))
			}
			g := s.Volume.Geometry
			if g.Size != ref.Size {
				t.Errorf("size %v, pydicom %v", g.Size, ref.Size)
			}
			for a := 0; a < 3; a++ {
				if math.Abs(g.Spacing[a]-ref.Spacing[a]) > geometryTolerance {
					t.Errorf("spacing[%d] %v, pydicom %v", a, g.Spacing[a], ref.Spacing[a])
				}
				if math.Abs(g.Origin[a]-ref.Origin[a]) > geometryTolerance {
					t.Errorf("origin[%d] %v, pydicom %v", a, g.Origin[a], ref.Origin[a])
				}
				for b := 0; b < 3; b++ {
					if math.Abs(g.Axes[a][b]-ref.Axes[a][b]) > geometryTolerance {
						t.Errorf("axes[%d] %v, pydicom %v", a, g.Axes[a], ref.Axes[a])
						break
					}
				}
			}
			if len(ref.Sums) != g.Size[2] {
				t.Fatalf("pydicom gave %d slice sums for %d slices", len(ref.Sums), g.Size[2])
			}
			n := g.Size[0] * g.Size[1]
			for k, want := range ref.Sums {
				var sum float64
				for _, v := range s.Volume.Data[k*n : (k+1)*n] {
					sum += float64(v)
				}
				if math.Abs(sum-want) > sumRelTolerance*math.Max(1, math.Abs(want))+float64(n)*1e-3 {
					t.Errorf("slice %d: sum %v, pydicom %v", k, sum, want)
				}
			}
			if len(s.Slices) != g.Size[2] {
				t.Errorf("%d slice references for %d slices", len(s.Slices), g.Size[2])
			}
		})
	}
}

// The Legacy Converted Enhanced CT holds the same three slices as the
// single-frame images, so both must give the same volume.
func TestLegacyEnhancedMatchesSingleFrames(t *testing.T) {
	single, err := LoadSeries(sharedGlob(t, "dcmqi/segmentations/23x38x3/image/*.dcm"), DefaultTolerances())
	if err != nil {
		t.Fatal(err)
	}
	multi, err := LoadSeries(sharedGlob(t, "dcmqi/segmentations/23x38x3/multiframe/mf.dcm"), DefaultTolerances())
	if err != nil {
		t.Fatal(err)
	}
	if !single.Volume.SameGrid(multi.Volume.Geometry, geometryTolerance) {
		t.Fatalf("grids differ: %+v and %+v", single.Volume.Geometry, multi.Volume.Geometry)
	}
	for i := range single.Volume.Data {
		if single.Volume.Data[i] != multi.Volume.Data[i] {
			t.Fatalf("voxel %d: %v single-frame, %v multi-frame", i, single.Volume.Data[i], multi.Volume.Data[i])
		}
	}
}

func TestLoadSeriesRejects(t *testing.T) {
	egs := sharedGlob(t, "egsnrc/DICOM/*.ct")
	ct3 := sharedGlob(t, "dcmqi/segmentations/ct-3slice/*.dcm")
	cases := []struct {
		name  string
		files []string
		want  error
	}{
		{"missing middle slice", append(append([]string(nil), egs[:4]...), egs[5:]...), ErrMissingSlice},
		{"duplicate slice", append(append([]string(nil), egs...), egs[3]), ErrDuplicateSlice},
		{"real series with a gap", sharedGlob(t, "pydicom/test_files/dicomdirtests/77654033/CT2/*"), ErrMissingSlice},
		{"two series", append(append([]string(nil), egs...), ct3...), ErrMixedSeries},
		{"no files", nil, ErrEmptySeries},
		{"enhanced mr without geometry", sharedGlob(t, "pydicom-data/emri_small.dcm"), ErrMissingAttribute},
		{"jpeg 2000", sharedGlob(t, "cornerstone3d/CTImage.dcm_JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91.dcm"), ErrUnsupportedTransferSyntax},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadSeries(c.files, DefaultTolerances())
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

// synthSlices returns n axial 2x2 slices 2 mm apart.
func synthSlices(n int) []slice {
	out := make([]slice, n)
	for k := range out {
		out[k] = slice{
			path:         "synthetic",
			orientation:  [6]float64{1, 0, 0, 0, 1, 0},
			position:     vec3{0, 0, 2 * float64(k)},
			pixelSpacing: [2]float64{0.5, 0.5},
			rows:         2, cols: 2, slope: 1,
			stored: make([]int32, 4),
		}
	}
	return out
}

func TestStackSlicesRejects(t *testing.T) {
	cases := []struct {
		name   string
		change func(s []slice)
		want   error
	}{
		{"gantry tilt", func(s []slice) {
			for k := range s {
				s[k].position[1] = 0.5 * float64(k)
			}
		}, ErrGantryTilt},
		{"uneven spacing", func(s []slice) { s[3].position[2] += 0.7 }, ErrUnevenSpacing},
		{"missing slice", func(s []slice) {
			for k := 3; k < len(s); k++ {
				s[k].position[2] += 2
			}
		}, ErrMissingSlice},
		{"mixed orientation", func(s []slice) { s[2].orientation = [6]float64{1, 0, 0, 0, 0.9986, 0.0523} }, ErrMixedOrientation},
		{"mixed matrix", func(s []slice) { s[1].rows = 3; s[1].stored = make([]int32, 6) }, ErrMixedMatrix},
		{"mixed pixel spacing", func(s []slice) { s[1].pixelSpacing = [2]float64{0.6, 0.6} }, ErrMixedMatrix},
		{"duplicate position", func(s []slice) { s[4].position = s[3].position }, ErrDuplicateSlice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synthSlices(6)
			c.change(s)
			_, _, err := stackSlices(s, DefaultTolerances())
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
	t.Run("regular stack in reverse order", func(t *testing.T) {
		s := synthSlices(6)
		for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
			s[i], s[j] = s[j], s[i]
		}
		vol, refs, err := stackSlices(s, DefaultTolerances())
		if err != nil {
			t.Fatal(err)
		}
		if vol.Spacing[2] != 2 || vol.Origin[2] != 0 || refs[5].Position[2] != 10 {
			t.Errorf("spacing %v origin %v last position %v", vol.Spacing, vol.Origin, refs[5].Position)
		}
	})
}
