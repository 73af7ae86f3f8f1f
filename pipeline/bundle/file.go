package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile writes b to path as indented JSON. The file is written to a
// temporary name in the same folder and renamed, so a reader never sees a
// partial bundle.
func (b *Bundle) WriteFile(path string) error {
	if err := b.validate(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return fmt.Errorf("bundle: encode: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bundle-*")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("bundle: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("bundle: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("bundle: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// LoadOptions configure the checks of Load.
type LoadOptions struct {
	// ExtractorSHA256 is the SHA-256 (hexadecimal) of the configured ONNX
	// model. A bundle with deep-feature models loads only when its extractor
	// has this checksum.
	ExtractorSHA256 string
	// SkipExtractorCheck disables that check, for evaluating a bundle on a
	// feature table that was computed earlier.
	SkipExtractorCheck bool
}

// Load reads a bundle from path. It returns ErrUnknownVersion for another
// format or version, ErrExtractorMismatch when the extractor check fails and
// ErrInvalid for inconsistent contents.
func Load(path string, opts LoadOptions) (*Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	b, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !opts.SkipExtractorCheck {
		if err := b.CheckExtractor(opts.ExtractorSHA256); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return b, nil
}

// Decode parses and validates a bundle without the extractor check.
func Decode(data []byte) (*Bundle, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: not a JSON model bundle: %v", ErrUnknownVersion, err)
	}
	if head.Format != Format || head.Version != Version {
		return nil, fmt.Errorf("%w: format %q version %d, this build reads %q version %d", ErrUnknownVersion, head.Format, head.Version, Format, Version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Bundle
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// UsesDeepFeatures reports whether any model has deep features among its
// inputs.
func (b *Bundle) UsesDeepFeatures() bool {
	for _, m := range b.SVMs {
		for _, k := range m.Kinds {
			if k == "deep" {
				return true
			}
		}
	}
	return false
}

// CheckExtractor returns ErrExtractorMismatch when the bundle uses deep
// features and its extractor's SHA-256 is not sha256 (compared without
// regard to case).
func (b *Bundle) CheckExtractor(sha256 string) error {
	if !b.UsesDeepFeatures() {
		return nil
	}
	if b.Extractor == nil || b.Extractor.SHA256 == "" {
		return fmt.Errorf("%w: the bundle records no extractor checksum", ErrExtractorMismatch)
	}
	if sha256 == "" {
		return fmt.Errorf("%w: no extractor checksum configured; the bundle needs %s (%s)", ErrExtractorMismatch, b.Extractor.SHA256, b.Extractor.ONNXFile)
	}
	if !strings.EqualFold(b.Extractor.SHA256, sha256) {
		return fmt.Errorf("%w: configured SHA-256 %s, bundle %s (%s)", ErrExtractorMismatch, sha256, b.Extractor.SHA256, b.Extractor.ONNXFile)
	}
	return nil
}

// validate checks that the arrays of every model agree in length and that
// the primary model and every nomogram signature exist.
func (b *Bundle) validate() error {
	names := map[string]bool{}
	for _, m := range b.SVMs {
		if names[m.Name] {
			return fmt.Errorf("%w: model %q appears twice", ErrInvalid, m.Name)
		}
		names[m.Name] = true
		k := len(m.SelectedFeatures)
		if k == 0 || len(m.ScalerMean) != k || len(m.ScalerScale) != k {
			return fmt.Errorf("%w: model %q has %d selected features, %d means and %d scales", ErrInvalid, m.Name, k, len(m.ScalerMean), len(m.ScalerScale))
		}
		if len(m.SupportVectors) != len(m.DualCoef) {
			return fmt.Errorf("%w: model %q has %d support vectors and %d coefficients", ErrInvalid, m.Name, len(m.SupportVectors), len(m.DualCoef))
		}
		for i, sv := range m.SupportVectors {
			if len(sv) != k {
				return fmt.Errorf("%w: model %q support vector %d has %d values for %d features", ErrInvalid, m.Name, i, len(sv), k)
			}
		}
		if m.Kernel != "rbf" || !(m.Gamma > 0) {
			return fmt.Errorf("%w: model %q kernel %q gamma %v", ErrInvalid, m.Name, m.Kernel, m.Gamma)
		}
		inputs := map[string]bool{}
		for _, f := range m.InputFeatures {
			inputs[f] = true
		}
		for _, f := range m.SelectedFeatures {
			if !inputs[f] {
				return fmt.Errorf("%w: model %q selects %q, which is not among its inputs", ErrInvalid, m.Name, f)
			}
		}
	}
	for _, m := range b.Logistic {
		if names[m.Name] {
			return fmt.Errorf("%w: model %q appears twice", ErrInvalid, m.Name)
		}
		names[m.Name] = true
		d := len(m.Variables) + 1
		if len(m.Coef) != d {
			return fmt.Errorf("%w: model %q has %d coefficients for %d variables and the intercept", ErrInvalid, m.Name, len(m.Coef), len(m.Variables))
		}
		if m.Signature != "" && !svmExists(b, m.Signature) {
			return fmt.Errorf("%w: model %q uses the signature of %q, which is not in the bundle", ErrInvalid, m.Name, m.Signature)
		}
	}
	if !names[b.Primary] {
		return fmt.Errorf("%w: primary model %q is not in the bundle", ErrInvalid, b.Primary)
	}
	return nil
}

func svmExists(b *Bundle, name string) bool {
	for _, m := range b.SVMs {
		if m.Name == name {
			return true
		}
	}
	return false
}
