package sr

import (
	"errors"
	"fmt"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// SourceFromDatasets builds a Source from the parsed instances of one study:
// CT and MR images become Images, DICOM Segmentation instances become
// Segmentations with every segment number of their Segment Sequence
// (0062,0002). The patient and study attributes and Specific Character Set
// come from the first image. Text values are taken as the parser decoded
// them (UTF-8). Predecessor is left nil for the caller to set.
//
// The error wraps ErrInvalidSource when an instance lacks a UID, belongs to
// another study or has a modality other than CT, MR or SEG.
func SourceFromDatasets(datasets []*dicom.Dataset) (*Source, error) {
	src := &Source{}
	for i, ds := range datasets {
		if ds == nil {
			return nil, fmt.Errorf("%w: data set %d is nil", ErrInvalidSource, i)
		}
		in := Instance{
			StudyInstanceUID:  firstString(ds, tag.StudyInstanceUID),
			SeriesInstanceUID: firstString(ds, tag.SeriesInstanceUID),
			SOPClassUID:       firstString(ds, tag.SOPClassUID),
			SOPInstanceUID:    firstString(ds, tag.SOPInstanceUID),
		}
		if in.StudyInstanceUID == "" || in.SeriesInstanceUID == "" || in.SOPClassUID == "" || in.SOPInstanceUID == "" {
			return nil, fmt.Errorf("%w: data set %d lacks a study, series, SOP class or SOP instance UID", ErrInvalidSource, i)
		}
		if src.StudyInstanceUID == "" {
			src.StudyInstanceUID = in.StudyInstanceUID
		}
		if in.StudyInstanceUID != src.StudyInstanceUID {
			return nil, fmt.Errorf("%w: data set %d (SOP Instance UID %s) belongs to study %s, not %s",
				ErrInvalidSource, i, in.SOPInstanceUID, in.StudyInstanceUID, src.StudyInstanceUID)
		}

		if in.SOPClassUID == SegmentationStorage {
			numbers, err := segmentNumbers(ds)
			if err != nil {
				return nil, fmt.Errorf("%w: segmentation %s: %v", ErrInvalidSource, in.SOPInstanceUID, err)
			}
			src.Segmentations = append(src.Segmentations, Segmentation{Instance: in, SegmentNumbers: numbers})
			continue
		}
		modality := firstString(ds, tag.Modality)
		if modality != "CT" && modality != "MR" {
			return nil, fmt.Errorf("%w: data set %d (SOP Instance UID %s) has modality %q, not CT, MR or SEG",
				ErrInvalidSource, i, in.SOPInstanceUID, modality)
		}
		if len(src.Images) == 0 {
			copyStudy(src, ds)
		}
		src.Images = append(src.Images, Image{Instance: in, Modality: modality})
	}
	return src, nil
}

// copyStudy copies the Patient and General Study attributes and the
// Specific Character Set of ds into src.
func copyStudy(src *Source, ds *dicom.Dataset) {
	src.PatientName = firstString(ds, tag.PatientName)
	src.PatientID = firstString(ds, tag.PatientID)
	src.PatientBirthDate = firstString(ds, tag.PatientBirthDate)
	src.PatientSex = firstString(ds, tag.PatientSex)
	src.StudyDate = firstString(ds, tag.StudyDate)
	src.StudyTime = firstString(ds, tag.StudyTime)
	src.AccessionNumber = firstString(ds, tag.AccessionNumber)
	src.ReferringPhysicianName = firstString(ds, tag.ReferringPhysicianName)
	src.StudyID = firstString(ds, tag.StudyID)
	src.SpecificCharacterSet = nil
	for _, v := range stringValues(ds, tag.SpecificCharacterSet) {
		if v != "" {
			src.SpecificCharacterSet = append(src.SpecificCharacterSet, v)
		}
	}
}

// stringValues returns the values of a string element of ds, or nil when it is
// missing or holds no strings.
func stringValues(ds *dicom.Dataset, t tag.Tag) []string {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil || e.Value.ValueType() != dicom.Strings {
		return nil
	}
	return dicom.MustGetStrings(e.Value)
}

func firstString(ds *dicom.Dataset, t tag.Tag) string {
	values := stringValues(ds, t)
	if len(values) == 0 {
		return ""
	}
	return trimPadding(values[0])
}

// trimPadding removes the trailing space or NUL that pads odd-length values
// (PS3.5 section 6.2), in case the parser kept it.
func trimPadding(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == 0) {
		s = s[:len(s)-1]
	}
	return s
}

// segmentNumbers returns the Segment Number (0062,0004) of every item of the
// Segment Sequence (0062,0002) of a Segmentation.
func segmentNumbers(ds *dicom.Dataset) ([]int, error) {
	e, err := ds.FindElementByTag(tag.SegmentSequence)
	if err != nil {
		return nil, errors.New("missing Segment Sequence (0062,0002)")
	}
	if e.Value == nil || e.Value.ValueType() != dicom.Sequences {
		return nil, errors.New("Segment Sequence (0062,0002) is not a sequence")
	}
	var numbers []int
	for i, it := range e.Value.GetValue().([]*dicom.SequenceItemValue) {
		item := dicom.Dataset{Elements: it.GetValue().([]*dicom.Element)}
		n, err := item.FindElementByTag(tag.SegmentNumber)
		if err != nil || n.Value == nil || n.Value.ValueType() != dicom.Ints || len(dicom.MustGetInts(n.Value)) != 1 {
			return nil, fmt.Errorf("item %d of Segment Sequence (0062,0002) has no single Segment Number (0062,0004)", i)
		}
		numbers = append(numbers, dicom.MustGetInts(n.Value)[0])
	}
	if len(numbers) == 0 {
		return nil, errors.New("Segment Sequence (0062,0002) is empty")
	}
	return numbers, nil
}
