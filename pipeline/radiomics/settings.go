package radiomics

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"

	"gopkg.in/yaml.v3"
)

// Settings are the extraction settings, with the names and YAML keys of
// PyRadiomics' "setting" section. DefaultSettings gives PyRadiomics'
// defaults.
type Settings struct {
	// BinWidth is the fixed bin width of the discretisation, in image
	// units (default 25). Ignored when BinCount > 0.
	BinWidth float64 `yaml:"binWidth"`
	// BinCount, when > 0, selects a fixed number of bins instead.
	BinCount int `yaml:"binCount"`
	// VoxelArrayShift is added to intensities in Energy, TotalEnergy and
	// RootMeanSquared (default 0).
	VoxelArrayShift float64 `yaml:"voxelArrayShift"`
	// Normalize z-scores the whole image before extraction, then multiplies
	// it by NormalizeScale (default 1). RemoveOutliers, when > 0, clips the
	// z-scores at +-RemoveOutliers before scaling.
	Normalize      bool    `yaml:"normalize"`
	NormalizeScale float64 `yaml:"normalizeScale"`
	RemoveOutliers float64 `yaml:"removeOutliers"`
	// ResampledPixelSpacing, when set, resamples image and mask to this
	// spacing in millimetres (x, y, z; 0 keeps an axis). Interpolator
	// names the image interpolator: "sitkBSpline" (cubic B-spline, the
	// default) or "sitkLinear"; the mask uses nearest neighbour.
	ResampledPixelSpacing []float64 `yaml:"resampledPixelSpacing"`
	Interpolator          string    `yaml:"interpolator"`
	// PadDistance is the number of voxels kept around the region's
	// bounding box when the image is cropped before filtering (default 5).
	PadDistance int `yaml:"padDistance"`
	// ResegmentRange holds one (lower) or two (lower, upper) inclusive
	// thresholds; ResegmentMode is "absolute" (default), "relative" (a
	// fraction of the region maximum) or "sigma" (mean + k SD).
	ResegmentRange []float64 `yaml:"resegmentRange"`
	ResegmentMode  string    `yaml:"resegmentMode"`
	// ResegmentShape applies the re-segmentation to the shape features too.
	ResegmentShape bool `yaml:"resegmentShape"`
	// Force2D computes texture with in-plane neighbours only; the plane is
	// normal to Force2DDimension (0 = z, 1 = y, 2 = x, in PyRadiomics'
	// numpy axis order).
	Force2D          bool `yaml:"force2D"`
	Force2DDimension int  `yaml:"force2Ddimension"`
	// Distances are the Chebyshev neighbour distances of GLCM, GLDM and
	// NGTDM (default [1]).
	Distances []int `yaml:"distances"`
	// WeightingNorm, when set ("manhattan", "euclidean", "infinity",
	// "no_weighting"), merges the GLCM and GLRLM angle matrices with
	// distance weights instead of averaging features over angles.
	WeightingNorm string `yaml:"weightingNorm"`
	// SymmetricalGLCM counts each GLCM pair in both directions (default
	// true).
	SymmetricalGLCM bool `yaml:"symmetricalGLCM"`
	// GLDMA is the grey-level difference (alpha) under which a GLDM
	// neighbour counts as dependent (default 0).
	GLDMA float64 `yaml:"gldm_a"`
	// Label is the mask value of the region (default 1). The file readers
	// use it; Extract treats every non-zero mask voxel as inside.
	Label int `yaml:"label"`
	// MinimumROIDimensions is how many axes must span more than one voxel
	// (default 2); MinimumROISize, when > 0, the minimum voxel count.
	MinimumROIDimensions int `yaml:"minimumROIDimensions"`
	MinimumROISize       int `yaml:"minimumROISize"`
	// PreCrop is accepted for compatibility; the image is always cropped
	// to the bounding box plus PadDistance before filtering.
	PreCrop bool `yaml:"preCrop"`
	// AdditionalInfo and CorrectMask are accepted and ignored.
	AdditionalInfo bool `yaml:"additionalInfo"`
	CorrectMask    bool `yaml:"correctMask"`
}

