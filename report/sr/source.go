package sr

import (
	"fmt"
	"strings"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
)

// SegmentationStorage is the SOP Class UID of DICOM Segmentation (PS3.4
// Annex B.5).
const SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4"

// Instance identifies one stored instance by its UIDs.
type Instance struct {
	StudyInstanceUID  string
	SeriesInstanceUID string
	SOPClassUID       string
	SOPInstanceUID    string
}

// Image is a source image the pipeline used. Modality (CT or MR) groups the
// image library of the report.
type Image struct {
	Instance
	Modality string
}

// Segmentation is a DICOM Segmentation instance and the segment numbers of
// the tumour in it.
type Segmentation struct {
	Instance
	SegmentNumbers []int
}

// Source contains the attributes the report copies from the source study and
// the instances it references. Text values are Go strings in UTF-8, and the
// writer encodes them in the character set it chooses.
type Source struct {
	// Patient module.
	PatientName      string
	PatientID        string
	PatientBirthDate string
	PatientSex       string

	// General Study module. StudyInstanceUID is required.
	StudyInstanceUID       string
	StudyDate              string
	StudyTime              string
	AccessionNumber        string
	ReferringPhysicianName string
	StudyID                string

	// SpecificCharacterSet is the source's (0008,0005), empty if it had none.
	SpecificCharacterSet []string

	// Images are the source images used; at least one is required.
	Images []Image
	// Segmentations are the regions of interest used.
	Segmentations []Segmentation
	// Predecessor is the previous report of the same study, or nil.
	Predecessor *Instance
}

func checkInstance(label string, in Instance) error {
	for _, f := range []struct{ name, uid string }{
		{"Study Instance UID", in.StudyInstanceUID},
		{"Series Instance UID", in.SeriesInstanceUID},
		{"SOP Class UID", in.SOPClassUID},
		{"SOP Instance UID", in.SOPInstanceUID},
	} {
		if err := dcmuid.Check(f.uid); err != nil {
			return fmt.Errorf("%w: %s %s: %w", ErrInvalidSource, label, f.name, err)
		}
	}
	return nil
}

// validate checks s and returns an error wrapping ErrInvalidSource that
// names the first bad value.
func (s *Source) validate() error {
	if s == nil {
		return fmt.Errorf("%w: nil source", ErrInvalidSource)
	}
	if err := dcmuid.Check(s.StudyInstanceUID); err != nil {
		return fmt.Errorf("%w: Study Instance UID: %w", ErrInvalidSource, err)
	}
	if len(s.Images) == 0 {
		return fmt.Errorf("%w: no source images", ErrInvalidSource)
	}

	// Images: valid UIDs, CT or MR, one modality per series, no repeats.
	seen := map[string]bool{}
	seriesModality := map[string]string{}
	for i, im := range s.Images {
		label := fmt.Sprintf("image %d", i)
		if err := checkInstance(label, im.Instance); err != nil {
			return err
		}
		if im.Modality != "CT" && im.Modality != "MR" {
			return fmt.Errorf("%w: %s modality %q is neither CT nor MR", ErrInvalidSource, label, im.Modality)
		}
		if m, ok := seriesModality[im.SeriesInstanceUID]; ok && m != im.Modality {
			return fmt.Errorf("%w: %s modality %s differs from %s of the other images of series %s",
				ErrInvalidSource, label, im.Modality, m, im.SeriesInstanceUID)
		}
		seriesModality[im.SeriesInstanceUID] = im.Modality
		if seen[im.SOPInstanceUID] {
			return fmt.Errorf("%w: %s SOP Instance UID %s is listed twice", ErrInvalidSource, label, im.SOPInstanceUID)
		}
		seen[im.SOPInstanceUID] = true
	}

	// Segmentations: valid UIDs, Segmentation Storage, segment numbers in
	// the range of US.
	for i, sg := range s.Segmentations {
		label := fmt.Sprintf("segmentation %d", i)
		if err := checkInstance(label, sg.Instance); err != nil {
			return err
		}
		if sg.SOPClassUID != SegmentationStorage {
			return fmt.Errorf("%w: %s SOP Class UID %s is not Segmentation Storage", ErrInvalidSource, label, sg.SOPClassUID)
		}
		if len(sg.SegmentNumbers) == 0 {
			return fmt.Errorf("%w: %s has no segment number", ErrInvalidSource, label)
		}
		for _, n := range sg.SegmentNumbers {
			if n < 1 || n > 0xFFFF {
				return fmt.Errorf("%w: %s segment number %d is outside 1..65535", ErrInvalidSource, label, n)
			}
		}
		if seen[sg.SOPInstanceUID] {
			return fmt.Errorf("%w: %s SOP Instance UID %s is listed twice", ErrInvalidSource, label, sg.SOPInstanceUID)
		}
		seen[sg.SOPInstanceUID] = true
	}

	// Predecessor: a report of the same study.
	if s.Predecessor != nil {
		if err := checkInstance("predecessor", *s.Predecessor); err != nil {
			return err
		}
		if s.Predecessor.StudyInstanceUID != s.StudyInstanceUID {
			return fmt.Errorf("%w: predecessor belongs to study %s, not %s", ErrInvalidSource,
				s.Predecessor.StudyInstanceUID, s.StudyInstanceUID)
		}
	}

	// Dates, time and sex copied into the report.
	for _, v := range []struct{ name, value string }{
		{"Patient's Birth Date", s.PatientBirthDate},
		{"Study Date", s.StudyDate},
	} {
		if v.value != "" && !isDate(v.value) {
			return fmt.Errorf("%w: %s %q is not YYYYMMDD", ErrInvalidSource, v.name, v.value)
		}
	}
	if s.StudyTime != "" && !isTime(s.StudyTime) {
		return fmt.Errorf("%w: Study Time %q is not HHMMSS.FFFFFF", ErrInvalidSource, s.StudyTime)
	}
	switch s.PatientSex {
	case "", "M", "F", "O":
	default:
		return fmt.Errorf("%w: Patient's Sex %q is not M, F or O", ErrInvalidSource, s.PatientSex)
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isDate reports whether s is a DA value (PS3.5 Table 6.2-1): YYYYMMDD.
func isDate(s string) bool {
	return len(s) == 8 && isDigits(s)
}

// isTime reports whether s is a TM value: HH, HHMM or HHMMSS, optionally
// followed by a fraction of up to 6 digits.
func isTime(s string) bool {
	main, frac, hasFrac := strings.Cut(s, ".")
	if len(main) != 2 && len(main) != 4 && len(main) != 6 || !isDigits(main) {
		return false
	}
	if hasFrac {
		return len(main) == 6 && len(frac) >= 1 && len(frac) <= 6 && isDigits(frac)
	}
	return true
}
