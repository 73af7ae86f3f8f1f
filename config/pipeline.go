package config

// Pipeline is the pipeline section: radiomics settings, model bundle and the pipeline worker.
type Pipeline struct{}

func (s *Pipeline) setDefaults() {}

func (s *Pipeline) validate() error { return nil }
