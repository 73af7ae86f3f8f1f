package synth

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
	"github.com/suyashkumar/dicom/pkg/uid"
)

// SOP classes of the image series (PS3.4 Annex B.5).
const (
	ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
	mrImageStorage = "1.2.840.10008.5.1.4.1.1.4"
)

// implementationClassUID identifies the generator in the File Meta
// Information; it lies under the 2.25 root and was generated once.
const implementationClassUID = "2.25.262591410513412346811093718652419660711"

// ctRescaleIntercept maps the stored CT values 0 to 4095 to -1024 to 3071
// HU.
const ctRescaleIntercept = -1024

// studyInfo holds the attributes shared by every instance of a study.
type studyInfo struct {
	c                    Case
	studyUID             string
	studyDate, studyTime time.Time
	birthDate            string
	// studyID and accession are short strings (SH, at most 16 characters)
	// because the study identifier grows with the seed.
	studyID, accession string
	institution        string
	bodyPart           string
	patientPosition    string
	// laterality is "R" or "L" for a paired body part, else empty.
	laterality string
}

// seriesInfo holds the attributes shared by the instances of one series.
type seriesInfo struct {
	role         string
	header       seriesHeader
	seriesUID    string
	frameUID     string
	grid         volume.Geometry
	thickness    float64
	acquired     time.Time
	instanceUIDs []string
}

// storedValues converts slice k of an image in modality units to the 16-bit
// little-endian stored values: HU + 1024 for CT, the signal for MR, clamped
// to 12 bits.
func storedValues(v *volume.Volume, k int, ct bool) []byte {
	n := v.Size[0] * v.Size[1]
	out := make([]byte, 2*n)
	for i, x := range v.Data[k*n : (k+1)*n] {
		s := float64(x)
		if ct {
			s -= ctRescaleIntercept
		}
		s = math.Round(clamp(s, 0, 4095))
		binary.LittleEndian.PutUint16(out[2*i:], uint16(s))
	}
	return out
}

