package config

import (
	"fmt"
	"math"
	"strings"
)

// Pipeline is the pipeline section: the model bundle that scores ready
// studies, the radiomics settings and the pipeline worker.
type Pipeline struct {
	// ModelBundle is the model bundle file (JSON) written by `mdm2node
	// train`. Empty disables the pipeline worker: studies are stored and
	// tracked but not scored.
	ModelBundle string `yaml:"model_bundle"`
	// RadiomicsParams is a PyRadiomics-style YAML parameter file. Empty uses
	// the 851-feature default set (Original and Wavelet images).
	RadiomicsParams string `yaml:"radiomics_params"`
	// Threshold is the decision threshold on the likelihood: at or above
	// it, the report predicts well-differentiated liposarcoma.
	Threshold float64 `yaml:"threshold"`
	// TrainingData, when not empty, replaces the statement of the model's
	// training data in the report's disclaimer. Empty describes the
	// bundle's training cohort from its metadata.
	TrainingData string `yaml:"training_data"`
}

// DefaultPipelineThreshold is the default of pipeline.threshold.
const DefaultPipelineThreshold = 0.5

func (s *Pipeline) setDefaults() {
	*s = Pipeline{Threshold: DefaultPipelineThreshold}
}

func (s *Pipeline) validate() error {
	if math.IsNaN(s.Threshold) || !(s.Threshold > 0 && s.Threshold < 1) {
		return fmt.Errorf("%w: pipeline.threshold %v must be in (0, 1)", ErrInvalid, s.Threshold)
	}
	if len(strings.TrimSpace(s.TrainingData)) > 1000 {
		return fmt.Errorf("%w: pipeline.training_data is longer than 1000 characters", ErrInvalid)
	}
	return nil
}