// DefaultSettings returns PyRadiomics' default settings.
func DefaultSettings() Settings {
	return Settings{
		BinWidth:             25,
		NormalizeScale:       1,
		Interpolator:         "sitkBSpline",
		PadDistance:          5,
		ResegmentMode:        "absolute",
		Distances:            []int{1},
		SymmetricalGLCM:      true,
		Label:                1,
		MinimumROIDimensions: 2,
	}
}

// Validate checks ranges and names.
func (s *Settings) Validate() error {
	switch {
	case s.BinCount < 0:
		return fmt.Errorf("%w: binCount %d must be positive", ErrSettings, s.BinCount)
	case s.BinCount == 0 && !(s.BinWidth > 0):
		return fmt.Errorf("%w: binWidth %v must be positive", ErrSettings, s.BinWidth)
	case s.NormalizeScale <= 0:
		return fmt.Errorf("%w: normalizeScale %v must be positive", ErrSettings, s.NormalizeScale)
	case s.PadDistance < 0:
		return fmt.Errorf("%w: padDistance %d must not be negative", ErrSettings, s.PadDistance)
	case s.Force2DDimension < 0 || s.Force2DDimension > 2:
		return fmt.Errorf("%w: force2Ddimension %d must be 0, 1 or 2", ErrSettings, s.Force2DDimension)
	case s.MinimumROIDimensions < 1 || s.MinimumROIDimensions > 3:
		return fmt.Errorf("%w: minimumROIDimensions %d must be 1, 2 or 3", ErrSettings, s.MinimumROIDimensions)
	case len(s.ResegmentRange) > 2:
		return fmt.Errorf("%w: resegmentRange %v has more than two values", ErrSettings, s.ResegmentRange)
	case len(s.Distances) == 0:
		return fmt.Errorf("%w: distances must not be empty", ErrSettings)
	}
	for _, d := range s.Distances {
		if d <= 0 || d > 10 {
			return fmt.Errorf("%w: distance %d must be in 1..10", ErrSettings, d)
		}
	}
	switch s.ResegmentMode {
	case "absolute", "relative", "sigma":
	default:
		return fmt.Errorf("%w: resegmentMode %q (want absolute, relative or sigma)", ErrSettings, s.ResegmentMode)
	}
	switch s.WeightingNorm {
	case "", "manhattan", "euclidean", "infinity", "no_weighting":
	default:
		return fmt.Errorf("%w: weightingNorm %q (want manhattan, euclidean, infinity or no_weighting)", ErrSettings, s.WeightingNorm)
	}
	if len(s.ResampledPixelSpacing) > 0 {
		if len(s.ResampledPixelSpacing) != 3 {
			return fmt.Errorf("%w: resampledPixelSpacing %v needs three values", ErrSettings, s.ResampledPixelSpacing)
		}
		for _, v := range s.ResampledPixelSpacing {
			if v < 0 || math.IsNaN(v) {
				return fmt.Errorf("%w: resampledPixelSpacing %v", ErrSettings, s.ResampledPixelSpacing)
			}
		}
		if s.Interpolator != "sitkLinear" && s.Interpolator != "sitkBSpline" {
			return fmt.Errorf("%w: interpolator %q is not implemented (use sitkBSpline or sitkLinear)", ErrSettings, s.Interpolator)
		}
	}
	return nil
}

// ImageType names the images features are computed on, as in PyRadiomics'
// "imageType" section: "Original", "Wavelet" and "LoG".
type ImageType struct {
	// Sigma lists the LoG sigmas in millimetres.
	Sigma []float64 `yaml:"sigma"`
	// Wavelet is the wavelet name; only "coif1" is implemented.
	Wavelet string `yaml:"wavelet"`
	// Level is the wavelet level; only 1 is implemented.
	Level int `yaml:"level"`
}

