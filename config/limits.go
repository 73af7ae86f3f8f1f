package config

// Limits is the limits section: resource limits of the listener.
type Limits struct{}

func (s *Limits) setDefaults() {}

func (s *Limits) validate() error { return nil }
