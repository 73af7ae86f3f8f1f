package segwrite

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmbuild"
	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
	"github.com/suyashkumar/dicom/pkg/uid"
)

// gridTolerance is the largest difference, in millimetres and cosine units,
// accepted between the mask's grid and the source grid.
const gridTolerance = 1e-3

// implementationClassUID identifies this writer in the File Meta
// Information. It lies under the 2.25 root and was generated once.
const implementationClassUID = "2.25.195877437542218745311981283514925407451"

// patientStudyTags are copied from the source header; a missing one is
// written empty because every one of them is Type 2 or Type 3.
var patientStudyTags = []tag.Tag{
	tag.SpecificCharacterSet,
	tag.StudyDate,
	tag.StudyTime,
	tag.AccessionNumber,
	tag.ReferringPhysicianName,
	tag.StudyDescription,
	tag.PatientName,
	tag.PatientID,
	tag.PatientBirthDate,
	tag.PatientSex,
	tag.PatientAge,
	tag.StudyID,
}

// optionalTags are copied only when the source header has them.
var optionalTags = map[tag.Tag]bool{
	tag.SpecificCharacterSet: true,
	tag.StudyDescription:     true,
	tag.PatientAge:           true,
}

// WriteFile writes the SEG to path; see Write.
func WriteFile(path string, src Source, mask *volume.Mask, seg Segment, opts Options) (Result, error) {
	f, err := os.Create(path)
	if err != nil {
		return Result{}, fmt.Errorf("segwrite: %w", err)
	}
	bw := bufio.NewWriter(f)
	res, err := Write(bw, src, mask, seg, opts)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("segwrite: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
		return Result{}, err
	}
	return res, nil
}

// Write encodes mask as a binary SEG instance of one segment referencing the
// source series and writes it to w as a Part 10 file. The mask must lie on
// the source grid. It returns ErrSource, ErrMask or ErrSegment for invalid
// input and ErrEncode when the codec fails. Neither mask nor src is
// modified.
func Write(w io.Writer, src Source, mask *volume.Mask, seg Segment, opts Options) (Result, error) {
	// 1. Check the input.
	seg = seg.withDefaults()
	if err := seg.validate(); err != nil {
		return Result{}, err
	}
	if err := src.validate(); err != nil {
		return Result{}, err
	}
	if mask == nil {
		return Result{}, fmt.Errorf("%w: nil mask", ErrMask)
	}
	if err := mask.Check(); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrMask, err)
	}
	if !mask.SameGrid(src.Geometry, gridTolerance) {
		return Result{}, fmt.Errorf("%w: mask grid %v differs from the source grid %v", ErrMask, mask.Size, src.Geometry.Size)
	}

	// 2. Choose the frames: every slice, or the slices with region voxels.
	slices := frameSlices(mask, opts.AllFrames)
	if len(slices) == 0 {
		return Result{}, fmt.Errorf("%w: no region voxels", ErrMask)
	}
	pixels, voxels := packFrames(mask.Data, mask.Size[0], mask.Size[1], slices)

	// 3. Build the data set.
	res := Result{
		SeriesInstanceUID: opts.SeriesInstanceUID,
		SOPInstanceUID:    opts.SOPInstanceUID,
		Frames:            len(slices),
		Slices:            slices,
		Voxels:            voxels,
	}
	if res.SeriesInstanceUID == "" {
		res.SeriesInstanceUID = dcmuid.New()
	}
	if res.SOPInstanceUID == "" {
		res.SOPInstanceUID = dcmuid.New()
	}
	uids := []string{res.SeriesInstanceUID, res.SOPInstanceUID}
	if opts.DimensionOrganizationUID != "" {
		uids = append(uids, opts.DimensionOrganizationUID)
	}
	for _, u := range uids {
		if err := dcmuid.Check(u); err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrSegment, err)
		}
	}
	ds, err := buildDataset(src, seg, opts, res, pixels)
	if err != nil {
		return Result{}, err
	}

	// 4. Encode.
	if err := dicom.Write(w, ds); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrEncode, err)
	}
	return res, nil
}

