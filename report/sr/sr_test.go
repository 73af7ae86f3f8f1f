package sr

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// UIDs of the synthetic source study. They are fixed so that failures are
// reproducible; none of them names a real study.
const (
	studyUID   = "2.25.1001"
	ctSeries   = "2.25.1002"
	t1Series   = "2.25.1003"
	t2Series   = "2.25.1004"
	segSeries  = "2.25.1005"
	prevSeries = "2.25.1006"
	ctImage    = "1.2.840.10008.5.1.4.1.1.2"
	mrImage    = "1.2.840.10008.5.1.4.1.1.4"
	deviceUID  = "2.25.1007"
	trackUID   = "2.25.1008"
	seriesUID  = "2.25.1009"
	sopUID     = "2.25.1010"
	bundleHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

func testResult(class Class, model ModelKind) *Result {
	likelihood := 0.83
	if class == ClassLipoma {
		likelihood = 0.12
	}
	return &Result{
		Likelihood:          likelihood,
		Threshold:           0.5,
		Class:               class,
		Model:               model,
		AlgorithmName:       "mdm2node",
		AlgorithmVersion:    "0.1.0",
		AlgorithmParameters: []string{"svm rbf gamma=0.01 C=1"},
		BundleID:            "demo-bundle-1",
		BundleSHA256:        bundleHash,
		TrainingData:        "demonstration model trained on synthetic phantom studies",
		TrackingUID:         trackUID,
	}
}

func testSource() *Source {
	return &Source{
		PatientName:            "SYNTH^0001",
		PatientID:              "SYNTH0001",
		PatientBirthDate:       "19780315",
		PatientSex:             "F",
		StudyInstanceUID:       studyUID,
		StudyDate:              "20260110",
		StudyTime:              "093000",
		AccessionNumber:        "SYNACC1",
		ReferringPhysicianName: "SYNTH^REFERRER",
		StudyID:                "S1",
		Images: []Image{
			{Instance{studyUID, ctSeries, ctImage, "2.25.2001"}, "CT"},
			{Instance{studyUID, ctSeries, ctImage, "2.25.2002"}, "CT"},
			{Instance{studyUID, t1Series, mrImage, "2.25.2003"}, "MR"},
			{Instance{studyUID, t2Series, mrImage, "2.25.2004"}, "MR"},
		},
		Segmentations: []Segmentation{
			{Instance{studyUID, segSeries, SegmentationStorage, "2.25.3001"}, []int{1}},
			{Instance{studyUID, segSeries, SegmentationStorage, "2.25.3002"}, []int{1, 2}},
		},
	}
}

func testOptions() Options {
	return Options{
		NodeName:          "MDM2NODE",
		DeviceUID:         deviceUID,
		SoftwareVersion:   "0.1.0",
		SeriesNumber:      901,
		InstanceNumber:    1,
		Now:               time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		SeriesInstanceUID: seriesUID,
		SOPInstanceUID:    sopUID,
	}
}

// node is one content item as testdata/read_sr.py prints it.
type node struct {
	Depth        int    `json:"depth"`
	Relationship string `json:"relationship"`
	ValueType    string `json:"value_type"`
	Concept      string `json:"concept"`
	Value        string `json:"value"`
	Template     string `json:"template"`
}

// readBack is the output of testdata/read_sr.py.
type readBack struct {
	TransferSyntax     string     `json:"transfer_syntax"`
	MediaSOPClass      string     `json:"media_sop_class"`
	Charset            string     `json:"charset"`
	PatientName        string     `json:"patient_name"`
	PatientID          string     `json:"patient_id"`
	PatientBirthDate   string     `json:"patient_birth_date"`
	PatientSex         string     `json:"patient_sex"`
	StudyUID           string     `json:"study_uid"`
	StudyDate          string     `json:"study_date"`
	StudyTime          string     `json:"study_time"`
	AccessionNumber    string     `json:"accession_number"`
	ReferringPhysician string     `json:"referring_physician"`
	StudyID            string     `json:"study_id"`
	SeriesUID          string     `json:"series_uid"`
	SOPClass           string     `json:"sop_class"`
	SOPUID             string     `json:"sop_uid"`
	Modality           string     `json:"modality"`
	Manufacturer       string     `json:"manufacturer"`
	Completion         string     `json:"completion"`
	Verification       string     `json:"verification"`
	ContentDate        string     `json:"content_date"`
	ContentTime        string     `json:"content_time"`
	CodingSchemes      []string   `json:"coding_schemes"`
	Evidence           [][]string `json:"evidence"`
	Predecessors       [][]string `json:"predecessors"`
	Tree               []node     `json:"tree"`
}

// expectedTree returns the content tree the report of r and src must have,
// written out here from docs/SR.md rather than from the package's code
// table, so that a wrong code in the package fails the test.
func expectedTree(r *Result, src *Source, numeric, threshold string) []node {
	n := func(depth int, rel, vt, concept, value string) node {
		return node{Depth: depth, Relationship: rel, ValueType: vt, Concept: concept, Value: value}
	}
	root := n(0, "", "CONTAINER", "126000|DCM|Imaging Measurement Report", "SEPARATE")
	root.Template = "1500"
	tree := []node{
		root,
		n(1, "HAS CONCEPT MOD", "CODE", "121049|DCM|Language of Content Item and Descendants", "en-US|RFC5646|English (United States)"),
		n(1, "HAS OBS CONTEXT", "CODE", "121005|DCM|Observer Type", "121007|DCM|Device"),
		n(1, "HAS OBS CONTEXT", "UIDREF", "121012|DCM|Device Observer UID", deviceUID),
		n(1, "HAS OBS CONTEXT", "TEXT", "121013|DCM|Device Observer Name", "MDM2NODE"),
		n(1, "HAS OBS CONTEXT", "TEXT", "121014|DCM|Device Observer Manufacturer", "mdm2node"),
		n(1, "HAS OBS CONTEXT", "TEXT", "121015|DCM|Device Observer Model Name", "mdm2node"),
		n(1, "HAS CONCEPT MOD", "CODE", "121058|DCM|Procedure reported", "25045-6|LN|CT unspecified body region"),
		n(1, "HAS CONCEPT MOD", "CODE", "121058|DCM|Procedure reported", "25056-3|LN|MRI unspecified body region"),
		n(1, "CONTAINS", "CONTAINER", "111028|DCM|Image Library", "SEPARATE"),
		n(2, "CONTAINS", "CONTAINER", "126200|DCM|Image Library Group", "SEPARATE"),
		n(3, "HAS ACQ CONTEXT", "CODE", "121139|DCM|Modality", "CT|DCM|Computed Tomography"),
		n(3, "CONTAINS", "IMAGE", "", ctImage+"|2.25.2001"),
		n(3, "CONTAINS", "IMAGE", "", ctImage+"|2.25.2002"),
		n(2, "CONTAINS", "CONTAINER", "126200|DCM|Image Library Group", "SEPARATE"),
		n(3, "HAS ACQ CONTEXT", "CODE", "121139|DCM|Modality", "MR|DCM|Magnetic Resonance"),
		n(3, "CONTAINS", "IMAGE", "", mrImage+"|2.25.2003"),
		n(2, "CONTAINS", "CONTAINER", "126200|DCM|Image Library Group", "SEPARATE"),
		n(3, "HAS ACQ CONTEXT", "CODE", "121139|DCM|Modality", "MR|DCM|Magnetic Resonance"),
		n(3, "CONTAINS", "IMAGE", "", mrImage+"|2.25.2004"),
		n(1, "CONTAINS", "CONTAINER", "126010|DCM|Imaging Measurements", "SEPARATE"),
	}
	group := n(2, "CONTAINS", "CONTAINER", "125007|DCM|Measurement Group", "SEPARATE")
	group.Template = "1501"
	class := "46720004|SCT|Lipoma"
	if r.Class == ClassWellDifferentiatedLiposarcoma {
		class = "55448002|SCT|Well differentiated liposarcoma"
	}
	model := map[ModelKind]string{
		ModelDeep:      "MODEL-DEEP|99MDM2|Deep features model",
		ModelRadiomics: "MODEL-RADIOMICS|99MDM2|Radiomics model",
		ModelNomogram:  "MODEL-NOMOGRAM|99MDM2|Integrated nomogram",
	}[r.Model]
	tree = append(tree,
		group,
		n(3, "HAS OBS CONTEXT", "TEXT", "112039|DCM|Tracking Identifier", "tumour"),
		n(3, "HAS OBS CONTEXT", "UIDREF", "112040|DCM|Tracking Unique Identifier", trackUID),
		n(3, "CONTAINS", "CODE", "121071|DCM|Finding", "4147007|SCT|Mass"),
		n(3, "HAS CONCEPT MOD", "CODE", "363698007|SCT|Finding Site", "87784001|SCT|Soft tissue"),
		n(3, "CONTAINS", "IMAGE", "121191|DCM|Referenced Segment", SegmentationStorage+"|2.25.3001|1"),
		n(3, "CONTAINS", "IMAGE", "121191|DCM|Referenced Segment", SegmentationStorage+"|2.25.3002|1,2"),
		n(3, "CONTAINS", "NUM", "MDM2-LIKELIHOOD|99MDM2|Likelihood of MDM2 amplification", numeric),
		n(4, "HAS CONCEPT MOD", "TEXT", "111001|DCM|Algorithm Name", "mdm2node"),
		n(4, "HAS CONCEPT MOD", "TEXT", "111003|DCM|Algorithm Version", "0.1.0"),
		n(4, "HAS CONCEPT MOD", "TEXT", "111002|DCM|Algorithm Parameters", "model bundle id: demo-bundle-1"),
		n(4, "HAS CONCEPT MOD", "TEXT", "111002|DCM|Algorithm Parameters", "model bundle sha256: "+bundleHash),
		n(4, "HAS CONCEPT MOD", "TEXT", "111002|DCM|Algorithm Parameters", "svm rbf gamma=0.01 C=1"),
		n(3, "CONTAINS", "NUM", "MDM2-THRESHOLD|99MDM2|MDM2 amplification decision threshold", threshold),
		n(3, "CONTAINS", "CODE", "MDM2-CLASS|99MDM2|Predicted class", class),
		n(3, "CONTAINS", "CODE", "MDM2-MODEL|99MDM2|Contributing model", model),
		n(1, "CONTAINS", "TEXT", "121106|DCM|Comment", disclaimerText(r)),
	)
	return tree
}

func disclaimerText(r *Result) string {
	return "This result is not a diagnosis. The likelihood of MDM2 amplification comes from the " +
		r.Model.String() + " model of mdm2node 0.1.0, which was trained on " +
		"demonstration model trained on synthetic phantom studies. " +
		"MDM2 amplification is confirmed by FISH on tissue."
}

// dsrdumpUTF8Notice is the one line DCMTK 3.6.7 dsrdump writes for every
// file in ISO_IR 192: its VR checker skips text in UTF-8. It reports a check
// that did not run, not a finding; checkText covers the same rules.
const dsrdumpUTF8Notice = "W: The VR checker does not support this Specific Character Set: ISO_IR 192"

// runDsrdump checks the file with DCMTK dsrdump and fails on any error or
// warning, on stderr or in the dump, except dsrdumpUTF8Notice when utf8 is
// set. With -Ee dsrdump reports content item errors as warnings instead of
// stopping at the first.
func runDsrdump(t *testing.T, path string, utf8 bool) string {
	t.Helper()
	tool := testutil.RequireTool(t, "dsrdump")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tool, "-Ee", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dsrdump %s: %v\nstderr:\n%s", path, err, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && !(utf8 && line == dsrdumpUTF8Notice) {
			t.Errorf("dsrdump %s: stderr: %s", path, line)
		}
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "W:") || strings.HasPrefix(line, "E:") {
			t.Errorf("dsrdump %s: %s", path, line)
		}
	}
	return stdout.String()
}

