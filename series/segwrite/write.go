package segwrite

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

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
	b := &builder{}
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
		b.el(tag.FileMetaInformationVersion, []byte{0, 1}),
		b.str(tag.MediaStorageSOPClassUID, SOPClassUID),
		b.str(tag.MediaStorageSOPInstanceUID, res.SOPInstanceUID),
		b.str(tag.TransferSyntaxUID, uid.ExplicitVRLittleEndian),
		b.str(tag.ImplementationClassUID, implementationClassUID),

		// SOP Common, General Series, Segmentation Series, Frame of
		// Reference and Enhanced General Equipment modules.
		b.str(tag.ImageType, "DERIVED", "PRIMARY"),
		b.str(tag.SOPClassUID, SOPClassUID),
		b.str(tag.SOPInstanceUID, res.SOPInstanceUID),
		b.str(tag.InstanceCreationDate, date),
		b.str(tag.InstanceCreationTime, clock),
		b.str(tag.SeriesDate, date),
		b.str(tag.SeriesTime, clock),
		b.str(tag.ContentDate, date),
		b.str(tag.ContentTime, clock),
		b.str(tag.Modality, "SEG"),
		b.str(tag.Manufacturer, equipment(opts.Manufacturer, "mdm2node")),
		b.str(tag.SeriesDescription, equipment(opts.SeriesDescription, "Segmentation")),
		b.str(tag.ManufacturerModelName, equipment(opts.ManufacturerModelName, "mdm2node segwrite")),
		b.str(tag.DeviceSerialNumber, equipment(opts.DeviceSerialNumber, "0")),
		b.str(tag.SoftwareVersions, equipment(opts.SoftwareVersions, "1")),
		b.str(tag.StudyInstanceUID, headerString(src.Header, tag.StudyInstanceUID)),
		b.str(tag.SeriesInstanceUID, res.SeriesInstanceUID),
		b.is(tag.SeriesNumber, seriesNumber),
		b.is(tag.InstanceNumber, instanceNumber),
		b.str(tag.FrameOfReferenceUID, src.FrameOfReferenceUID),
		b.str(tag.PositionReferenceIndicator),

		// Segmentation Image module (PS3.3 C.8.20.2).
		b.str(tag.ContentLabel, contentLabel),
		b.str(tag.ContentDescription, seg.Label),
		b.str(tag.ContentCreatorName, opts.ContentCreatorName),
		b.ints(tag.SamplesPerPixel, 1),
		b.str(tag.PhotometricInterpretation, "MONOCHROME2"),
		b.is(tag.NumberOfFrames, res.Frames),
		b.ints(tag.Rows, g.Size[1]),
		b.ints(tag.Columns, g.Size[0]),
		b.ints(tag.BitsAllocated, 1),
		b.ints(tag.BitsStored, 1),
		b.ints(tag.HighBit, 0),
		b.ints(tag.PixelRepresentation, 0),
		b.str(tag.LossyImageCompression, "00"),
		b.str(tag.SegmentationType, "BINARY"),
		b.seq(tag.SegmentSequence, segmentItem(b, seg)),

		// Multi-frame Dimension module (PS3.3 C.7.6.17): segment, then
		// position along the slice normal.
		b.seq(tag.DimensionOrganizationSequence, []*dicom.Element{
			b.str(tag.DimensionOrganizationUID, dimOrg),
		}),
		b.str(tag.DimensionOrganizationType, "3D"),
		b.seq(tag.DimensionIndexSequence,
			[]*dicom.Element{
				b.str(tag.DimensionOrganizationUID, dimOrg),
				b.ints(tag.DimensionIndexPointer, int(tag.ReferencedSegmentNumber.Group), int(tag.ReferencedSegmentNumber.Element)),
				b.ints(tag.FunctionalGroupPointer, int(tag.SegmentIdentificationSequence.Group), int(tag.SegmentIdentificationSequence.Element)),
				b.str(tag.DimensionDescriptionLabel, "ReferencedSegmentNumber"),
			},
			[]*dicom.Element{
				b.str(tag.DimensionOrganizationUID, dimOrg),
				b.ints(tag.DimensionIndexPointer, int(tag.ImagePositionPatient.Group), int(tag.ImagePositionPatient.Element)),
				b.ints(tag.FunctionalGroupPointer, int(tag.PlanePositionSequence.Group), int(tag.PlanePositionSequence.Element)),
				b.str(tag.DimensionDescriptionLabel, "ImagePositionPatient"),
			}),

		// Multi-frame Functional Groups module (PS3.3 C.7.6.16).
		b.seq(tag.SharedFunctionalGroupsSequence, []*dicom.Element{
			b.seq(tag.PixelMeasuresSequence, []*dicom.Element{
				b.ds(tag.SliceThickness, thickness),
				b.ds(tag.SpacingBetweenSlices, g.Spacing[2]),
				b.ds(tag.PixelSpacing, g.Spacing[1], g.Spacing[0]),
			}),
			b.seq(tag.PlaneOrientationSequence, []*dicom.Element{
				b.ds(tag.ImageOrientationPatient, orientation...),
			}),
		}),
		b.seq(tag.PerFrameFunctionalGroupsSequence, perFrameItems(b, src, res.Slices)...),

		// Common Instance Reference module (PS3.3 C.12.2).
		b.seq(tag.ReferencedSeriesSequence, []*dicom.Element{
			b.seq(tag.ReferencedInstanceSequence, referencedInstances(b, src.Instances)...),
			b.str(tag.SeriesInstanceUID, src.SeriesInstanceUID),
		}),
	}

	// Patient and General Study modules, copied from the source.
	for _, t := range patientStudyTags {
		values := copyStrings(src.Header, t)
		if values == nil && optionalTags[t] {
			continue
		}
		elems = append(elems, b.str(t, values...))
	}

	// Pixel data: 1 bit per pixel, VR OB (PS3.5 8.2).
	pd := b.el(tag.PixelData, dicom.PixelDataInfo{IntentionallyUnprocessed: true, UnprocessedValueData: pixels})
	pd.RawValueRepresentation = "OB"
	elems = append(elems, pd)

	if b.err != nil {
		return dicom.Dataset{}, b.err
	}
	sortElements(elems)
	return dicom.Dataset{Elements: elems}, nil
}

