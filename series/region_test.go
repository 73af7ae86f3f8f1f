package series

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// referenceCounts runs testdata/masks.py: mask voxels per slice computed
// with pydicom and numpy.
func referenceCounts(t *testing.T, region string, number int, images []string) []int {
	t.Helper()
	py := testutil.RequirePython(t, "pydicom", "numpy")
	args := append([]string{filepath.Join("testdata", "masks.py"), region, strconv.Itoa(number)}, images...)
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		t.Fatalf("masks.py: %v", err)
	}
	var counts []int
	if err := json.Unmarshal(out, &counts); err != nil {
		t.Fatalf("masks.py output %q: %v", out, err)
	}
	return counts
}

func TestLoadMaskCounts(t *testing.T) {
	cases := []struct {
		name, region, images string
		patterns             []string
		wantLabel            string
	}{
		{"seg binary liver", "dcmqi/segmentations/liver.dcm", "dcmqi/segmentations/ct-3slice/*.dcm", []string{"(?i)liver"}, "Liver"},
		{"seg binary 23x38x3", "dcmqi/segmentations/23x38x3/seg/label.seg", "dcmqi/segmentations/23x38x3/image/*.dcm", nil, "Liver"},
		{"seg highdicom binary", "highdicom/seg_image_ct_binary.dcm", "pydicom/test_files/dicomdirtests/77654033/CT2/171[3-9]6", nil, "first segment"},
		{"seg highdicom fractional", "highdicom/seg_image_ct_true_fractional.dcm", "pydicom/test_files/dicomdirtests/77654033/CT2/171[3-9]6", nil, "first segment"},
		{"rtstruct", "rt-utils/mock_data/rt.dcm", "rt-utils/mock_data/ct_*.dcm", []string{"(?i)tumou?r", "ROI"}, "ROI-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			images := sharedGlob(t, c.images)
			region := sharedGlob(t, c.region)[0]
			ref, err := LoadSeries(images, DefaultTolerances())
			if err != nil {
				t.Fatalf("LoadSeries: %v", err)
			}
			got, err := LoadMask(region, ref, c.patterns, DefaultTolerances())
			if err != nil {
				t.Fatalf("LoadMask: %v", err)
			}
			if got.Label != c.wantLabel {
				t.Errorf("label %q, want %q", got.Label, c.wantLabel)
			}
			if !got.Mask.SameGrid(ref.Volume.Geometry, 0) {
				t.Errorf("mask grid %+v differs from the series grid", got.Mask.Geometry)
			}
			want := referenceCounts(t, region, 1, images)
			n := got.Mask.Size[0] * got.Mask.Size[1]
			total := 0
			for k := 0; k < got.Mask.Size[2]; k++ {
				count := 0
				for _, v := range got.Mask.Data[k*n : (k+1)*n] {
					if v != 0 {
						count++
					}
				}
				total += count
				if k < len(want) && count != want[k] {
					t.Errorf("slice %d: %d voxels, pydicom reference %d", k, count, want[k])
				}
			}
			if len(want) != got.Mask.Size[2] {
				t.Errorf("reference has %d slices, mask %d", len(want), got.Mask.Size[2])
			}
			if total == 0 {
				t.Error("empty mask")
			}
		})
	}
}