func (s Source) validate() error {
	if s.Header == nil {
		return fmt.Errorf("%w: no header data set", ErrSource)
	}
	if err := s.Geometry.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrSource, err)
	}
	if len(s.Instances) != s.Geometry.Size[2] {
		return fmt.Errorf("%w: %d instances for %d slices", ErrSource, len(s.Instances), s.Geometry.Size[2])
	}
	if err := dcmuid.Check(s.SeriesInstanceUID); err != nil {
		return fmt.Errorf("%w: series instance UID: %v", ErrSource, err)
	}
	if err := dcmuid.Check(s.FrameOfReferenceUID); err != nil {
		return fmt.Errorf("%w: frame of reference UID: %v", ErrSource, err)
	}
	if err := dcmuid.Check(headerString(s.Header, tag.StudyInstanceUID)); err != nil {
		return fmt.Errorf("%w: study instance UID: %v", ErrSource, err)
	}
	for k, in := range s.Instances {
		if err := dcmuid.Check(in.SOPClassUID); err != nil {
			return fmt.Errorf("%w: slice %d SOP class UID: %v", ErrSource, k, err)
		}
		if err := dcmuid.Check(in.SOPInstanceUID); err != nil {
			return fmt.Errorf("%w: slice %d SOP instance UID: %v", ErrSource, k, err)
		}
	}
	return nil
}

func frameSlices(mask *volume.Mask, all bool) []int {
	frame := mask.Size[0] * mask.Size[1]
	var slices []int
	for k := 0; k < mask.Size[2]; k++ {
		if all {
			slices = append(slices, k)
			continue
		}
		for _, v := range mask.Data[k*frame : (k+1)*frame] {
			if v != 0 {
				slices = append(slices, k)
				break
			}
		}
	}
	return slices
}

// headerString returns the first value of a string attribute of the
// header, trimmed of padding, or "" when it is absent.
func headerString(ds *dicom.Dataset, t tag.Tag) string {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return ""
	}
	v, ok := e.Value.GetValue().([]string)
	if !ok || len(v) == 0 {
		return ""
	}
	return strings.TrimRight(v[0], " \x00")
}

// copyStrings returns all values of a string attribute of the header, or
// nil when it is absent or not a string.
func copyStrings(ds *dicom.Dataset, t tag.Tag) []string {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return nil
	}
	v, ok := e.Value.GetValue().([]string)
	if !ok {
		return nil
	}
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.TrimRight(s, " \x00")
	}
	return out
}

