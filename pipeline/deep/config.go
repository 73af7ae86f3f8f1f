package deep

import (
	"errors"
	"fmt"

	"github.com/mdm2node/mdm2node/config"
)

// FromConfig turns the deep section of the configuration into an extractor
// description, preprocessing options and session options. Empty and zero
// model keys take the architecture's preset. An architecture without a
// preset needs input_size and features. Its other keys default to the
// "input" and "features" names, NCHW layout and ImageNet normalisation.
func FromConfig(c config.Deep) (Extractor, Preprocess, SessionOptions, error) {
	m := c.Model
	ext, err := Preset(m.Architecture)
	if errors.Is(err, ErrExtractor) {
		if m.InputSize == 0 || m.Features == 0 {
			return Extractor{}, Preprocess{}, SessionOptions{}, fmt.Errorf("%w: deep.model.architecture %q has no preset, so deep.model.input_size and deep.model.features must be set", ErrExtractor, m.Architecture)
		}
		ext = Extractor{Architecture: m.Architecture, InputName: "input", OutputName: "features", Layout: LayoutNCHW, Mean: ImageNetMean, Std: ImageNetStd}
	}

	ext.File, ext.SHA256 = m.File, m.SHA256
	setString(&ext.InputName, m.InputName)
	setString(&ext.OutputName, m.OutputName)
	setString(&ext.Layout, m.Layout)
	if m.InputSize > 0 {
		ext.InputSize = m.InputSize
	}
	if m.Features > 0 {
		ext.Features = m.Features
	}
	if len(m.Mean) == 3 {
		ext.Mean = [3]float64(m.Mean)
	}
	if len(m.Std) == 3 {
		ext.Std = [3]float64(m.Std)
	}
	if err := ext.Validate(); err != nil {
		return Extractor{}, Preprocess{}, SessionOptions{}, err
	}

	p := c.Preprocessing
	pre := Preprocess{MarginMM: p.MarginMM, NeighbourSlices: p.NeighbourSlices}
	if len(p.CTWindow) == 2 {
		pre.CTWindow = [2]float64(p.CTWindow)
	}
	if len(p.MRPercentiles) == 2 {
		pre.MRPercentiles = [2]float64(p.MRPercentiles)
	}
	if err := pre.Validate(); err != nil {
		return Extractor{}, Preprocess{}, SessionOptions{}, err
	}
	opt := SessionOptions{Library: LibraryPath(c.ONNXRuntimeLibrary, ""), IntraOpThreads: c.IntraOpThreads}
	return ext, pre, opt, nil
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
