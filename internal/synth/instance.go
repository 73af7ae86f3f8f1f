package synth

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmbuild"
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
	b := &builder{Sentinel: ErrWrite}
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
		b.El(tag.FileMetaInformationVersion, []byte{0, 1}),
		b.Str(tag.MediaStorageSOPClassUID, sopClass),
		b.Str(tag.MediaStorageSOPInstanceUID, se.instanceUIDs[k]),
		b.Str(tag.TransferSyntaxUID, uid.ExplicitVRLittleEndian),
		b.Str(tag.ImplementationClassUID, implementationClassUID),

		// Patient, General Study, Patient Study.
		b.Str(tag.PatientName, "SYNTH^"+st.c.ID),
		b.Str(tag.PatientID, "SYNTH-"+st.c.ID),
		b.Str(tag.PatientBirthDate, st.birthDate),
		b.Str(tag.PatientSex, st.c.Sex),
		b.Str(tag.PatientAge, fmt.Sprintf("%03dY", st.c.Age)),
		b.Str(tag.StudyInstanceUID, st.studyUID),
		b.Str(tag.StudyDate, sd),
		b.Str(tag.StudyTime, stime),
		b.Str(tag.ReferringPhysicianName, "SYNTH^REFERRER"),
		b.Str(tag.StudyID, st.studyID),
		b.Str(tag.AccessionNumber, st.accession),
		b.Str(tag.StudyDescription, "Synthetic phantom study"),

		// General Series, Frame of Reference, General Equipment.
		b.Str(tag.Modality, modality),
		b.Str(tag.SeriesInstanceUID, se.seriesUID),
		b.IS(tag.SeriesNumber, h.SeriesNumber),
		b.Str(tag.SeriesDescription, h.SeriesDescription),
		b.Str(tag.SeriesDate, sd),
		b.Str(tag.SeriesTime, se.acquired.Format("150405")),
		b.Str(tag.ProtocolName, h.ProtocolName),
		b.Str(tag.BodyPartExamined, st.bodyPart),
		b.Str(tag.PatientPosition, st.patientPosition),
		b.Str(tag.FrameOfReferenceUID, se.frameUID),
		b.Str(tag.PositionReferenceIndicator),
		b.Str(tag.Manufacturer, h.Manufacturer),
		b.Str(tag.ManufacturerModelName, h.Model),
		b.Str(tag.InstitutionName, st.institution),
		b.Str(tag.StationName, "SYNTH"),
		b.Str(tag.SoftwareVersions, "mdm2node synth"),

		// General Image, Image Plane, Image Pixel.
		b.Str(tag.ImageType, "ORIGINAL", "PRIMARY", map[bool]string{true: "AXIAL", false: "OTHER"}[ct]),
		b.Str(tag.SOPClassUID, sopClass),
		b.Str(tag.SOPInstanceUID, se.instanceUIDs[k]),
		b.IS(tag.InstanceNumber, k+1),
		b.IS(tag.AcquisitionNumber, 1),
		b.Str(tag.AcquisitionDate, sd),
		b.Str(tag.AcquisitionTime, acq.Format("150405.000")),
		b.Str(tag.ContentDate, sd),
		b.Str(tag.ContentTime, acq.Format("150405.000")),
		b.DS(tag.ImagePositionPatient, pos[0], pos[1], pos[2]),
		b.DS(tag.ImageOrientationPatient, 1, 0, 0, 0, 1, 0),
		b.DS(tag.SliceLocation, pos[2]),
		b.DS(tag.SliceThickness, se.thickness),
		b.DS(tag.PixelSpacing, g.Spacing[1], g.Spacing[0]),
		b.Ints(tag.SamplesPerPixel, 1),
		b.Str(tag.PhotometricInterpretation, "MONOCHROME2"),
		b.Ints(tag.Rows, g.Size[1]),
		b.Ints(tag.Columns, g.Size[0]),
		b.Ints(tag.BitsAllocated, 16),
		b.Ints(tag.BitsStored, 12),
		b.Ints(tag.HighBit, 11),
		b.Ints(tag.PixelRepresentation, 0),
		b.DS(tag.WindowCenter, h.WindowCenter),
		b.DS(tag.WindowWidth, h.WindowWidth),
	}
	if st.laterality != "" {
		elems = append(elems, b.Str(tag.Laterality, st.laterality))
	}
	if ct {
		elems = append(elems,
			b.Str(tag.ContrastBolusAgent, "IOMEPROL 350 MG I/ML"),
			b.Str(tag.ContrastBolusRoute, "IV"),
			b.DS(tag.ContrastBolusVolume, 100),
			b.Str(tag.ScanOptions, "HELICAL MODE"),
			b.DS(tag.KVP, 120),
			b.DS(tag.DataCollectionDiameter, 500),
			b.DS(tag.ReconstructionDiameter, g.Spacing[0]*float64(g.Size[0])),
			b.DS(tag.GantryDetectorTilt, 0),
			b.IS(tag.XRayTubeCurrent, 180),
			b.Str(tag.ConvolutionKernel, h.ConvolutionKernel),
			b.DS(tag.RescaleIntercept, ctRescaleIntercept),
			b.DS(tag.RescaleSlope, 1),
			b.Str(tag.RescaleType, "HU"),
		)
	} else {
		elems = append(elems,
			b.Str(tag.ScanningSequence, h.ScanningSequence...),
			b.Str(tag.SequenceVariant, h.SequenceVariant...),
			b.Str(tag.ScanOptions, h.ScanOptions...),
			b.Str(tag.MRAcquisitionType, "2D"),
			b.Str(tag.SequenceName, h.SequenceName),
			b.DS(tag.RepetitionTime, h.RepetitionTime),
			b.DS(tag.EchoTime, h.EchoTime),
			b.IS(tag.EchoTrainLength, h.EchoTrainLength),
			b.DS(tag.NumberOfAverages, 1),
			b.DS(tag.ImagingFrequency, math.Round(42.577478*h.FieldStrength*1e4)/1e4),
			b.Str(tag.ImagedNucleus, "1H"),
			b.IS(tag.EchoNumbers, 1),
			b.DS(tag.MagneticFieldStrength, h.FieldStrength),
			b.DS(tag.SpacingBetweenSlices, g.Spacing[2]),
			b.DS(tag.FlipAngle, h.FlipAngle),
			b.Str(tag.InPlanePhaseEncodingDirection, "ROW"),
		)
	}
	pd := b.El(tag.PixelData, dicom.PixelDataInfo{IntentionallyUnprocessed: true, UnprocessedValueData: pixels})
	pd.RawValueRepresentation = "OW"
	elems = append(elems, pd)
	if b.Err != nil {
		return dicom.Dataset{}, b.Err
	}
	dcmbuild.SortElements(elems)
	return dicom.Dataset{Elements: elems}, nil
}
