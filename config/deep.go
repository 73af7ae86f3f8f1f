package config

// Deep is the deep section: the deep feature extractor and the ONNX Runtime library.
type Deep struct{}

func (s *Deep) setDefaults() {}

func (s *Deep) validate() error { return nil }
