package config

// Results is the results section: SR delivery destinations and retry policy.
type Results struct{}

func (s *Results) setDefaults() {}

func (s *Results) validate() error { return nil }
