package sr

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// The QIICR dcmqi example files are three CT slices and a binary SEG of the
// liver that references exactly these slices.
const dcmqiStudyUID = "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1"

func parseShared(t *testing.T, rel string) *dicom.Dataset {
	t.Helper()
	path := testutil.SharedPath(t, filepath.Join("testdata", "dicom", rel))
	ds, err := dicom.ParseFile(path, nil, dicom.SkipPixelData())
	if err != nil {
		t.Fatalf("parse %s: %v", rel, err)
	}
	return &ds
}

func TestSourceFromDatasetsSharedCTAndSEG(t *testing.T) {
	var datasets []*dicom.Dataset
	for _, rel := range []string{
		"dcmqi/segmentations/ct-3slice/01.dcm",
		"dcmqi/segmentations/ct-3slice/02.dcm",
		"dcmqi/segmentations/ct-3slice/03.dcm",
		"dcmqi/segmentations/liver.dcm",
	} {
		datasets = append(datasets, parseShared(t, rel))
	}

	src, err := SourceFromDatasets(datasets)
	if err != nil {
		t.Fatalf("SourceFromDatasets: %v", err)
	}
	if src.StudyInstanceUID != dcmqiStudyUID {
		t.Errorf("study UID = %s, want %s", src.StudyInstanceUID, dcmqiStudyUID)
	}
	if len(src.Images) != 3 {
		t.Fatalf("%d images, want 3", len(src.Images))
	}
	for i, im := range src.Images {
		if im.Modality != "CT" || im.SOPClassUID != ctImage {
			t.Errorf("image %d = %+v, want a CT Image Storage instance", i, im)
		}
	}
	if len(src.Segmentations) != 1 {
		t.Fatalf("%d segmentations, want 1", len(src.Segmentations))
	}
	if got := src.Segmentations[0].SegmentNumbers; len(got) != 1 || got[0] != 1 {
		t.Errorf("segment numbers = %v, want [1]", got)
	}
	if src.SpecificCharacterSet != nil {
		t.Errorf("Specific Character Set = %q; the CT files have an empty one", src.SpecificCharacterSet)
	}

	// Replace the phantom's patient data with synthetic values and check
	// that the report of this real study passes DCMTK and dicom3tools.
	src.PatientName, src.PatientID, src.PatientBirthDate = "SYNTH^0100", "SYNTH0100", "19800101"
	r := testResult(ClassLipoma, ModelDeep)
	var buf bytes.Buffer
	if _, err := Write(&buf, r, src, testOptions()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	path := writeTemp(t, buf.Bytes())
	runDsrdump(t, path, false)
	runDciodvfy(t, path)
	rb := runPydicom(t, path)
	if rb.StudyUID != dcmqiStudyUID {
		t.Errorf("report study UID = %s, want %s", rb.StudyUID, dcmqiStudyUID)
	}
	if len(rb.Evidence) != 4 {
		t.Errorf("evidence lists %d instances, want 4", len(rb.Evidence))
	}
}

func TestSourceFromDatasetsRejects(t *testing.T) {
	image := func(study, modality string) *dicom.Dataset {
		els := []*dicom.Element{
			str(tag.SOPClassUID, ctImage),
			str(tag.SOPInstanceUID, "2.25.5001"),
			str(tag.StudyInstanceUID, study),
			str(tag.SeriesInstanceUID, "2.25.5002"),
			str(tag.Modality, modality),
		}
		return &dicom.Dataset{Elements: els}
	}
	cases := []struct {
		name     string
		datasets []*dicom.Dataset
	}{
		{"nil data set", []*dicom.Dataset{nil}},
		{"missing uids", []*dicom.Dataset{{Elements: []*dicom.Element{str(tag.Modality, "CT")}}}},
		{"two studies", []*dicom.Dataset{image("2.25.1", "CT"), image("2.25.2", "CT")}},
		{"ultrasound", []*dicom.Dataset{image("2.25.1", "US")}},
		{"segmentation without segments", []*dicom.Dataset{{Elements: []*dicom.Element{
			str(tag.SOPClassUID, SegmentationStorage),
			str(tag.SOPInstanceUID, "2.25.5003"),
			str(tag.StudyInstanceUID, "2.25.1"),
			str(tag.SeriesInstanceUID, "2.25.5004"),
		}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := SourceFromDatasets(c.datasets); !errors.Is(err, ErrInvalidSource) {
				t.Errorf("SourceFromDatasets error = %v, want ErrInvalidSource", err)
			}
		})
	}
}

func TestEncodeReadsBackWithCodec(t *testing.T) {
	cases := []struct {
		name    string
		charset []string
		patient string
	}{
		{"ascii", nil, "SYNTH^0001"},
		{"latin1", []string{"ISO_IR 100"}, "SYNTH^Müller"},
		{"utf8", nil, "SYNTH^Jörg=シンセ^テスト"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := testSource()
			src.SpecificCharacterSet = c.charset
			src.PatientName = c.patient
			b, written, err := Encode(testResult(ClassLipoma, ModelDeep), src, testOptions())
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			ds, err := dicom.Parse(bytes.NewReader(b), int64(len(b)), nil)
			if err != nil {
				t.Fatalf("parse the report: %v", err)
			}

			// firstString reads the parsed values as SourceFromDatasets does.
			checks := []struct {
				name string
				t    tag.Tag
				want string
			}{
				{"Patient's Name", tag.PatientName, c.patient},
				{"Study Instance UID", tag.StudyInstanceUID, studyUID},
				{"SOP Instance UID", tag.SOPInstanceUID, written.SOPInstanceUID},
				{"SOP Class UID", tag.SOPClassUID, ComprehensiveSRStorage},
				{"Modality", tag.Modality, "SR"},
			}
			for _, ch := range checks {
				if got := firstString(&ds, ch.t); got != ch.want {
					t.Errorf("%s = %q, want %q", ch.name, got, ch.want)
				}
			}
			content, err := ds.FindElementByTag(tag.ContentSequence)
			if err != nil {
				t.Fatalf("Content Sequence: %v", err)
			}
			// Language, 5 device observer items, 2 procedures, image library,
			// imaging measurements and the comment.
			if n := len(content.Value.GetValue().([]*dicom.SequenceItemValue)); n != 11 {
				t.Errorf("root Content Sequence has %d items, want 11", n)
			}
		})
	}
}
