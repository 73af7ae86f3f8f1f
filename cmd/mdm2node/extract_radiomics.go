package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mdm2node/mdm2node/pipeline/radiomics"
)

func init() {
	featureSets["radiomics"] = extractRadiomics
}

// loadRadiomicsParams reads the -params file, or returns the default
// 851-feature set when path is empty.
func loadRadiomicsParams(path string) (radiomics.Params, error) {
	if path == "" {
		return radiomics.DefaultParams(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return radiomics.Params{}, fmt.Errorf("radiomics parameters: %w", err)
	}
	defer f.Close()
	p, err := radiomics.ReadParams(f)
	if err != nil {
		return radiomics.Params{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// extractRadiomics computes the PyRadiomics feature set for one input.
func extractRadiomics(in extractInput) ([]string, []float64, error) {
	p, err := loadRadiomicsParams(in.ParamsPath)
	if err != nil {
		return nil, nil, err
	}
	res, err := radiomics.Extract(context.Background(), in.Image, in.Mask, p)
	if err != nil {
		return nil, nil, err
	}
	return res.Names, res.Values, nil
}
