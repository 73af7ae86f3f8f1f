package config

import "fmt"

// Storage is the storage section: where instances and the metadata database live.
type Storage struct {
	// DataDir is the folder of the instance files and of the bbolt index
	// (index.db). A relative path is relative to the working directory.
	DataDir string `yaml:"data_dir"`
	// DuplicatePolicy is the handling of a second instance with a stored SOP
	// Instance UID: DuplicateKeepFirst or DuplicateReplace.
	DuplicatePolicy string `yaml:"duplicate_policy"`
}

// Duplicate policies of storage.duplicate_policy.
const (
	// DuplicateKeepFirst keeps the stored instance, discards the new one and
	// returns Success, so the sender does not retry.
	DuplicateKeepFirst = "keep-first"
	// DuplicateReplace replaces the stored instance with the new one.
	DuplicateReplace = "replace"
)

// DefaultDataDir is the default storage.data_dir.
const DefaultDataDir = "var/data"

func (s *Storage) setDefaults() {
	s.DataDir = DefaultDataDir
	s.DuplicatePolicy = DuplicateKeepFirst
}

func (s *Storage) validate() error {
	if s.DataDir == "" {
		return fmt.Errorf("%w: storage.data_dir is empty", ErrInvalid)
	}
	switch s.DuplicatePolicy {
	case DuplicateKeepFirst, DuplicateReplace:
	default:
		return fmt.Errorf("%w: storage.duplicate_policy %q is not %q or %q", ErrInvalid, s.DuplicatePolicy, DuplicateKeepFirst, DuplicateReplace)
	}
	return nil
}
