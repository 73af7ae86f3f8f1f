package deep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Tensor layouts accepted for the network input.
const (
	LayoutNCHW = "NCHW" // PyTorch and torchvision exports
	LayoutNHWC = "NHWC" // Keras exports
)

// ImageNet normalisation constants for RGB values in [0, 1], as torchvision
// documents for its ImageNet-trained models.
var (
	ImageNetMean = [3]float64{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float64{0.229, 0.224, 0.225}
)

// Extractor describes a feature-extracting network. A model bundle embeds
// it, so its JSON form is part of the bundle format.
type Extractor struct {
	// Architecture names the network and prefixes the feature names, for
	// example "resnet50".
	Architecture string `json:"architecture"`
	// File is the path of the ONNX file. The bundle records the file's base
	// name only through this field; the checksum identifies the weights.
	File string `json:"file"`
	// SHA256 is the hexadecimal SHA-256 of the file. Empty skips the check
	// at Open, which then fills in the computed value.
	SHA256     string `json:"sha256"`
	InputName  string `json:"input_name"`
	OutputName string `json:"output_name"`
	// InputSize is the input height and width in pixels.
	InputSize int `json:"input_size"`
	// Layout is LayoutNCHW or LayoutNHWC.
	Layout string `json:"layout"`
	// Mean and Std normalise each channel of values in [0, 1]:
	// (v - Mean[c]) / Std[c].
	Mean [3]float64 `json:"mean"`
	Std  [3]float64 `json:"std"`
	// Features is the length of the output vector.
	Features int `json:"features"`
}

// Preset returns the description of a known architecture, without file or
// checksum. The input and output names are "input" and "features", as the
// export recipe in docs/MODELS.md writes them. The normalisation is
// ImageNet's with NCHW layout, which torchvision models expect. Keras exports of the
// Inception family and Xception expect NHWC values scaled to [-1, 1]
// instead: override Layout with NHWC and Mean and Std with 0.5.
func Preset(architecture string) (Extractor, error) {
	e := Extractor{
		Architecture: architecture,
		InputName:    "input",
		OutputName:   "features",
		InputSize:    224,
		Layout:       LayoutNCHW,
		Mean:         ImageNetMean,
		Std:          ImageNetStd,
	}
	switch architecture {
	case "resnet50":
		e.Features = 2048
	case "vgg16", "vgg19":
		e.Features = 512
	case "inception_v3", "xception":
		e.Features, e.InputSize = 2048, 299
	case "inception_resnet_v2":
		e.Features, e.InputSize = 1536, 299
	default:
		return Extractor{}, fmt.Errorf("%w: unknown architecture %q (known: %s)", ErrExtractor, architecture, strings.Join(Architectures(), ", "))
	}
	return e, nil
}

// Architectures returns the names Preset accepts, sorted.
func Architectures() []string {
	names := []string{"inception_resnet_v2", "inception_v3", "resnet50", "vgg16", "vgg19", "xception"}
	slices.Sort(names)
	return names
}

// Validate checks that the description is complete and consistent.
func (e *Extractor) Validate() error {
	switch {
	case e.Architecture == "" || strings.ContainsAny(e.Architecture, " ,\t\n"):
		return fmt.Errorf("%w: architecture %q must be a non-empty name without spaces or commas", ErrExtractor, e.Architecture)
	case e.File == "":
		return fmt.Errorf("%w: file is empty", ErrExtractor)
	case e.InputName == "" || e.OutputName == "":
		return fmt.Errorf("%w: input name %q and output name %q must be set", ErrExtractor, e.InputName, e.OutputName)
	case e.InputSize < 8 || e.InputSize > 4096:
		return fmt.Errorf("%w: input size %d is not in 8..4096", ErrExtractor, e.InputSize)
	case e.Layout != LayoutNCHW && e.Layout != LayoutNHWC:
		return fmt.Errorf("%w: layout %q is neither %s nor %s", ErrExtractor, e.Layout, LayoutNCHW, LayoutNHWC)
	case e.Features <= 0:
		return fmt.Errorf("%w: feature count %d must be positive", ErrExtractor, e.Features)
	}
	if e.SHA256 != "" {
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("%w: sha256 %q is not 64 hexadecimal digits", ErrExtractor, e.SHA256)
		}
	}
	for c := 0; c < 3; c++ {
		if !(e.Std[c] > 0) {
			return fmt.Errorf("%w: std %v must be positive", ErrExtractor, e.Std)
		}
	}
	return nil
}

// FeatureNames returns deep_<architecture>_0000, deep_<architecture>_0001,
// and so on, one per feature.
func (e *Extractor) FeatureNames() []string {
	names := make([]string, e.Features)
	for i := range names {
		names[i] = fmt.Sprintf("deep_%s_%04d", e.Architecture, i)
	}
	return names
}

// SameIdentity returns an error naming the first difference between e and
// o in the fields that determine feature values: architecture, checksum,
// input and output names, input size, layout, normalisation and feature
// count. The file path may differ.
func (e *Extractor) SameIdentity(o Extractor) error {
	a, b := *e, o
	a.File, b.File = "", ""
	switch {
	case a.Architecture != b.Architecture:
		return fmt.Errorf("%w: architecture %q, want %q", ErrExtractor, b.Architecture, a.Architecture)
	case !strings.EqualFold(a.SHA256, b.SHA256):
		return fmt.Errorf("%w: sha256 %s, want %s", ErrExtractor, b.SHA256, a.SHA256)
	case a.InputName != b.InputName || a.OutputName != b.OutputName:
		return fmt.Errorf("%w: input/output %s/%s, want %s/%s", ErrExtractor, b.InputName, b.OutputName, a.InputName, a.OutputName)
	case a.InputSize != b.InputSize || a.Layout != b.Layout || a.Features != b.Features:
		return fmt.Errorf("%w: size %d layout %s features %d, want %d %s %d", ErrExtractor, b.InputSize, b.Layout, b.Features, a.InputSize, a.Layout, a.Features)
	case a.Mean != b.Mean || a.Std != b.Std:
		return fmt.Errorf("%w: normalisation mean %v std %v, want mean %v std %v", ErrExtractor, b.Mean, b.Std, a.Mean, a.Std)
	}
	return nil
}

// FileSHA256 returns the hexadecimal SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
