package config

// Series is the series section: series role rules, regions and study readiness.
type Series struct{}

func (s *Series) setDefaults() {}

func (s *Series) validate() error { return nil }
