// Package config loads the node's YAML configuration file. The default file,
// config.yaml at the repository root, documents every key inline.
//
// Each top-level section has its own Go type in its own file of this package,
// so that the package that uses a section owns its keys and defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// ErrInvalid is returned by Load when the file parses but a value is out of
// range or inconsistent.
var ErrInvalid = errors.New("config: invalid value")

// Config is the whole configuration file.
type Config struct {
	Node     Node     `yaml:"node"`
	Limits   Limits   `yaml:"limits"`
	Storage  Storage  `yaml:"storage"`
	Audit    Audit    `yaml:"audit"`
	Series   Series   `yaml:"series"`
	Pipeline Pipeline `yaml:"pipeline"`
	Deep     Deep     `yaml:"deep"`
	Results  Results  `yaml:"results"`
}

// Load reads the file at path over the defaults and validates the result.
// Unknown keys are an error, so that a misspelt key is not silently ignored.
func Load(path string) (*Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return cfg, nil
}

// Default returns the built-in defaults, the same values config.yaml holds.
func Default() *Config {
	cfg := &Config{}
	cfg.Node.setDefaults()
	cfg.Limits.setDefaults()
	cfg.Storage.setDefaults()
	cfg.Audit.setDefaults()
	cfg.Series.setDefaults()
	cfg.Pipeline.setDefaults()
	cfg.Deep.setDefaults()
	cfg.Results.setDefaults()
	return cfg
}

// Validate checks every section and returns the first problem found.
func (c *Config) Validate() error {
	checks := []func() error{
		c.Node.validate, c.Limits.validate, c.Storage.validate, c.Audit.validate,
		c.Series.validate, c.Pipeline.validate, c.Deep.validate, c.Results.validate,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}