// allowedDciodvfyWarnings are the dciodvfy warnings a report may produce.
// dicom3tools checks Coding Scheme Designator against the defined terms of
// PS3.16, so it does not know private designators such as 99MDM2. PS3.3
// C.12.1.1.3 allows them when the Coding Scheme Identification Sequence
// declares them, as docs/SR.md explains.
var allowedDciodvfyWarnings = []*regexp.Regexp{
	regexp.MustCompile(`^Warning - Unrecognized defined term <99MDM2> for value 1 of attribute <Coding Scheme Designator>$`),
}

// runDciodvfy checks the file with dicom3tools dciodvfy and fails on any
// error or on a warning that is not in allowedDciodvfyWarnings.
func runDciodvfy(t *testing.T, path string) {
	t.Helper()
	tool := testutil.RequireTool(t, "dciodvfy")
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil {
		t.Errorf("dciodvfy %s: %v", path, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		allowed := line == "ComprehensiveSR"
		for _, re := range allowedDciodvfyWarnings {
			allowed = allowed || re.MatchString(line)
		}
		if !allowed {
			t.Errorf("dciodvfy %s: %s", path, line)
		}
	}
}

// runPydicom reads the file back with Debian's pydicom.
func runPydicom(t *testing.T, path string) readBack {
	t.Helper()
	py := testutil.RequirePython(t, "pydicom")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, filepath.Join("testdata", "read_sr.py"), path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("read_sr.py %s: %v\n%s", path, err, stderr.String())
	}
	var rb readBack
	if err := json.Unmarshal(stdout.Bytes(), &rb); err != nil {
		t.Fatalf("read_sr.py output: %v\n%s", err, stdout.String())
	}
	return rb
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sr.dcm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteReportChecksOut(t *testing.T) {
	cases := []struct {
		name        string
		class       Class
		model       ModelKind
		patientName string
		charset     []string
		wantCharset string
		predecessor bool
		// likelihood replaces the default of testResult when not zero, and
		// numeric is then the NUM value read back.
		likelihood float64
		numeric    string
	}{
		{name: "wdlps deep ascii", class: ClassWellDifferentiatedLiposarcoma, model: ModelDeep,
			patientName: "SYNTH^0001", wantCharset: ""},
		{name: "lipoma radiomics", class: ClassLipoma, model: ModelRadiomics,
			patientName: "SYNTH^0002", charset: []string{"ISO_IR 100"}, wantCharset: "ISO_IR 100"},
		{name: "utf8 name without charset", class: ClassWellDifferentiatedLiposarcoma, model: ModelNomogram,
			patientName: "SYNTH^Jörg=シンセ^テスト", wantCharset: "ISO_IR 192"},
		{name: "utf8 name in ISO_IR 192", class: ClassLipoma, model: ModelDeep,
			patientName: "SYNTH^Zoë", charset: []string{"ISO_IR 192"}, wantCharset: "ISO_IR 192"},
		{name: "latin1 name in ISO_IR 100", class: ClassLipoma, model: ModelDeep,
			patientName: "SYNTH^Müller", charset: []string{"ISO_IR 100"}, wantCharset: "ISO_IR 100"},
		{name: "non-latin1 name in ISO_IR 100", class: ClassLipoma, model: ModelDeep,
			patientName: "SYNTH^Łukasz", charset: []string{"ISO_IR 100"}, wantCharset: "ISO_IR 192"},
		{name: "predecessor", class: ClassWellDifferentiatedLiposarcoma, model: ModelDeep,
			patientName: "SYNTH^0003", predecessor: true},
		{name: "likelihood beyond DS precision", class: ClassLipoma, model: ModelRadiomics,
			patientName: "SYNTH^0004", likelihood: 1.0 / 3, numeric: "0.33333333333333|1|UCUM|no units|fp=0.3333333333333333"},
		{name: "likelihood 1", class: ClassWellDifferentiatedLiposarcoma, model: ModelDeep,
			patientName: "SYNTH^0005", likelihood: 1, numeric: "1|1|UCUM|no units"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := testResult(c.class, c.model)
			if c.likelihood != 0 {
				r.Likelihood = c.likelihood
			}
			src := testSource()
			src.PatientName = c.patientName
			src.SpecificCharacterSet = c.charset
			prev := Instance{studyUID, prevSeries, ComprehensiveSRStorage, "2.25.4001"}
			if c.predecessor {
				src.Predecessor = &prev
			}

			var buf bytes.Buffer
			written, err := Write(&buf, r, src, testOptions())
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if written.SOPInstanceUID != sopUID || written.SeriesInstanceUID != seriesUID || written.StudyInstanceUID != studyUID {
				t.Errorf("Write returned %+v", written)
			}
			path := writeTemp(t, buf.Bytes())

			dump := runDsrdump(t, path, c.wantCharset == "ISO_IR 192")
			if !strings.Contains(dump, "Comprehensive SR Document") {
				t.Errorf("dsrdump does not name a Comprehensive SR:\n%s", dump)
			}
			runDciodvfy(t, path)
			rb := runPydicom(t, path)

			checkHeader(t, rb, src, c.wantCharset)
			wantPrev := [][]string(nil)
			if c.predecessor {
				wantPrev = [][]string{{studyUID, prevSeries, ComprehensiveSRStorage, "2.25.4001"}}
			}
			if !equalRows(rb.Predecessors, wantPrev) {
				t.Errorf("predecessors = %v, want %v", rb.Predecessors, wantPrev)
			}

			numeric := map[Class]string{ClassLipoma: "0.12", ClassWellDifferentiatedLiposarcoma: "0.83"}[c.class] + "|1|UCUM|no units"
			if c.numeric != "" {
				numeric = c.numeric
			}
			checkTree(t, rb.Tree, expectedTree(r, src, numeric, "0.5|1|UCUM|no units"))
		})
	}
}

