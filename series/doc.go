// Package series turns stored DICOM instances into what the pipeline needs:
// the role of each series in a study, volumes with their geometry, and
// tumour-region masks on those volumes.
//
// # Roles
//
// A study needs three series: a contrast-enhanced CT (RoleCT), an axial
// T1-weighted MR (RoleT1WI) and an axial fat-suppressed T2-weighted MR
// (RoleT2FS). ReadSeriesInfoFiles, ReadSeriesInfo or InfoFromHeader
// summarise one series' headers in a SeriesInfo. Rules, compiled from the
// series section of config.yaml by CompileRules, decide with Evaluate
// whether a series can fill a role and with Choose which of several does,
// returning the reason.
// The attributes used are those of PS3.3 C.7.3.1 (General Series), C.8.3.1
// (MR Image: Scanning Sequence, Sequence Variant, Scan Options, Repetition,
// Echo and Inversion Time), C.7.6.2 (Image Plane) and C.7.6.4 (Contrast/Bolus).
//
// # Volumes
//
//	s, err := series.LoadSeries(files, series.DefaultTolerances())
//	vol, info, err := series.LoadVolume(files)
//
// LoadSeries reads single-frame images or Enhanced and Legacy Converted
// Enhanced multi-frame objects (PS3.3 C.7.6.16 functional groups). It sorts
// the slices along the plane normal and checks that they form a regular
// grid. The result is a volume.Volume in modality units (Rescale Slope and
// Intercept applied) with a SliceRef per slice. Pixel data is decoded from every
// transfer syntax in DecodableTransferSyntaxes: Implicit and Explicit VR
// Little Endian, Explicit VR Big Endian, Deflated Explicit VR Little Endian
// (PS3.5 section 10 and A.5), RLE Lossless (PS3.5 Annex G), JPEG Baseline
// (8-bit, decoded by image/jpeg) and JPEG Lossless process 14 with any of
// the seven predictors (ITU-T T.81 Annex H, decoded here). Files are parsed
// with github.com/suyashkumar/dicom, whose pixel processing is skipped.
//
// # Regions
//
//	r, err := series.LoadMask(regionFile, s, labelPatterns, series.DefaultTolerances())
//
// LoadMask reads a Segmentation (PS3.3 C.8.20, binary or fractional) or an
// RT Structure Set (PS3.3 C.8.8) and returns a volume.Mask on the grid of
// the series, with the segment or ROI chosen by label patterns.
// ReferencedSeries lists the series a region file refers to, so that each
// region can be paired with its series before any pixel data is read.
//
// Errors are the sentinels in errors.go, wrapped with the file and the
// attribute or slice involved.
package series
