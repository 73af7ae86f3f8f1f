package config

import "fmt"

// Audit is the audit section: the audit log.
type Audit struct {
	// Path is the JSON-lines audit log file; it is created when missing and
	// appended to otherwise.
	Path string `yaml:"path"`
}

// DefaultAuditPath is the default audit.path.
const DefaultAuditPath = "var/audit.log"

func (s *Audit) setDefaults() {
	s.Path = DefaultAuditPath
}

func (s *Audit) validate() error {
	if s.Path == "" {
		return fmt.Errorf("%w: audit.path is empty", ErrInvalid)
	}
	return nil
}