func checkHeader(t *testing.T, rb readBack, src *Source, wantCharset string) {
	t.Helper()
	fields := []struct{ name, got, want string }{
		{"transfer syntax", rb.TransferSyntax, "1.2.840.10008.1.2.1"},
		{"media SOP class", rb.MediaSOPClass, "1.2.840.10008.5.1.4.1.1.88.33"},
		{"SOP class", rb.SOPClass, "1.2.840.10008.5.1.4.1.1.88.33"},
		{"charset", rb.Charset, wantCharset},
		{"patient name", rb.PatientName, src.PatientName},
		{"patient id", rb.PatientID, "SYNTH0001"},
		{"birth date", rb.PatientBirthDate, "19780315"},
		{"sex", rb.PatientSex, "F"},
		{"study uid", rb.StudyUID, studyUID},
		{"study date", rb.StudyDate, "20260110"},
		{"study time", rb.StudyTime, "093000"},
		{"accession", rb.AccessionNumber, "SYNACC1"},
		{"referring physician", rb.ReferringPhysician, "SYNTH^REFERRER"},
		{"study id", rb.StudyID, "S1"},
		{"series uid", rb.SeriesUID, seriesUID},
		{"sop uid", rb.SOPUID, sopUID},
		{"modality", rb.Modality, "SR"},
		{"manufacturer", rb.Manufacturer, "mdm2node"},
		{"completion", rb.Completion, "COMPLETE"},
		{"verification", rb.Verification, "UNVERIFIED"},
		{"content date", rb.ContentDate, "20260304"},
		{"content time", rb.ContentTime, "050607"},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if len(rb.CodingSchemes) != 1 || rb.CodingSchemes[0] != "99MDM2" {
		t.Errorf("coding schemes = %v, want [99MDM2]", rb.CodingSchemes)
	}
	wantEvidence := [][]string{
		{studyUID, ctSeries, ctImage, "2.25.2001"},
		{studyUID, ctSeries, ctImage, "2.25.2002"},
		{studyUID, t1Series, mrImage, "2.25.2003"},
		{studyUID, t2Series, mrImage, "2.25.2004"},
		{studyUID, segSeries, SegmentationStorage, "2.25.3001"},
		{studyUID, segSeries, SegmentationStorage, "2.25.3002"},
	}
	if !equalRows(rb.Evidence, wantEvidence) {
		t.Errorf("evidence = %v, want %v", rb.Evidence, wantEvidence)
	}
}

func checkTree(t *testing.T, got, want []node) {
	t.Helper()
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Errorf("content item %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Errorf("content tree has %d items, want %d", len(got), len(want))
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return false
		}
	}
	return true
}

