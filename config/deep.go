package config

import (
	"encoding/hex"
	"fmt"
)

// Deep is the deep section: the deep feature extractor (an ONNX network
// used as a frozen feature extractor), its preprocessing and the ONNX
// Runtime library that runs it.
type Deep struct {
	// ONNXRuntimeLibrary is the path of libonnxruntime.so.1. Empty uses the
	// ONNXRUNTIME_SHARED_LIBRARY_PATH environment variable, else
	// third_party/onnxruntime/libonnxruntime.so.1 relative to the working
	// directory (installed by scripts/install-onnxruntime.sh).
	ONNXRuntimeLibrary string `yaml:"onnxruntime_library"`
	// IntraOpThreads is the thread count of one inference; 0 uses one per
	// logical CPU.
	IntraOpThreads int               `yaml:"intra_op_threads"`
	Model          DeepModel         `yaml:"model"`
	Preprocessing  DeepPreprocessing `yaml:"preprocessing"`
}

// DeepModel describes the network. Zero values (empty strings and lists, 0)
// take the architecture's preset.
type DeepModel struct {
	// Architecture is resnet50, vgg16, vgg19, inception_v3, xception,
	// inception_resnet_v2 or another name; another name needs input_size
	// and features.
	Architecture string `yaml:"architecture"`
	// File is the ONNX file, relative to the working directory unless
	// absolute.
	File string `yaml:"file"`
	// SHA256 is the file's hexadecimal SHA-256; empty skips the check.
	SHA256     string    `yaml:"sha256"`
	InputName  string    `yaml:"input_name"`
	OutputName string    `yaml:"output_name"`
	InputSize  int       `yaml:"input_size"`
	Layout     string    `yaml:"layout"`
	Mean       []float64 `yaml:"mean"`
	Std        []float64 `yaml:"std"`
	Features   int       `yaml:"features"`
}

// DeepPreprocessing configures how a region becomes network input.
type DeepPreprocessing struct {
	// MarginMM widens the region's bounding box on each side, in mm.
	MarginMM float64 `yaml:"margin_mm"`
	// NeighbourSlices adds up to this many slices on each side of the
	// largest cross-section; their features are averaged.
	NeighbourSlices int `yaml:"neighbour_slices"`
	// CTWindow is [lower, upper] in Hounsfield units.
	CTWindow []float64 `yaml:"ct_window"`
	// MRPercentiles is [lower, upper], 0 to 100, of the intensities in the
	// box.
	MRPercentiles []float64 `yaml:"mr_percentiles"`
}

// Default deep values, the same as config.yaml.
const (
	DefaultDeepArchitecture = "resnet50"
	DefaultDeepModelFile    = "var/models/resnet50-random.onnx"
	DefaultDeepMarginMM     = 10
)

// maxNeighbourSlices bounds deep.preprocessing.neighbour_slices; more
// slices than this on each side would leave the tumour's central part.
const maxNeighbourSlices = 10

func (s *Deep) setDefaults() {
	*s = Deep{
		Model: DeepModel{Architecture: DefaultDeepArchitecture, File: DefaultDeepModelFile},
		Preprocessing: DeepPreprocessing{
			MarginMM:      DefaultDeepMarginMM,
			CTWindow:      []float64{-160, 240},
			MRPercentiles: []float64{0.5, 99.5},
		},
	}
}

func (s *Deep) validate() error {
	m, p := s.Model, s.Preprocessing
	switch {
	case s.IntraOpThreads < 0:
		return fmt.Errorf("%w: deep.intra_op_threads %d must be 0 (all CPUs) or positive", ErrInvalid, s.IntraOpThreads)
	case m.Architecture == "":
		return fmt.Errorf("%w: deep.model.architecture is empty", ErrInvalid)
	case m.File == "":
		return fmt.Errorf("%w: deep.model.file is empty", ErrInvalid)
	case m.InputSize < 0 || m.Features < 0:
		return fmt.Errorf("%w: deep.model.input_size %d and features %d must not be negative", ErrInvalid, m.InputSize, m.Features)
	case m.Layout != "" && m.Layout != "NCHW" && m.Layout != "NHWC":
		return fmt.Errorf("%w: deep.model.layout %q must be NCHW or NHWC", ErrInvalid, m.Layout)
	case len(m.Mean) != 0 && len(m.Mean) != 3, len(m.Std) != 0 && len(m.Std) != 3:
		return fmt.Errorf("%w: deep.model.mean %v and std %v must have 3 values or none", ErrInvalid, m.Mean, m.Std)
	case !(p.MarginMM >= 0) || p.MarginMM > 1000:
		return fmt.Errorf("%w: deep.preprocessing.margin_mm %v is not in 0..1000", ErrInvalid, p.MarginMM)
	case p.NeighbourSlices < 0 || p.NeighbourSlices > maxNeighbourSlices:
		return fmt.Errorf("%w: deep.preprocessing.neighbour_slices %d is not in 0..%d", ErrInvalid, p.NeighbourSlices, maxNeighbourSlices)
	case len(p.CTWindow) != 2 || !(p.CTWindow[0] < p.CTWindow[1]):
		return fmt.Errorf("%w: deep.preprocessing.ct_window %v must be [lower, upper] with lower < upper", ErrInvalid, p.CTWindow)
	case len(p.MRPercentiles) != 2 || !(p.MRPercentiles[0] >= 0 && p.MRPercentiles[0] < p.MRPercentiles[1] && p.MRPercentiles[1] <= 100):
		return fmt.Errorf("%w: deep.preprocessing.mr_percentiles %v must be [lower, upper] with 0 <= lower < upper <= 100", ErrInvalid, p.MRPercentiles)
	}
	for _, v := range m.Std {
		if !(v > 0) {
			return fmt.Errorf("%w: deep.model.std %v must be positive", ErrInvalid, m.Std)
		}
	}
	if m.SHA256 != "" {
		if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != 32 {
			return fmt.Errorf("%w: deep.model.sha256 %q is not 64 hexadecimal digits", ErrInvalid, m.SHA256)
		}
	}
	return nil
}
