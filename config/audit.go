package config

// Audit is the audit section: the audit log.
type Audit struct{}

func (s *Audit) setDefaults() {}

func (s *Audit) validate() error { return nil }