func TestWriteRejectsBadInput(t *testing.T) {
	cases := []struct {
		name   string
		change func(r *Result, s *Source, o *Options)
		want   error
		detail string
	}{
		{"likelihood below 0", func(r *Result, s *Source, o *Options) { r.Likelihood = -0.01 }, ErrInvalidResult, "outside [0, 1]"},
		{"likelihood above 1", func(r *Result, s *Source, o *Options) { r.Likelihood = 1.5 }, ErrInvalidResult, "outside [0, 1]"},
		{"likelihood NaN", func(r *Result, s *Source, o *Options) { r.Likelihood = math.NaN() }, ErrInvalidResult, "likelihood NaN"},
		{"threshold infinite", func(r *Result, s *Source, o *Options) { r.Threshold = math.Inf(1) }, ErrInvalidResult, "threshold"},
		{"class disagrees", func(r *Result, s *Source, o *Options) { r.Class = ClassLipoma }, ErrInvalidResult, "disagrees"},
		{"unknown class", func(r *Result, s *Source, o *Options) { r.Class = 7 }, ErrInvalidResult, "unknown class"},
		{"unknown model", func(r *Result, s *Source, o *Options) { r.Model = 0 }, ErrInvalidResult, "unknown model"},
		{"short sha256", func(r *Result, s *Source, o *Options) { r.BundleSHA256 = "abc" }, ErrInvalidResult, "SHA-256"},
		{"no training data", func(r *Result, s *Source, o *Options) { r.TrainingData = " " }, ErrInvalidResult, "training data"},
		{"invalid tracking uid", func(r *Result, s *Source, o *Options) { r.TrackingUID = "1.2.x" }, ErrInvalidResult, "tracking UID"},
		{"empty source list", func(r *Result, s *Source, o *Options) { s.Images = nil }, ErrInvalidSource, "no source images"},
		{"invalid study uid", func(r *Result, s *Source, o *Options) { s.StudyInstanceUID = "1.02.3" }, ErrInvalidSource, "leading zero"},
		{"invalid image uid", func(r *Result, s *Source, o *Options) { s.Images[1].SOPInstanceUID = "2.25.abc" }, ErrInvalidSource, "image 1 SOP Instance UID"},
		{"duplicate image", func(r *Result, s *Source, o *Options) { s.Images[1] = s.Images[0] }, ErrInvalidSource, "listed twice"},
		{"other modality", func(r *Result, s *Source, o *Options) { s.Images[0].Modality = "US" }, ErrInvalidSource, "neither CT nor MR"},
		{"segmentation class", func(r *Result, s *Source, o *Options) { s.Segmentations[0].SOPClassUID = ctImage }, ErrInvalidSource, "not Segmentation Storage"},
		{"segment number 0", func(r *Result, s *Source, o *Options) { s.Segmentations[0].SegmentNumbers = []int{0} }, ErrInvalidSource, "segment number 0"},
		{"predecessor of other study", func(r *Result, s *Source, o *Options) {
			s.Predecessor = &Instance{"2.25.9", prevSeries, ComprehensiveSRStorage, "2.25.4001"}
		}, ErrInvalidSource, "predecessor belongs to study"},
		{"backslash in patient id", func(r *Result, s *Source, o *Options) { s.PatientID = `A\B` }, ErrInvalidSource, "backslash"},
		{"long accession number", func(r *Result, s *Source, o *Options) { s.AccessionNumber = strings.Repeat("A", 17) }, ErrInvalidSource, "Accession Number"},
		{"bad study date", func(r *Result, s *Source, o *Options) { s.StudyDate = "2026-01-10" }, ErrInvalidSource, "YYYYMMDD"},
		{"invalid utf-8", func(r *Result, s *Source, o *Options) { s.PatientName = "SYNTH^\xff" }, ErrInvalidSource, "UTF-8"},
		{"missing device uid", func(r *Result, s *Source, o *Options) { o.DeviceUID = "" }, ErrInvalidOptions, "device UID"},
		{"invalid sop uid", func(r *Result, s *Source, o *Options) { o.SOPInstanceUID = "abc" }, ErrInvalidOptions, "SOP Instance UID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := testResult(ClassWellDifferentiatedLiposarcoma, ModelDeep)
			src := testSource()
			opts := testOptions()
			c.change(r, src, &opts)

			var buf bytes.Buffer
			_, err := Write(&buf, r, src, opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("Write error = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.detail) {
				t.Errorf("Write error %q does not mention %q", err, c.detail)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestWriteKeepsInputs(t *testing.T) {
	r := testResult(ClassLipoma, ModelDeep)
	r.TrackingUID = ""
	src := testSource()
	src.SpecificCharacterSet = []string{"ISO_IR 100"}
	src.PatientName = "SYNTH^Müller"
	before, _ := json.Marshal(struct {
		R *Result
		S *Source
	}{r, src})
	if _, _, err := Encode(r, src, testOptions()); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(struct {
		R *Result
		S *Source
	}{r, src})
	if !bytes.Equal(before, after) {
		t.Errorf("Encode changed its inputs:\nbefore %s\nafter  %s", before, after)
	}
}

func TestWriteFreshUIDs(t *testing.T) {
	opts := testOptions()
	opts.SeriesInstanceUID, opts.SOPInstanceUID = "", ""
	r := testResult(ClassLipoma, ModelDeep)
	r.TrackingUID = ""
	_, first, err := Encode(r, testSource(), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := Encode(r, testSource(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.SOPInstanceUID == second.SOPInstanceUID || first.SeriesInstanceUID == second.SeriesInstanceUID {
		t.Errorf("two reports share UIDs: %+v and %+v", first, second)
	}
	if first.StudyInstanceUID != studyUID {
		t.Errorf("study UID = %s, want %s", first.StudyInstanceUID, studyUID)
	}
}
