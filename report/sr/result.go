package sr

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
)

// Class is the predicted histological class of the tumour.
type Class int

// The two classes the model separates. The values are explicit because they
// may be stored.
const (
	ClassLipoma                        Class = 1
	ClassWellDifferentiatedLiposarcoma Class = 2
)

// String returns the class name used in messages.
func (c Class) String() string {
	switch c {
	case ClassLipoma:
		return "lipoma"
	case ClassWellDifferentiatedLiposarcoma:
		return "well-differentiated liposarcoma"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

func (c Class) code() (Code, bool) {
	switch c {
	case ClassLipoma:
		return codeLipoma, true
	case ClassWellDifferentiatedLiposarcoma:
		return codeWellDifferentiatedLiposarcoma, true
	}
	return Code{}, false
}

// ModelKind is the model whose output the likelihood is.
type ModelKind int

// The models of the pipeline: deep features with an SVM, radiomics features
// with an SVM, and the nomogram that adds age and serum LDH to the deep
// signature.
const (
	ModelDeep      ModelKind = 1
	ModelRadiomics ModelKind = 2
	ModelNomogram  ModelKind = 3
)

// String returns the model name used in messages.
func (m ModelKind) String() string {
	switch m {
	case ModelDeep:
		return "deep"
	case ModelRadiomics:
		return "radiomics"
	case ModelNomogram:
		return "nomogram"
	}
	return fmt.Sprintf("ModelKind(%d)", int(m))
}

func (m ModelKind) code() (Code, bool) {
	switch m {
	case ModelDeep:
		return codeModelDeep, true
	case ModelRadiomics:
		return codeModelRadiomics, true
	case ModelNomogram:
		return codeModelNomogram, true
	}
	return Code{}, false
}

// Result is the output of the pipeline for one tumour of one study.
type Result struct {
	// Likelihood is the calibrated probability of MDM2 amplification, in
	// [0, 1].
	Likelihood float64
	// Threshold is the decision threshold in [0, 1]: a likelihood at or above
	// it predicts well-differentiated liposarcoma.
	Threshold float64
	// Class must agree with Likelihood and Threshold.
	Class Class
	// Model is the model that produced Likelihood.
	Model ModelKind

	// AlgorithmName and AlgorithmVersion identify the software (PS3.16
	// TID 4019), at most 64 characters each.
	AlgorithmName    string
	AlgorithmVersion string
	// AlgorithmParameters are extra parameters, one TEXT item each.
	AlgorithmParameters []string
	// BundleID and BundleSHA256 identify the model bundle. BundleSHA256 is
	// 64 hexadecimal digits.
	BundleID     string
	BundleSHA256 string

	// TrainingData names the data the model was trained on, for example
	// "synthetic phantom studies". It goes in the disclaimer TEXT item.
	TrainingData string

	// TrackingID names the tumour (at most 64 characters); empty means
	// "tumour". TrackingUID is its unique identifier; empty means a new one.
	TrackingID  string
	TrackingUID string
}

// validate checks r and returns an error wrapping ErrInvalidResult that
// names the first bad field.
func (r *Result) validate() error {
	if r == nil {
		return fmt.Errorf("%w: nil result", ErrInvalidResult)
	}

	// Numbers and the class they imply.
	if math.IsNaN(r.Likelihood) || r.Likelihood < 0 || r.Likelihood > 1 {
		return fmt.Errorf("%w: likelihood %v is outside [0, 1]", ErrInvalidResult, r.Likelihood)
	}
	if math.IsNaN(r.Threshold) || r.Threshold < 0 || r.Threshold > 1 {
		return fmt.Errorf("%w: threshold %v is outside [0, 1]", ErrInvalidResult, r.Threshold)
	}
	if _, ok := r.Class.code(); !ok {
		return fmt.Errorf("%w: unknown class %v", ErrInvalidResult, r.Class)
	}
	want := ClassLipoma
	if r.Likelihood >= r.Threshold {
		want = ClassWellDifferentiatedLiposarcoma
	}
	if r.Class != want {
		return fmt.Errorf("%w: class %v disagrees with likelihood %v and threshold %v, which give %v",
			ErrInvalidResult, r.Class, r.Likelihood, r.Threshold, want)
	}

	// Model and algorithm identification.
	if _, ok := r.Model.code(); !ok {
		return fmt.Errorf("%w: unknown model %v", ErrInvalidResult, r.Model)
	}
	if strings.TrimSpace(r.AlgorithmName) == "" {
		return fmt.Errorf("%w: missing algorithm name", ErrInvalidResult)
	}
	if strings.TrimSpace(r.AlgorithmVersion) == "" {
		return fmt.Errorf("%w: missing algorithm version", ErrInvalidResult)
	}
	if strings.TrimSpace(r.BundleID) == "" {
		return fmt.Errorf("%w: missing model bundle id", ErrInvalidResult)
	}
	if b, err := hex.DecodeString(r.BundleSHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("%w: model bundle SHA-256 %q is not 64 hexadecimal digits", ErrInvalidResult, r.BundleSHA256)
	}
	if strings.TrimSpace(r.TrainingData) == "" {
		return fmt.Errorf("%w: missing training data statement", ErrInvalidResult)
	}
	if r.TrackingUID != "" {
		if err := dcmuid.Check(r.TrackingUID); err != nil {
			return fmt.Errorf("%w: tracking UID: %w", ErrInvalidResult, err)
		}
	}
	return nil
}

// Options are the node's identity and the numbering of the new series.
type Options struct {
	// NodeName is the Device Observer Name, for example the node's AE title.
	NodeName string
	// DeviceUID is the Device Observer UID; it should stay the same for one
	// installation.
	DeviceUID string
	// ModelName is the Manufacturer's Model Name and Device Observer Model
	// Name; empty means "mdm2node".
	ModelName string
	// SoftwareVersion goes in Software Versions (0018,1020); empty leaves it
	// out.
	SoftwareVersion string
	// SeriesNumber and InstanceNumber number the new series and instance;
	// zero means 1.
	SeriesNumber   int
	InstanceNumber int
	// Now is the content date and time; zero means time.Now().
	Now time.Time
	// SeriesInstanceUID and SOPInstanceUID are the new UIDs; empty means
	// fresh ones from dcmuid.New.
	SeriesInstanceUID string
	SOPInstanceUID    string
}