func segmentItem(b *builder, seg Segment) []*dicom.Element {
	item := []*dicom.Element{
		b.ints(tag.SegmentNumber, 1),
		b.str(tag.SegmentLabel, seg.Label),
		b.str(tag.SegmentAlgorithmType, seg.AlgorithmType),
		b.code(tag.SegmentedPropertyCategoryCodeSequence, seg.Category),
		b.code(tag.SegmentedPropertyTypeCodeSequence, seg.Type),
	}
	if seg.Description != "" {
		item = append(item, b.str(tag.SegmentDescription, seg.Description))
	}
	if seg.AlgorithmType != AlgorithmManual {
		item = append(item, b.str(tag.SegmentAlgorithmName, seg.AlgorithmName))
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
			b.seq(tag.DerivationImageSequence, []*dicom.Element{
				b.seq(tag.SourceImageSequence, []*dicom.Element{
					b.str(tag.ReferencedSOPClassUID, in.SOPClassUID),
					b.str(tag.ReferencedSOPInstanceUID, in.SOPInstanceUID),
					b.code(tag.PurposeOfReferenceCodeSequence, codeSourceImageForIPO),
					b.str(tag.SpatialLocationsPreserved, "YES"),
				}),
				b.code(tag.DerivationCodeSequence, codeSegmentation),
			}),
			b.seq(tag.FrameContentSequence, []*dicom.Element{
				b.ints(tag.DimensionIndexValues, 1, f+1),
			}),
			b.seq(tag.PlanePositionSequence, []*dicom.Element{
				b.ds(tag.ImagePositionPatient, roundPosition(pos[0]), roundPosition(pos[1]), roundPosition(pos[2])),
			}),
			b.seq(tag.SegmentIdentificationSequence, []*dicom.Element{
				b.ints(tag.ReferencedSegmentNumber, 1),
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
			b.str(tag.ReferencedSOPClassUID, in.SOPClassUID),
			b.str(tag.ReferencedSOPInstanceUID, in.SOPInstanceUID),
		}
	}
	return items
}