// Params is a PyRadiomics parameter file: settings, enabled image types and
// enabled feature classes. A class mapped to an empty list enables all of
// its non-deprecated features.
type Params struct {
	Setting      Settings             `yaml:"setting"`
	ImageType    map[string]ImageType `yaml:"imageType"`
	FeatureClass map[string][]string  `yaml:"featureClass"`
}

// DefaultParams returns the feature set of the reference study: PyRadiomics'
// default settings, the Original and Wavelet image types and every
// non-deprecated feature of firstorder, shape, glcm, glrlm, glszm, gldm and
// ngtdm: 107 + 8 x 93 = 851 features.
func DefaultParams() Params {
	return Params{
		Setting:   DefaultSettings(),
		ImageType: map[string]ImageType{"Original": {}, "Wavelet": {}},
		FeatureClass: map[string][]string{
			"firstorder": nil, "shape": nil, "glcm": nil, "glrlm": nil,
			"glszm": nil, "gldm": nil, "ngtdm": nil,
		},
	}
}

// ReadParams reads a PyRadiomics-style YAML parameter file. Settings it does
// not name keep PyRadiomics' defaults; a missing imageType section means
// Original only and a missing featureClass section means every class except
// shape2D, as in PyRadiomics.
func ReadParams(r io.Reader) (Params, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Params{}, fmt.Errorf("%w: read parameter file: %v", ErrSettings, err)
	}
	p := Params{Setting: DefaultSettings()}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil && err != io.EOF {
		return Params{}, fmt.Errorf("%w: parameter file: %v", ErrSettings, err)
	}
	if p.ImageType == nil {
		p.ImageType = map[string]ImageType{"Original": {}}
	}
	if p.FeatureClass == nil {
		p.FeatureClass = map[string][]string{
			"firstorder": nil, "shape": nil, "glcm": nil, "glrlm": nil,
			"glszm": nil, "gldm": nil, "ngtdm": nil,
		}
	}
	return p, p.Validate()
}

// Validate checks the settings, image types and feature names.
func (p *Params) Validate() error {
	if err := p.Setting.Validate(); err != nil {
		return err
	}
	for name, it := range p.ImageType {
		switch name {
		case "Original":
		case "Wavelet":
			if it.Wavelet != "" && it.Wavelet != "coif1" {
				return fmt.Errorf("%w: wavelet %q is not implemented (only coif1)", ErrSettings, it.Wavelet)
			}
			if it.Level > 1 {
				return fmt.Errorf("%w: wavelet level %d is not implemented (only 1)", ErrSettings, it.Level)
			}
		case "LoG":
			if len(it.Sigma) == 0 {
				return fmt.Errorf("%w: LoG needs at least one sigma", ErrSettings)
			}
			for _, s := range it.Sigma {
				if !(s > 0) || s > 50 {
					return fmt.Errorf("%w: LoG sigma %v must be in (0, 50] mm", ErrSettings, s)
				}
			}
		default:
			return fmt.Errorf("%w: image type %q (want Original, Wavelet or LoG)", ErrSettings, name)
		}
	}
	for class, names := range p.FeatureClass {
		c, ok := classes[class]
		if !ok {
			return fmt.Errorf("%w: feature class %q", ErrSettings, class)
		}
		for _, n := range names {
			if !c.has(n) {
				return fmt.Errorf("%w: feature %q not in class %s", ErrSettings, n, class)
			}
		}
	}
	return nil
}

// enabled returns the sorted feature names to compute for class.
func (p *Params) enabled(class string) []string {
	names, ok := p.FeatureClass[class]
	if !ok {
		return nil
	}
	if len(names) == 0 {
		return classes[class].active
	}
	out := append([]string(nil), names...)
	sort.Strings(out)
	return out
}