func buildDataset(src Source, seg Segment, opts Options, res Result, pixels []byte) (dicom.Dataset, error) {
	b := newBuilder()
	g := src.Geometry
	now := opts.Time
	if now.IsZero() {
		now = time.Now()
	}
	date, clock := now.Format("20060102"), now.Format("150405")
	thickness := src.SliceThickness
	if thickness <= 0 {
		thickness = g.Spacing[2]
	}
	orientation := []float64{g.Axes[0][0], g.Axes[0][1], g.Axes[0][2], g.Axes[1][0], g.Axes[1][1], g.Axes[1][2]}
	equipment := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	contentLabel := opts.ContentLabel
	if contentLabel == "" {
		contentLabel = "ROI"
	}
	seriesNumber := opts.SeriesNumber
	if seriesNumber <= 0 {
		seriesNumber = 1
	}
	instanceNumber := opts.InstanceNumber
	if instanceNumber <= 0 {
		instanceNumber = 1
	}
	dimOrg := opts.DimensionOrganizationUID
	if dimOrg == "" {
		dimOrg = dcmuid.New()
	}

	elems := []*dicom.Element{
		// File Meta Information (PS3.10 7.1).
		b.El(tag.FileMetaInformationVersion, []byte{0, 1}),
		b.Str(tag.MediaStorageSOPClassUID, SOPClassUID),
		b.Str(tag.MediaStorageSOPInstanceUID, res.SOPInstanceUID),
		b.Str(tag.TransferSyntaxUID, uid.ExplicitVRLittleEndian),
		b.Str(tag.ImplementationClassUID, implementationClassUID),

		// SOP Common, General Series, Segmentation Series, Frame of
		// Reference and Enhanced General Equipment modules.
		b.Str(tag.ImageType, "DERIVED", "PRIMARY"),
		b.Str(tag.SOPClassUID, SOPClassUID),
		b.Str(tag.SOPInstanceUID, res.SOPInstanceUID),
		b.Str(tag.InstanceCreationDate, date),
		b.Str(tag.InstanceCreationTime, clock),
		b.Str(tag.SeriesDate, date),
		b.Str(tag.SeriesTime, clock),
		b.Str(tag.ContentDate, date),
		b.Str(tag.ContentTime, clock),
		b.Str(tag.Modality, "SEG"),
		b.Str(tag.Manufacturer, equipment(opts.Manufacturer, "mdm2node")),
		b.Str(tag.SeriesDescription, equipment(opts.SeriesDescription, "Segmentation")),
		b.Str(tag.ManufacturerModelName, equipment(opts.ManufacturerModelName, "mdm2node segwrite")),
		b.Str(tag.DeviceSerialNumber, equipment(opts.DeviceSerialNumber, "0")),
		b.Str(tag.SoftwareVersions, equipment(opts.SoftwareVersions, "1")),
		b.Str(tag.StudyInstanceUID, headerString(src.Header, tag.StudyInstanceUID)),
		b.Str(tag.SeriesInstanceUID, res.SeriesInstanceUID),
		b.IS(tag.SeriesNumber, seriesNumber),
		b.IS(tag.InstanceNumber, instanceNumber),
		b.Str(tag.FrameOfReferenceUID, src.FrameOfReferenceUID),
		b.Str(tag.PositionReferenceIndicator),

		// Segmentation Image module (PS3.3 C.8.20.2).
		b.Str(tag.ContentLabel, contentLabel),
		b.Str(tag.ContentDescription, seg.Label),
		b.Str(tag.ContentCreatorName, opts.ContentCreatorName),
		b.Ints(tag.SamplesPerPixel, 1),
		b.Str(tag.PhotometricInterpretation, "MONOCHROME2"),
		b.IS(tag.NumberOfFrames, res.Frames),
		b.Ints(tag.Rows, g.Size[1]),
		b.Ints(tag.Columns, g.Size[0]),
		b.Ints(tag.BitsAllocated, 1),
		b.Ints(tag.BitsStored, 1),
		b.Ints(tag.HighBit, 0),
		b.Ints(tag.PixelRepresentation, 0),
		b.Str(tag.LossyImageCompression, "00"),
		b.Str(tag.SegmentationType, "BINARY"),
		b.Seq(tag.SegmentSequence, segmentItem(b, seg)),

		// Multi-frame Dimension module (PS3.3 C.7.6.17): segment, then
		// position along the slice normal.
		b.Seq(tag.DimensionOrganizationSequence, []*dicom.Element{
			b.Str(tag.DimensionOrganizationUID, dimOrg),
		}),
		b.Str(tag.DimensionOrganizationType, "3D"),
		b.Seq(tag.DimensionIndexSequence,
			[]*dicom.Element{
				b.Str(tag.DimensionOrganizationUID, dimOrg),
				b.Ints(tag.DimensionIndexPointer, int(tag.ReferencedSegmentNumber.Group), int(tag.ReferencedSegmentNumber.Element)),
				b.Ints(tag.FunctionalGroupPointer, int(tag.SegmentIdentificationSequence.Group), int(tag.SegmentIdentificationSequence.Element)),
				b.Str(tag.DimensionDescriptionLabel, "ReferencedSegmentNumber"),
			},
			[]*dicom.Element{
				b.Str(tag.DimensionOrganizationUID, dimOrg),
				b.Ints(tag.DimensionIndexPointer, int(tag.ImagePositionPatient.Group), int(tag.ImagePositionPatient.Element)),
				b.Ints(tag.FunctionalGroupPointer, int(tag.PlanePositionSequence.Group), int(tag.PlanePositionSequence.Element)),
				b.Str(tag.DimensionDescriptionLabel, "ImagePositionPatient"),
			}),

		// Multi-frame Functional Groups module (PS3.3 C.7.6.16).
		b.Seq(tag.SharedFunctionalGroupsSequence, []*dicom.Element{
			b.Seq(tag.PixelMeasuresSequence, []*dicom.Element{
				b.DS(tag.SliceThickness, thickness),
				b.DS(tag.SpacingBetweenSlices, g.Spacing[2]),
				b.DS(tag.PixelSpacing, g.Spacing[1], g.Spacing[0]),
			}),
			b.Seq(tag.PlaneOrientationSequence, []*dicom.Element{
				b.DS(tag.ImageOrientationPatient, orientation...),
			}),
		}),
		b.Seq(tag.PerFrameFunctionalGroupsSequence, perFrameItems(b, src, res.Slices)...),

		// Common Instance Reference module (PS3.3 C.12.2).
		b.Seq(tag.ReferencedSeriesSequence, []*dicom.Element{
			b.Seq(tag.ReferencedInstanceSequence, referencedInstances(b, src.Instances)...),
			b.Str(tag.SeriesInstanceUID, src.SeriesInstanceUID),
		}),
	}

	// Patient and General Study modules, copied from the source.
	for _, t := range patientStudyTags {
		values := copyStrings(src.Header, t)
		if values == nil && optionalTags[t] {
			continue
		}
		elems = append(elems, b.Str(t, values...))
	}

	// Pixel data: 1 bit per pixel, VR OB (PS3.5 8.2).
	pd := b.El(tag.PixelData, dicom.PixelDataInfo{IntentionallyUnprocessed: true, UnprocessedValueData: pixels})
	pd.RawValueRepresentation = "OB"
	elems = append(elems, pd)

	if b.Err != nil {
		return dicom.Dataset{}, b.Err
	}
	dcmbuild.SortElements(elems)
	return dicom.Dataset{Elements: elems}, nil
}

