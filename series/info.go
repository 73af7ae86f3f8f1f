package series

import (
	"fmt"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// SeriesInfo summarises the header attributes of one series that the role
// rules look at. It is filled from one representative instance of the
// series (for multi-frame objects, from the top level and the Shared
// Functional Groups).
type SeriesInfo struct {
	StudyInstanceUID    string
	SeriesInstanceUID   string
	FrameOfReferenceUID string
	SOPClassUID         string
	Modality            string
	Manufacturer        string
	SeriesNumber        int
	SeriesDescription   string
	ProtocolName        string
	// SequenceName is (0018,0024), for example "*tse2d1_15" on Siemens.
	SequenceName string
	// ImageType holds the values of Image Type (0008,0008), for example
	// ORIGINAL, PRIMARY, AXIAL.
	ImageType []string
	// ScanningSequence, SequenceVariant and ScanOptions are the MR
	// acquisition attributes (0018,0020), (0018,0021) and (0018,0022).
	ScanningSequence []string
	SequenceVariant  []string
	ScanOptions      []string
	// RepetitionTime, EchoTime and InversionTime are in milliseconds. Each
	// Has flag is true when the header contains the attribute.
	RepetitionTime, EchoTime, InversionTime          float64
	HasRepetitionTime, HasEchoTime, HasInversionTime bool
	// ContrastBolusAgent is (0018,0010), empty when absent.
	ContrastBolusAgent string
	// ImageOrientation is Image Orientation (Patient): the row and column
	// direction cosines. HasOrientation is false when it was absent.
	ImageOrientation [6]float64
	HasOrientation   bool
	// Instances is the number of image instances in the series and Frames
	// the number of frames over all of them; the caller sets both.
	Instances int
	Frames    int
}

// InfoFromHeader fills a SeriesInfo from the attributes of one instance.
// Multi-frame objects keep orientation and timing in functional groups. An
// attribute missing at the top level is taken from the Shared Functional
// Groups, then from the first item of the Per-frame Functional Groups.
func InfoFromHeader(elements []*dicom.Element) SeriesInfo {
	ds := attrs(elements)
	info := SeriesInfo{
		StudyInstanceUID:    ds.str(tag.StudyInstanceUID),
		SeriesInstanceUID:   ds.str(tag.SeriesInstanceUID),
		FrameOfReferenceUID: ds.str(tag.FrameOfReferenceUID),
		SOPClassUID:         ds.str(tag.SOPClassUID),
		Modality:            ds.str(tag.Modality),
		Manufacturer:        ds.str(tag.Manufacturer),
		SeriesDescription:   ds.str(tag.SeriesDescription),
		ProtocolName:        ds.str(tag.ProtocolName),
		SequenceName:        ds.str(tag.SequenceName),
		ImageType:           ds.strs(tag.ImageType),
		ScanningSequence:    ds.strs(tag.ScanningSequence),
		SequenceVariant:     ds.strs(tag.SequenceVariant),
		ScanOptions:         ds.strs(tag.ScanOptions),
		ContrastBolusAgent:  ds.str(tag.ContrastBolusAgent),
		Instances:           1,
		Frames:              1,
	}
	info.SeriesNumber, _ = ds.int(tag.SeriesNumber)
	if n, ok := ds.int(tag.NumberOfFrames); ok && n > 0 {
		info.Frames = n
	}
	if info.SequenceName == "" {
		info.SequenceName = ds.str(tag.PulseSequenceName)
	}

	// Look for each attribute at the top level, then in the functional groups.
	levels := []attrs{ds}
	if shared := ds.item(tag.SharedFunctionalGroupsSequence); shared != nil {
		levels = append(levels, shared)
	}
	if perFrame := ds.item(tag.PerFrameFunctionalGroupsSequence); perFrame != nil {
		levels = append(levels, perFrame)
	}
	for _, lv := range levels {
		if !info.HasOrientation {
			iop := lv.floats(tag.ImageOrientationPatient)
			if len(iop) != 6 {
				iop = lv.item(tag.PlaneOrientationSequence).floats(tag.ImageOrientationPatient)
			}
			if len(iop) == 6 {
				copy(info.ImageOrientation[:], iop)
				info.HasOrientation = true
			}
		}
		timing := lv.item(tag.MRTimingAndRelatedParametersSequence)
		if !info.HasRepetitionTime {
			if v, ok := firstFloat(tag.RepetitionTime, lv, timing); ok {
				info.RepetitionTime, info.HasRepetitionTime = v, true
			}
		}
		if !info.HasEchoTime {
			if v, ok := lv.float(tag.EchoTime); ok {
				info.EchoTime, info.HasEchoTime = v, true
			} else if v, ok := lv.item(tag.MREchoSequence).float(tag.EffectiveEchoTime); ok {
				info.EchoTime, info.HasEchoTime = v, true
			}
		}
		if !info.HasInversionTime {
			if v, ok := lv.float(tag.InversionTime); ok {
				info.InversionTime, info.HasInversionTime = v, true
			} else if v, ok := lv.item(tag.MRModifierSequence).float(tag.InversionTimes); ok {
				info.InversionTime, info.HasInversionTime = v, true
			}
		}
		if info.ContrastBolusAgent == "" {
			info.ContrastBolusAgent = lv.item(tag.ContrastBolusUsageSequence).str(tag.ContrastBolusAgent)
		}
	}
	return info
}

func firstFloat(t tag.Tag, levels ...attrs) (float64, bool) {
	for _, lv := range levels {
		if v, ok := lv.float(t); ok {
			return v, true
		}
	}
	return 0, false
}

// ReadSeriesInfo reads the header of one file of a series into a
// SeriesInfo with Instances and Frames counting that file alone.
func ReadSeriesInfo(path string) (SeriesInfo, error) {
	ds, err := readHeader(path)
	if err != nil {
		return SeriesInfo{}, err
	}
	return InfoFromHeader(ds), nil
}

// ReadSeriesInfoFiles summarises a whole series: the header of its first
// file, with Instances and Frames counted over all files. Only headers are
// read.
func ReadSeriesInfoFiles(files []string) (SeriesInfo, error) {
	infos := make([]SeriesInfo, len(files))
	for i, path := range files {
		one, err := ReadSeriesInfo(path)
		if err != nil {
			return SeriesInfo{}, err
		}
		infos[i] = one
	}
	return MergeSeriesInfo(files, infos)
}

// MergeSeriesInfo summarises a series from the SeriesInfo of each of its
// files, as ReadSeriesInfo returns them in the order of files: the first
// file's header, with Instances and Frames summed. It returns
// ErrMixedSeries when the files belong to different series, so that a
// caller may cache the per-file results and merge them again cheaply.
func MergeSeriesInfo(files []string, infos []SeriesInfo) (SeriesInfo, error) {
	if len(infos) == 0 {
		return SeriesInfo{}, ErrEmptySeries
	}
	info := infos[0]
	for i, one := range infos[1:] {
		if one.SeriesInstanceUID != info.SeriesInstanceUID {
			return SeriesInfo{}, fmt.Errorf("%w: %s has series %s, %s has %s", ErrMixedSeries, files[i+1], one.SeriesInstanceUID, files[0], info.SeriesInstanceUID)
		}
		info.Instances++
		info.Frames += one.Frames
	}
	return info, nil
}