// imageDataset returns the data set of slice k of a series.
func imageDataset(st *studyInfo, se *seriesInfo, k int, pixels []byte) (dicom.Dataset, error) {
	b := &builder{}
	ct := se.role == RoleCT
	sopClass, modality := mrImageStorage, "MR"
	if ct {
		sopClass, modality = ctImageStorage, "CT"
	}
	g := se.grid
	pos := g.Position(0, 0, float64(k))
	for a := range pos {
		pos[a] = math.Round(pos[a]*1e4) / 1e4
	}
	sd, stime := st.studyDate.Format("20060102"), st.studyTime.Format("150405")
	acq := se.acquired.Add(time.Duration(k) * 700 * time.Millisecond)
	h := se.header

	elems := []*dicom.Element{
		b.el(tag.FileMetaInformationVersion, []byte{0, 1}),
		b.str(tag.MediaStorageSOPClassUID, sopClass),
		b.str(tag.MediaStorageSOPInstanceUID, se.instanceUIDs[k]),
		b.str(tag.TransferSyntaxUID, uid.ExplicitVRLittleEndian),
		b.str(tag.ImplementationClassUID, implementationClassUID),

		// Patient, General Study, Patient Study.
		b.str(tag.PatientName, "SYNTH^"+st.c.ID),
		b.str(tag.PatientID, "SYNTH-"+st.c.ID),
		b.str(tag.PatientBirthDate, st.birthDate),
		b.str(tag.PatientSex, st.c.Sex),
		b.str(tag.PatientAge, fmt.Sprintf("%03dY", st.c.Age)),
		b.str(tag.StudyInstanceUID, st.studyUID),
		b.str(tag.StudyDate, sd),
		b.str(tag.StudyTime, stime),
		b.str(tag.ReferringPhysicianName, "SYNTH^REFERRER"),
		b.str(tag.StudyID, st.studyID),
		b.str(tag.AccessionNumber, st.accession),
		b.str(tag.StudyDescription, "Synthetic phantom study"),

		// General Series, Frame of Reference, General Equipment.
		b.str(tag.Modality, modality),
		b.str(tag.SeriesInstanceUID, se.seriesUID),
		b.is(tag.SeriesNumber, h.SeriesNumber),
		b.str(tag.SeriesDescription, h.SeriesDescription),
		b.str(tag.SeriesDate, sd),
		b.str(tag.SeriesTime, se.acquired.Format("150405")),
		b.str(tag.ProtocolName, h.ProtocolName),
		b.str(tag.BodyPartExamined, st.bodyPart),
		b.str(tag.PatientPosition, st.patientPosition),
		b.str(tag.FrameOfReferenceUID, se.frameUID),
		b.str(tag.PositionReferenceIndicator),
		b.str(tag.Manufacturer, h.Manufacturer),
		b.str(tag.ManufacturerModelName, h.Model),
		b.str(tag.InstitutionName, st.institution),
		b.str(tag.StationName, "SYNTH"),
		b.str(tag.SoftwareVersions, "mdm2node synth"),

		// General Image, Image Plane, Image Pixel.
		b.str(tag.ImageType, "ORIGINAL", "PRIMARY", map[bool]string{true: "AXIAL", false: "OTHER"}[ct]),
		b.str(tag.SOPClassUID, sopClass),
		b.str(tag.SOPInstanceUID, se.instanceUIDs[k]),
		b.is(tag.InstanceNumber, k+1),
		b.is(tag.AcquisitionNumber, 1),
		b.str(tag.AcquisitionDate, sd),
		b.str(tag.AcquisitionTime, acq.Format("150405.000")),
		b.str(tag.ContentDate, sd),
		b.str(tag.ContentTime, acq.Format("150405.000")),
		b.ds(tag.ImagePositionPatient, pos[0], pos[1], pos[2]),
		b.ds(tag.ImageOrientationPatient, 1, 0, 0, 0, 1, 0),
		b.ds(tag.SliceLocation, pos[2]),
		b.ds(tag.SliceThickness, se.thickness),
		b.ds(tag.PixelSpacing, g.Spacing[1], g.Spacing[0]),
		b.ints(tag.SamplesPerPixel, 1),
		b.str(tag.PhotometricInterpretation, "MONOCHROME2"),
		b.ints(tag.Rows, g.Size[1]),
		b.ints(tag.Columns, g.Size[0]),
		b.ints(tag.BitsAllocated, 16),
		b.ints(tag.BitsStored, 12),
		b.ints(tag.HighBit, 11),
		b.ints(tag.PixelRepresentation, 0),
		b.ds(tag.WindowCenter, h.WindowCenter),
		b.ds(tag.WindowWidth, h.WindowWidth),
	}
	if st.laterality != "" {
		elems = append(elems, b.str(tag.Laterality, st.laterality))
	}
	if ct {
		elems = append(elems,
			b.str(tag.ContrastBolusAgent, "IOMEPROL 350 MG I/ML"),
			b.str(tag.ContrastBolusRoute, "IV"),
			b.ds(tag.ContrastBolusVolume, 100),
			b.str(tag.ScanOptions, "HELICAL MODE"),
			b.ds(tag.KVP, 120),
			b.ds(tag.DataCollectionDiameter, 500),
			b.ds(tag.ReconstructionDiameter, g.Spacing[0]*float64(g.Size[0])),
			b.ds(tag.GantryDetectorTilt, 0),
			b.is(tag.XRayTubeCurrent, 180),
			b.str(tag.ConvolutionKernel, h.ConvolutionKernel),
			b.ds(tag.RescaleIntercept, ctRescaleIntercept),
			b.ds(tag.RescaleSlope, 1),
			b.str(tag.RescaleType, "HU"),
		)
	} else {
		elems = append(elems,
			b.str(tag.ScanningSequence, h.ScanningSequence...),
			b.str(tag.SequenceVariant, h.SequenceVariant...),
			b.str(tag.ScanOptions, h.ScanOptions...),
			b.str(tag.MRAcquisitionType, "2D"),
			b.str(tag.SequenceName, h.SequenceName),
			b.ds(tag.RepetitionTime, h.RepetitionTime),
			b.ds(tag.EchoTime, h.EchoTime),
			b.is(tag.EchoTrainLength, h.EchoTrainLength),
			b.ds(tag.NumberOfAverages, 1),
			b.ds(tag.ImagingFrequency, math.Round(42.577478*h.FieldStrength*1e4)/1e4),
			b.str(tag.ImagedNucleus, "1H"),
			b.is(tag.EchoNumbers, 1),
			b.ds(tag.MagneticFieldStrength, h.FieldStrength),
			b.ds(tag.SpacingBetweenSlices, g.Spacing[2]),
			b.ds(tag.FlipAngle, h.FlipAngle),
			b.str(tag.InPlanePhaseEncodingDirection, "ROW"),
		)
	}
	pd := b.el(tag.PixelData, dicom.PixelDataInfo{IntentionallyUnprocessed: true, UnprocessedValueData: pixels})
	pd.RawValueRepresentation = "OW"
	elems = append(elems, pd)
	if b.err != nil {
		return dicom.Dataset{}, b.err
	}
	sortElements(elems)
	return dicom.Dataset{Elements: elems}, nil
}