func TestLoadMaskRejects(t *testing.T) {
	ct3 := sharedGlob(t, "dcmqi/segmentations/ct-3slice/*.dcm")
	egs := sharedGlob(t, "egsnrc/DICOM/*.ct")
	rtImages := sharedGlob(t, "rt-utils/mock_data/ct_*.dcm")
	cases := []struct {
		name, region string
		images       []string
		patterns     []string
		want         error
	}{
		// The liver SEG references the ct-3slice instances, not these.
		{"seg on another series", "dcmqi/segmentations/liver.dcm", egs, nil, ErrRegionReference},
		// The RT contours reference the rt-utils CT, and their ROI is in
		// another frame of reference than the egsnrc series.
		{"rtstruct on another series", "rt-utils/mock_data/rt.dcm", egs, nil, ErrRegionReference},
		{"image is not a region", "dcmqi/segmentations/ct-3slice/01.dcm", ct3, nil, ErrRegion},
		{"bad label pattern", "rt-utils/mock_data/rt.dcm", rtImages, []string{"("}, ErrRegionLabel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref, err := LoadSeries(c.images, DefaultTolerances())
			if err != nil {
				t.Fatalf("LoadSeries: %v", err)
			}
			_, err = LoadMask(sharedGlob(t, c.region)[0], ref, c.patterns, DefaultTolerances())
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

// Contours outside the image: the reference series is moved 1 m away, so
// the contours still reference its slices but lie off its grid.
func TestLoadMaskContourOffGrid(t *testing.T) {
	ref, err := LoadSeries(sharedGlob(t, "rt-utils/mock_data/ct_*.dcm"), DefaultTolerances())
	if err != nil {
		t.Fatal(err)
	}
	moved := *ref
	vol := *ref.Volume
	vol.Origin[0] += 1000
	moved.Volume = &vol
	_, err = LoadMask(sharedGlob(t, "rt-utils/mock_data/rt.dcm")[0], &moved, nil, DefaultTolerances())
	if !errors.Is(err, ErrRegionOffGrid) {
		t.Fatalf("error %v, want ErrRegionOffGrid", err)
	}
}

// Without matching instance references, frames are placed by Plane
// Position when the SEG shares the series' frame of reference, and rejected
// otherwise.
func TestLoadMaskSEGByPosition(t *testing.T) {
	images := sharedGlob(t, "dcmqi/segmentations/ct-3slice/*.dcm")
	region := sharedGlob(t, "dcmqi/segmentations/liver.dcm")[0]
	ref, err := LoadSeries(images, DefaultTolerances())
	if err != nil {
		t.Fatal(err)
	}
	byUID, err := LoadMask(region, ref, nil, DefaultTolerances())
	if err != nil {
		t.Fatal(err)
	}

	anonymous := *ref
	anonymous.Slices = append([]SliceRef(nil), ref.Slices...)
	for k := range anonymous.Slices {
		anonymous.Slices[k].SOPInstanceUID = "2.25.1"
	}
	byPosition, err := LoadMask(region, &anonymous, nil, DefaultTolerances())
	if err != nil {
		t.Fatalf("placing by position: %v", err)
	}
	for i := range byUID.Mask.Data {
		if byUID.Mask.Data[i] != byPosition.Mask.Data[i] {
			t.Fatalf("voxel %d: %d by instance, %d by position", i, byUID.Mask.Data[i], byPosition.Mask.Data[i])
		}
	}

	otherFrame := anonymous
	otherFrame.Info.FrameOfReferenceUID = "2.25.2"
	if _, err := LoadMask(region, &otherFrame, nil, DefaultTolerances()); !errors.Is(err, ErrRegionReference) {
		t.Fatalf("error %v, want ErrRegionReference", err)
	}
}

func TestChooseLabel(t *testing.T) {
	cases := []struct {
		name     string
		labels   []string
		patterns []string
		want     int
		wantErr  bool
	}{
		{"first pattern with one match", []string{"Liver", "Tumour", "Kidney"}, []string{"(?i)tumou?r"}, 1, false},
		{"second pattern when first is ambiguous", []string{"lesion 1", "lesion 2", "GTV"}, []string{"lesion", "GTV"}, 2, false},
		{"only region", []string{"Liver"}, []string{"tumour"}, 0, false},
		{"several without match", []string{"Liver", "Spleen"}, []string{"tumour"}, 0, true},
		{"several with ambiguous match", []string{"mass a", "mass b"}, []string{"mass"}, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := chooseLabel(c.labels, c.patterns)
			if c.wantErr {
				if !errors.Is(err, ErrRegionLabel) {
					t.Fatalf("error %v, want ErrRegionLabel", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %d, %v; want %d", got, err, c.want)
			}
		})
	}
}

// A ring: the inner square is a hole under the even-odd rule.
func TestFillEvenOddHole(t *testing.T) {
	outer := [][2]float64{{0.5, 0.5}, {8.5, 0.5}, {8.5, 8.5}, {0.5, 8.5}}
	inner := [][2]float64{{2.5, 2.5}, {6.5, 2.5}, {6.5, 6.5}, {2.5, 6.5}}
	dst := make([]uint8, 10*10)
	fillEvenOdd(dst, 10, 10, [][][2]float64{outer, inner})
	count := 0
	for _, v := range dst {
		count += int(v)
	}
	// Outer square covers centres 1..8 (64), the hole centres 3..6 (16).
	if count != 64-16 {
		t.Errorf("%d voxels inside, want %d", count, 64-16)
	}
	if dst[4*10+4] != 0 || dst[1*10+1] != 1 {
		t.Errorf("hole centre %d, ring corner %d", dst[44], dst[11])
	}
}

func TestReferencedSeries(t *testing.T) {
	cases := []struct{ name, region, images string }{
		{"seg", "dcmqi/segmentations/liver.dcm", "dcmqi/segmentations/ct-3slice/01.dcm"},
		{"seg highdicom", "highdicom/seg_image_ct_binary.dcm", "pydicom/test_files/dicomdirtests/77654033/CT2/17136"},
		{"rtstruct", "rt-utils/mock_data/rt.dcm", "rt-utils/mock_data/ct_1.dcm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReferencedSeries(sharedGlob(t, c.region)[0])
			if err != nil {
				t.Fatal(err)
			}
			info, err := ReadSeriesInfo(sharedGlob(t, c.images)[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != info.SeriesInstanceUID {
				t.Errorf("referenced series %v, want [%s]", got, info.SeriesInstanceUID)
			}
		})
	}
	t.Run("image", func(t *testing.T) {
		if _, err := ReferencedSeries(sharedGlob(t, "egsnrc/DICOM/*.ct")[0]); !errors.Is(err, ErrRegion) {
			t.Fatalf("error %v, want ErrRegion", err)
		}
	})
}
