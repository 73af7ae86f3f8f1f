package sr

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// UIDs this package writes.
const (
	// ComprehensiveSRStorage is the SOP Class UID of the report (PS3.4
	// Annex B.5).
	ComprehensiveSRStorage = "1.2.840.10008.5.1.4.1.1.88.33"
	explicitVRLittleEndian = "1.2.840.10008.1.2.1"
	// implementationClassUID identifies this writer in the File Meta
	// Information (PS3.7 Annex D.3.3.2); it is a fixed UUID-derived UID.
	implementationClassUID = "2.25.262960818931478640391957012416734203985"
	implementationVersion  = "MDM2NODE_SR_1"
	// manufacturer is the Manufacturer (0008,0070) and Device Observer
	// Manufacturer of every report.
	manufacturer = "mdm2node"
)

// Written identifies the instance Write wrote.
type Written struct {
	StudyInstanceUID  string
	SeriesInstanceUID string
	SOPClassUID       string
	SOPInstanceUID    string
}

// Write writes the report of r for the study src as a PS3.10 file to w. It
// validates everything first and writes nothing when r, src or opts is
// invalid: the error then wraps ErrInvalidResult, ErrInvalidSource or
// ErrInvalidOptions and names the value. Neither r nor src is changed.
func Write(w io.Writer, r *Result, src *Source, opts Options) (Written, error) {
	b, written, err := Encode(r, src, opts)
	if err != nil {
		return Written{}, err
	}
	if _, err := w.Write(b); err != nil {
		return Written{}, fmt.Errorf("sr: write SR %s: %w", written.SOPInstanceUID, err)
	}
	return written, nil
}

// Encode returns the PS3.10 file Write would write.
func Encode(r *Result, src *Source, opts Options) ([]byte, Written, error) {
	// 1. Validate the inputs and fill in defaults.
	if err := r.validate(); err != nil {
		return nil, Written{}, err
	}
	if err := src.validate(); err != nil {
		return nil, Written{}, err
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, Written{}, err
	}
	trackingID := r.TrackingID
	if trackingID == "" {
		trackingID = "tumour"
	}
	trackingUID := r.TrackingUID
	if trackingUID == "" {
		trackingUID = dcmuid.New()
	}
	if err := checkSourceText(src); err != nil {
		return nil, Written{}, err
	}
	if err := checkResultText(r, trackingID); err != nil {
		return nil, Written{}, err
	}

	// 2. Choose the character set from every free text the report holds.
	texts := []string{
		src.PatientName, src.PatientID, src.AccessionNumber, src.ReferringPhysicianName, src.StudyID,
		r.AlgorithmName, r.AlgorithmVersion, r.BundleID, r.TrainingData, trackingID,
		o.NodeName, o.ModelName, o.SoftwareVersion,
	}
	texts = append(texts, r.AlgorithmParameters...)
	enc := chooseCharset(src.SpecificCharacterSet, texts)

	// 3. Build the content tree and the data set.
	dev := device{name: o.NodeName, uid: o.DeviceUID, manufacturer: manufacturer, model: o.ModelName}
	root := buildContent(r, src, dev, trackingID, trackingUID)
	ds := dataset(src, o, enc, root)

	// 4. Encode it.
	var buf bytes.Buffer
	if err := dicom.Write(&buf, ds); err != nil {
		return nil, Written{}, fmt.Errorf("sr: encode SR %s: %w", o.SOPInstanceUID, err)
	}
	return buf.Bytes(), Written{
		StudyInstanceUID:  src.StudyInstanceUID,
		SeriesInstanceUID: o.SeriesInstanceUID,
		SOPClassUID:       ComprehensiveSRStorage,
		SOPInstanceUID:    o.SOPInstanceUID,
	}, nil
}

// withDefaults validates o and returns a copy with defaults filled in.
func (o Options) withDefaults() (Options, error) {
	if o.DeviceUID == "" {
		return o, fmt.Errorf("%w: missing device UID", ErrInvalidOptions)
	}

	// Defaults for the fields left empty.
	if o.ModelName == "" {
		o.ModelName = manufacturer
	}
	if o.SeriesNumber == 0 {
		o.SeriesNumber = 1
	}
	if o.InstanceNumber == 0 {
		o.InstanceNumber = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.SeriesInstanceUID == "" {
		o.SeriesInstanceUID = dcmuid.New()
	}
	if o.SOPInstanceUID == "" {
		o.SOPInstanceUID = dcmuid.New()
	}

	// UIDs, numbers and text.
	for _, u := range []struct{ name, uid string }{
		{"device UID", o.DeviceUID},
		{"Series Instance UID", o.SeriesInstanceUID},
		{"SOP Instance UID", o.SOPInstanceUID},
	} {
		if err := dcmuid.Check(u.uid); err != nil {
			return o, fmt.Errorf("%w: %s: %w", ErrInvalidOptions, u.name, err)
		}
	}
	// IS values are limited to 12 characters and the range of a 32-bit
	// signed integer (PS3.5 Table 6.2-1).
	for _, n := range []struct {
		name  string
		value int
	}{{"series number", o.SeriesNumber}, {"instance number", o.InstanceNumber}} {
		if n.value < 0 || n.value > 1<<31-1 {
			return o, fmt.Errorf("%w: %s %d is outside 0..2147483647", ErrInvalidOptions, n.name, n.value)
		}
	}
	for _, t := range []struct{ name, vr, value string }{
		{"node name", "UT", o.NodeName},
		{"model name", "LO", o.ModelName},
		{"software version", "LO", o.SoftwareVersion},
	} {
		max := 64
		if t.vr == "UT" {
			max = 0
		}
		if err := checkText(t.vr, t.value, max); err != nil {
			return o, fmt.Errorf("%w: %s: %v", ErrInvalidOptions, t.name, err)
		}
	}
	return o, nil
}

func checkSourceText(src *Source) error {
	for _, t := range []struct {
		name, vr, value string
		max             int
	}{
		{"Patient's Name", "PN", src.PatientName, 64},
		{"Patient ID", "LO", src.PatientID, 64},
		{"Accession Number", "SH", src.AccessionNumber, 16},
		{"Referring Physician's Name", "PN", src.ReferringPhysicianName, 64},
		{"Study ID", "SH", src.StudyID, 16},
	} {
		if err := checkText(t.vr, t.value, t.max); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidSource, t.name, err)
		}
	}
	return nil
}

