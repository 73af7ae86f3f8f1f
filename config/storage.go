package config

// Storage is the storage section: where instances and the metadata database live.
type Storage struct{}

func (s *Storage) setDefaults() {}

func (s *Storage) validate() error { return nil }
