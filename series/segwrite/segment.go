package segwrite

import (
	"fmt"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/series/volume"
	"github.com/suyashkumar/dicom"
)

// SOPClassUID is the Segmentation Storage SOP Class (PS3.4 Annex B.5).
const SOPClassUID = "1.2.840.10008.5.1.4.1.1.66.4"

// Segment algorithm types (PS3.3 C.8.20.2, Segment Algorithm Type).
const (
	AlgorithmAutomatic     = "AUTOMATIC"
	AlgorithmSemiautomatic = "SEMIAUTOMATIC"
	AlgorithmManual        = "MANUAL"
)

// Instance identifies one source slice.
type Instance struct {
	SOPClassUID    string
	SOPInstanceUID string
}

// Source describes the referenced single-frame series.
type Source struct {
	// Header is the data set of one instance of the series. The Patient and
	// General Study attributes of the SEG are copied from it.
	Header *dicom.Dataset
	// SeriesInstanceUID and FrameOfReferenceUID of the source series.
	SeriesInstanceUID   string
	FrameOfReferenceUID string
	// Instances holds one entry per slice, in the order of the grid's k
	// index.
	Instances []Instance
	// Geometry is the grid of the series. Axes[2] must be the slice normal
	// so that frame positions are Origin + k*Spacing[2]*Axes[2].
	Geometry volume.Geometry
	// SliceThickness in millimetres; zero means Geometry.Spacing[2].
	SliceThickness float64
}

// Segment describes the single segment of the SEG.
type Segment struct {
	// Label is the Segment Label, for example "Tumour".
	Label string
	// Description is the optional Segment Description.
	Description string
	// AlgorithmType is AlgorithmAutomatic, AlgorithmSemiautomatic or
	// AlgorithmManual.
	AlgorithmType string
	// AlgorithmName is required unless AlgorithmType is AlgorithmManual.
	AlgorithmName string
	// Category and Type code the segmented property; a zero Category means
	// CategoryMorphologicallyAbnormal and a zero Type means TypeNeoplasm.
	Category Code
	Type     Code
}

// Options sets the attributes of the new series and instance.
type Options struct {
	SeriesNumber      int
	InstanceNumber    int
	SeriesDescription string
	// ContentLabel is a Code String of at most 16 characters (upper-case
	// letters, digits, space and underscore); empty means "ROI".
	ContentLabel string
	// ContentCreatorName is a person name, for example "MDM2NODE^ROI".
	ContentCreatorName string
	// Manufacturer, ManufacturerModelName, DeviceSerialNumber and
	// SoftwareVersions fill the Enhanced General Equipment module; empty
	// values get defaults naming this software.
	Manufacturer          string
	ManufacturerModelName string
	DeviceSerialNumber    string
	SoftwareVersions      string
	// AllFrames writes one frame per slice, including slices without region
	// voxels. By default only slices that contain region voxels get a frame.
	AllFrames bool
	// Time is the content date and time; zero means time.Now().
	Time time.Time
	// SeriesInstanceUID, SOPInstanceUID and DimensionOrganizationUID of the
	// SEG; empty means new UIDs from dcmuid.New.
	SeriesInstanceUID        string
	SOPInstanceUID           string
	DimensionOrganizationUID string
}

// Result describes a written SEG instance.
type Result struct {
	SeriesInstanceUID string
	SOPInstanceUID    string
	// Frames is the number of frames written; Slices lists the source slice
	// index k of each frame, in frame order.
	Frames int
	Slices []int
	// Voxels is the number of region voxels encoded in the pixel data.
	Voxels int
}

func (s Segment) withDefaults() Segment {
	if s.Category == (Code{}) {
		s.Category = CategoryMorphologicallyAbnormal
	}
	if s.Type == (Code{}) {
		s.Type = TypeNeoplasm
	}
	if s.AlgorithmType == "" {
		s.AlgorithmType = AlgorithmManual
	}
	return s
}

func (s Segment) validate() error {
	if strings.TrimSpace(s.Label) == "" {
		return fmt.Errorf("%w: empty segment label", ErrSegment)
	}
	switch s.AlgorithmType {
	case AlgorithmAutomatic, AlgorithmSemiautomatic:
		if strings.TrimSpace(s.AlgorithmName) == "" {
			return fmt.Errorf("%w: algorithm type %s needs an algorithm name", ErrSegment, s.AlgorithmType)
		}
	case AlgorithmManual:
	default:
		return fmt.Errorf("%w: algorithm type %q, want AUTOMATIC, SEMIAUTOMATIC or MANUAL", ErrSegment, s.AlgorithmType)
	}
	for _, c := range []Code{s.Category, s.Type} {
		if c.Value == "" || c.Scheme == "" || c.Meaning == "" {
			return fmt.Errorf("%w: incomplete code %+v", ErrSegment, c)
		}
	}
	return nil
}
