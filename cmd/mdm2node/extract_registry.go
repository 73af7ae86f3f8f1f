package main

import "github.com/mdm2node/mdm2node/series/volume"

// extractInput is one image and region handed to a feature set by the
// extract command.
type extractInput struct {
	Image *volume.Volume
	Mask  *volume.Mask
	// Modality is "CT" or "MR" when known, else empty.
	Modality string
	// ConfigPath is the node configuration file, empty for the defaults.
	ConfigPath string
	// ParamsPath is the optional radiomics parameter file (-params).
	ParamsPath string
}

// featureSet computes named features for one input. Names and values have
// the same length and order.
type featureSet func(in extractInput) (names []string, values []float64, err error)

// featureSets maps the names accepted by `extract -features` (for example
// "radiomics" and "deep") to their implementations; each registers itself in
// an init function of its own file.
var featureSets = map[string]featureSet{}