func checkResultText(r *Result, trackingID string) error {
	values := []struct{ name, value string }{
		{"algorithm name", r.AlgorithmName},
		{"algorithm version", r.AlgorithmVersion},
		{"model bundle id", r.BundleID},
		{"training data", r.TrainingData},
		{"tracking identifier", trackingID},
	}
	for i, p := range r.AlgorithmParameters {
		values = append(values, struct{ name, value string }{fmt.Sprintf("algorithm parameter %d", i), p})
	}
	for _, v := range values {
		if err := checkText("UT", v.value, 0); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidResult, v.name, err)
		}
	}
	return nil
}

// dataset returns the data set of the report, sorted by tag, with the File
// Meta Information elements.
func dataset(src *Source, o Options, enc *textEncoder, root *item) dicom.Dataset {
	date := o.Now.Format("20060102")
	clock := o.Now.Format("150405")

	// File Meta Information (PS3.10 section 7.1).
	els := []*dicom.Element{
		newElement(tag.FileMetaInformationVersion, []byte{0x00, 0x01}),
		str(tag.MediaStorageSOPClassUID, ComprehensiveSRStorage),
		str(tag.MediaStorageSOPInstanceUID, o.SOPInstanceUID),
		str(tag.TransferSyntaxUID, explicitVRLittleEndian),
		str(tag.ImplementationClassUID, implementationClassUID),
		str(tag.ImplementationVersionName, implementationVersion),
	}

	// SOP Common module.
	if enc.charset != nil {
		els = append(els, str(tag.SpecificCharacterSet, enc.charset...))
	}
	els = append(els,
		str(tag.SOPClassUID, ComprehensiveSRStorage),
		str(tag.SOPInstanceUID, o.SOPInstanceUID),
		str(tag.InstanceCreationDate, date),
		str(tag.InstanceCreationTime, clock),
	)

	// Patient and General Study modules, copied from the source study.
	els = append(els,
		str(tag.PatientName, enc.encode(src.PatientName)),
		str(tag.PatientID, enc.encode(src.PatientID)),
		str(tag.PatientBirthDate, src.PatientBirthDate),
		str(tag.PatientSex, src.PatientSex),
		str(tag.StudyInstanceUID, src.StudyInstanceUID),
		str(tag.StudyDate, src.StudyDate),
		str(tag.StudyTime, src.StudyTime),
		str(tag.AccessionNumber, enc.encode(src.AccessionNumber)),
		str(tag.ReferringPhysicianName, enc.encode(src.ReferringPhysicianName)),
		str(tag.StudyID, enc.encode(src.StudyID)),
	)

	// SR Document Series and General Equipment modules.
	els = append(els,
		str(tag.Modality, "SR"),
		str(tag.SeriesInstanceUID, o.SeriesInstanceUID),
		str(tag.SeriesNumber, strconv.Itoa(o.SeriesNumber)),
		str(tag.SeriesDescription, "MDM2 amplification likelihood"),
		sequence(tag.ReferencedPerformedProcedureStepSequence),
		str(tag.Manufacturer, manufacturer),
		str(tag.ManufacturerModelName, enc.encode(o.ModelName)),
	)
	if o.SoftwareVersion != "" {
		els = append(els, str(tag.SoftwareVersions, enc.encode(o.SoftwareVersion)))
	}

	// SR Document General module (PS3.3 C.17.2).
	els = append(els,
		str(tag.InstanceNumber, strconv.Itoa(o.InstanceNumber)),
		str(tag.ContentDate, date),
		str(tag.ContentTime, clock),
		str(tag.CompletionFlag, "COMPLETE"),
		str(tag.VerificationFlag, "UNVERIFIED"),
		sequence(tag.PerformedProcedureCodeSequence),
	)
	evidence := make([]Instance, 0, len(src.Images)+len(src.Segmentations))
	for _, im := range src.Images {
		evidence = append(evidence, im.Instance)
	}
	for _, sg := range src.Segmentations {
		evidence = append(evidence, sg.Instance)
	}
	els = append(els, sequence(tag.CurrentRequestedProcedureEvidenceSequence, referencedInstances(evidence)...))
	if src.Predecessor != nil {
		els = append(els, sequence(tag.PredecessorDocumentsSequence, referencedInstances([]Instance{*src.Predecessor})...))
	}

	// Coding Scheme Identification Sequence for the private codes (PS3.3
	// C.12.1.1.3).
	els = append(els, sequence(tag.CodingSchemeIdentificationSequence, []*dicom.Element{
		str(tag.CodingSchemeDesignator, PrivateScheme),
		str(tag.CodingSchemeVersion, privateSchemeVersion),
		str(tag.CodingSchemeName, privateSchemeName),
		str(tag.CodingSchemeResponsibleOrganization, privateSchemeOrganization),
	}))

	// SR Document Content module: the root content item.
	els = append(els, contentElements(root, enc)...)

	sortElements(els)
	return dicom.Dataset{Elements: els}
}
