package bundle

import (
	"time"

	"github.com/mdm2node/mdm2node/pipeline/learn"
)

// Format and Version identify the file layout this package reads and writes.
const (
	Format  = "mdm2node-model-bundle"
	Version = 1
)

// IntendedUse is the statement stored in every bundle trained by mdm2node.
const IntendedUse = "Research use. Estimates the likelihood of MDM2 gene amplification " +
	"(well-differentiated liposarcoma versus lipoma) for an adult fatty soft-tissue " +
	"tumour from pre-operative contrast-enhanced CT, axial T1-weighted MR and " +
	"fat-suppressed T2-weighted MR with a whole-tumour region on each. It supports, " +
	"and does not replace, FISH for MDM2 on tissue. Validate it on local data before use."

// Bundle is the content of a model bundle file.
type Bundle struct {
	Format      string    `json:"format"`
	Version     int       `json:"version"`
	Created     time.Time `json:"created"`
	Software    string    `json:"software"`
	IntendedUse string    `json:"intended_use"`
	// Primary names the model Score uses.
	Primary string `json:"primary"`
	// Extractor identifies the deep feature extractor; nil when no model
	// uses deep features.
	Extractor *Extractor      `json:"extractor,omitempty"`
	Training  Training        `json:"training"`
	SVMs      []SVMModel      `json:"svm_models"`
	Logistic  []LogisticModel `json:"logistic_models,omitempty"`
}

// Extractor identifies the CNN that computes the deep features. The deep
// feature package records the same fields for the model it runs.
type Extractor struct {
	// Name is the network, for example "resnet50".
	Name string `json:"name"`
	// ONNXFile is the base name of the ONNX model file.
	ONNXFile string `json:"onnx_file"`
	// SHA256 is the hexadecimal SHA-256 of the ONNX file.
	SHA256 string `json:"sha256"`
	// InputSize is the side of the square input image in pixels (224).
	InputSize int `json:"input_size"`
	// Normalisation is applied to the input image before the network.
	Normalisation Normalisation `json:"normalisation"`
}

// Normalisation maps the cropped region's intensities to the network input:
// scaled to [0, 1], then (v - Mean[c]) / Std[c] per channel.
type Normalisation struct {
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
	// Description describes how intensities are mapped to [0, 1] (for example the
	// window used for CT).
	Description string `json:"description,omitempty"`
}

// ImageNetNormalisation is the per-channel mean and standard deviation of
// the ImageNet training images used by torchvision's pretrained ResNet50.
var ImageNetNormalisation = Normalisation{
	Mean: []float64{0.485, 0.456, 0.406},
	Std:  []float64{0.229, 0.224, 0.225},
}

// Training describes the data and settings a bundle was trained with.
type Training struct {
	// DatasetSHA256 is the SHA-256 of the manifest file's bytes followed by
	// the feature table file's bytes.
	DatasetSHA256   string     `json:"dataset_sha256"`
	ManifestFile    string     `json:"manifest_file"`
	FeatureFile     string     `json:"feature_file"`
	Samples         int        `json:"samples"`
	Lipoma          int        `json:"lipoma"`
	WDLPS           int        `json:"wdlps"`
	Seed            uint64     `json:"seed"`
	Repeats         int        `json:"repeats"`
	OuterFolds      int        `json:"outer_folds"`
	InnerFolds      int        `json:"inner_folds"`
	Grid            learn.Grid `json:"grid"`
	Percentile      float64    `json:"ftest_percentile"`
	RFEStep         int        `json:"rfe_step,omitempty"`
	RFEStepFraction float64    `json:"rfe_step_fraction,omitempty"`
	// Clinical records the clinical variable selection, when run.
	Clinical *learn.ClinicalSelection `json:"clinical_selection,omitempty"`
	// ReproducibilityFilter describes the ICC filter, when applied.
	ReproducibilityFilter string `json:"reproducibility_filter,omitempty"`
}

// CVSummary is the nested cross-validation result of one model.
type CVSummary struct {
	// MeanAUC and SDAUC summarise the outer-fold AUCs.
	MeanAUC float64 `json:"mean_auc"`
	SDAUC   float64 `json:"sd_auc"`
	// RepeatAUC is the pooled out-of-fold AUC of each repetition.
	RepeatAUC []float64 `json:"repeat_auc"`
	// Chosen counts how often each hyper-parameter point won an outer fold.
	Chosen []HyperCount `json:"chosen"`
	// SelectionAUC is the mean validation AUC of the final hyper-parameters
	// in the final search on the whole training cohort.
	SelectionAUC float64 `json:"selection_auc"`
}

// HyperCount is a hyper-parameter point and how often it was chosen.
type HyperCount struct {
	learn.Hyper
	Count int `json:"count"`
}

// SVMModel is one trained pipeline: standardise the selected features with
// ScalerMean and ScalerScale, compute the RBF SVM decision value, and map it
// to a probability with Platt scaling.
type SVMModel struct {
	Name string `json:"name"`
	// Modalities and Kinds describe the inputs (for example CT, T1WI, T2FS
	// and deep).
	Modalities []string `json:"modalities"`
	Kinds      []string `json:"kinds"`
	// InputFeatures are all features the model was trained on, in order;
	// Score requires every one of them.
	InputFeatures []string `json:"input_features"`
	// SelectedFeatures are the SVM's inputs, a subset of InputFeatures.
	SelectedFeatures []string  `json:"selected_features"`
	ScalerMean       []float64 `json:"scaler_mean"`
	ScalerScale      []float64 `json:"scaler_scale"`
	Kernel           string    `json:"kernel"`
	C                float64   `json:"c"`
	Gamma            float64   `json:"gamma"`
	// SupportVectors are standardised, one per row, columns as
	// SelectedFeatures.
	SupportVectors [][]float64 `json:"support_vectors"`
	DualCoef       []float64   `json:"dual_coef"`
	Intercept      float64     `json:"intercept"`
	PlattA         float64     `json:"platt_a"`
	PlattB         float64     `json:"platt_b"`
	// PlattSource names the decision values the Platt parameters were fitted
	// on.
	PlattSource string    `json:"platt_source"`
	CV          CVSummary `json:"cv"`
}

// LogisticModel is a logistic regression on clinical variables and,
// for the nomogram, the decision value of an SVM model (the variable named
// SignatureVariable).
type LogisticModel struct {
	Name string `json:"name"`
	// Variables are the model's inputs, in coefficient order.
	Variables []string `json:"variables"`
	// Coef, SE, P, CILow and CIHigh have the intercept first.
	Coef   []float64 `json:"coef"`
	SE     []float64 `json:"se"`
	P      []float64 `json:"p"`
	CILow  []float64 `json:"ci_low"`
	CIHigh []float64 `json:"ci_high"`
	// Signature names the SVM model whose decision value is the variable
	// SignatureVariable; empty for a clinical-only model.
	Signature string `json:"signature,omitempty"`
	// CVAUC is the cross-validated AUC when available.
	CVAUC float64 `json:"cv_auc,omitempty"`
	// Method is the estimation method: maximum likelihood, or Firth's
	// penalised likelihood when the classes are separated.
	Method string `json:"method"`
}

// SignatureVariable is the variable name of the SVM decision value in a
// nomogram.
const SignatureVariable = "signature"
