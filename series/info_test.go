package series

import (
	"errors"
	"testing"
)

func TestReadSeriesInfoFiles(t *testing.T) {
	cases := []struct {
		name              string
		files             string
		instances, frames int
		modality          string
	}{
		{"ct no meta", "egsnrc/DICOM/*.ct", 10, 10, "CT"},
		{"legacy enhanced ct", "dcmqi/segmentations/23x38x3/multiframe/mf.dcm", 1, 3, "CT"},
		{"mr t1 sagittal", "dcm_qa_decubitus/HFS/3_t1_fl2d_sag/*.dcm", 35, 35, "MR"},
		{"enhanced mr philips", "dicom2nifti/philips_enhanced/anatomical/001/*.dcm", 1, 8, "MR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info, err := ReadSeriesInfoFiles(sharedGlob(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			if info.Instances != c.instances {
				t.Errorf("instances %d, want %d", info.Instances, c.instances)
			}
			if info.Frames != c.frames {
				t.Errorf("frames %d, want %d", info.Frames, c.frames)
			}
			if info.Modality != c.modality {
				t.Errorf("modality %q, want %q", info.Modality, c.modality)
			}
			if info.SeriesInstanceUID == "" || !info.HasOrientation {
				t.Errorf("series UID %q, orientation present %v", info.SeriesInstanceUID, info.HasOrientation)
			}
		})
	}
	// The Enhanced MR keeps Echo Time in the functional groups; dcmdump
	// lists TR 6.77019977569580 and TE 3.133 ms.
	t.Run("enhanced mr timing", func(t *testing.T) {
		info, err := ReadSeriesInfoFiles(sharedGlob(t, "dicom2nifti/philips_enhanced/anatomical/001/*.dcm"))
		if err != nil {
			t.Fatal(err)
		}
		if !info.HasRepetitionTime || info.RepetitionTime != 6.77019977569580 {
			t.Errorf("repetition time %v (present %v), want 6.7702", info.RepetitionTime, info.HasRepetitionTime)
		}
		if !info.HasEchoTime || info.EchoTime != 3.133 {
			t.Errorf("echo time %v (present %v), want 3.133", info.EchoTime, info.HasEchoTime)
		}
	})
	t.Run("two series", func(t *testing.T) {
		files := append(sharedGlob(t, "egsnrc/DICOM/*.ct"), sharedGlob(t, "dcmqi/segmentations/ct-3slice/*.dcm")...)
		if _, err := ReadSeriesInfoFiles(files); !errors.Is(err, ErrMixedSeries) {
			t.Fatalf("error %v, want ErrMixedSeries", err)
		}
	})
}