func segmentItem(b *builder, seg Segment) []*dicom.Element {
	item := []*dicom.Element{
		b.Ints(tag.SegmentNumber, 1),
		b.Str(tag.SegmentLabel, seg.Label),
		b.Str(tag.SegmentAlgorithmType, seg.AlgorithmType),
		b.code(tag.SegmentedPropertyCategoryCodeSequence, seg.Category),
		b.code(tag.SegmentedPropertyTypeCodeSequence, seg.Type),
	}
	if seg.Description != "" {
		item = append(item, b.Str(tag.SegmentDescription, seg.Description))
	}
	if seg.AlgorithmType != AlgorithmManual {
		item = append(item, b.Str(tag.SegmentAlgorithmName, seg.AlgorithmName))
	}
	return item
}

// perFrameItems returns one Per-frame Functional Groups item per frame, for
// the source slices in frame order.
func perFrameItems(b *builder, src Source, slices []int) [][]*dicom.Element {
	g := src.Geometry
	items := make([][]*dicom.Element, len(slices))
	for f, k := range slices {
		pos := g.Position(0, 0, float64(k))
		in := src.Instances[k]
		items[f] = []*dicom.Element{
			b.Seq(tag.DerivationImageSequence, []*dicom.Element{
				b.Seq(tag.SourceImageSequence, []*dicom.Element{
					b.Str(tag.ReferencedSOPClassUID, in.SOPClassUID),
					b.Str(tag.ReferencedSOPInstanceUID, in.SOPInstanceUID),
					b.code(tag.PurposeOfReferenceCodeSequence, codeSourceImageForIPO),
					b.Str(tag.SpatialLocationsPreserved, "YES"),
				}),
				b.code(tag.DerivationCodeSequence, codeSegmentation),
			}),
			b.Seq(tag.FrameContentSequence, []*dicom.Element{
				b.Ints(tag.DimensionIndexValues, 1, f+1),
			}),
			b.Seq(tag.PlanePositionSequence, []*dicom.Element{
				b.DS(tag.ImagePositionPatient, roundPosition(pos[0]), roundPosition(pos[1]), roundPosition(pos[2])),
			}),
			b.Seq(tag.SegmentIdentificationSequence, []*dicom.Element{
				b.Ints(tag.ReferencedSegmentNumber, 1),
			}),
		}
	}
	return items
}

// roundPosition removes floating-point noise below a micrometre so that
// frame positions print like the source's.
func roundPosition(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func referencedInstances(b *builder, instances []Instance) [][]*dicom.Element {
	items := make([][]*dicom.Element, len(instances))
	for i, in := range instances {
		items[i] = []*dicom.Element{
			b.Str(tag.ReferencedSOPClassUID, in.SOPClassUID),
			b.Str(tag.ReferencedSOPInstanceUID, in.SOPInstanceUID),
		}
	}
	return items
}
