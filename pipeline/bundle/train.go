package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
)

// PlattSourceCV is the PlattSource of models whose Platt parameters were
// fitted on out-of-fold decision values of a stratified 5-fold
// cross-validation of the whole pipeline.
const PlattSourceCV = "stratified 5-fold cross-validated decision values of the whole pipeline"

// plattFolds is the number of folds of that cross-validation (LIBSVM also
// uses five).
const plattFolds = 5

// TrainInput is the cohort to train on.
type TrainInput struct {
	Manifest *cohort.Manifest
	Features *cohort.FeatureTable
	// Repeat, when not nil, contains the features of a repeated segmentation
	// of some training studies. Radiomics features whose ICC over the two
	// segmentations is not above ICCThreshold are left out.
	Repeat *cohort.FeatureTable
	// DatasetSHA256 identifies the input files (see Training).
	DatasetSHA256 string
	ManifestFile  string
	FeatureFile   string
}

// TrainOptions configure Train.
type TrainOptions struct {
	CV learn.CVConfig
	// Models restricts training to these SVM model names; empty trains all
	// that the feature table supports.
	Models []string
	// Primary names the model Score uses; empty picks multimodal-deep, else
	// multimodal-radiomics, else the first model.
	Primary      string
	Extractor    *Extractor
	ICCKind      learn.ICCKind
	ICCThreshold float64
	Software     string
	Logger       *slog.Logger
	// Now returns the creation time; nil means time.Now.
	Now func() time.Time
}

// ModelSpec names one SVM model and the features it uses.
type ModelSpec struct {
	Name       string
	Modalities []string
	Kind       string
}

// Specs lists the SVM models of the reference study: radiomics and deep
// features, per modality and with the three modalities concatenated.
func Specs() []ModelSpec {
	var out []ModelSpec
	for _, kind := range []string{cohort.KindRadiomics, cohort.KindDeep} {
		for _, m := range cohort.Modalities {
			out = append(out, ModelSpec{Name: m + "-" + kind, Modalities: []string{m}, Kind: kind})
		}
		out = append(out, ModelSpec{Name: "multimodal-" + kind, Modalities: slices.Clone(cohort.Modalities), Kind: kind})
	}
	return out
}

func specNames() []string {
	var out []string
	for _, s := range Specs() {
		out = append(out, s.Name)
	}
	return out
}

// Train builds every model the cohort supports and returns the bundle.
func Train(ctx context.Context, in TrainInput, opts TrainOptions) (*Bundle, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}

	// 1. Training studies and their feature rows.
	studies := in.Manifest.Cohort(cohort.CohortTrain)
	labels := make([]int, len(studies))
	rows := make([][]float64, len(studies))
	for i, s := range studies {
		row, ok := in.Features.Row(s.ID)
		if !ok {
			return nil, fmt.Errorf("%w: %s", cohort.ErrMissingStudy, s.ID)
		}
		rows[i], labels[i] = row, s.Label
	}
	n1 := 0
	for _, l := range labels {
		n1 += l
	}
	cv := opts.CV
	b := &Bundle{
		Format: Format, Version: Version, Created: now().UTC(), Software: opts.Software,
		IntendedUse: IntendedUse, Extractor: opts.Extractor,
		Training: Training{
			DatasetSHA256: in.DatasetSHA256, ManifestFile: in.ManifestFile, FeatureFile: in.FeatureFile,
			Samples: len(studies), Lipoma: len(studies) - n1, WDLPS: n1, Seed: cv.Seed,
			Repeats: orDefault(cv.Repeats, learn.DefaultRepeats), OuterFolds: orDefault(cv.OuterFolds, learn.DefaultOuterFolds),
			InnerFolds: orDefault(cv.InnerFolds, learn.DefaultInnerFolds), Grid: cv.Grid,
			Percentile: orDefaultF(cv.Params.Percentile, learn.DefaultPercentile),
			RFEStep:    cv.Params.RFE.Step, RFEStepFraction: cv.Params.RFE.StepFraction,
		},
	}

	// 2. Reproducibility filter on the radiomics features.
	excluded, err := iccExclusions(in, studies, opts, log)
	if err != nil {
		return nil, err
	}
	if excluded != nil {
		b.Training.ReproducibilityFilter = fmt.Sprintf("%s > %v over %d repeated studies; %d radiomics features left out",
			opts.ICCKind, opts.ICCThreshold, countShared(in, studies), len(excluded))
	}

	// 3. One SVM pipeline per model specification.
	for _, name := range opts.Models {
		if !slices.ContainsFunc(Specs(), func(s ModelSpec) bool { return s.Name == name }) {
			return nil, fmt.Errorf("%w: %q; the SVM models are %s", ErrNoModel, name, strings.Join(specNames(), ", "))
		}
	}
	oof := map[string][]float64{}
	for _, spec := range Specs() {
		if len(opts.Models) > 0 && !slices.Contains(opts.Models, spec.Name) {
			continue
		}
		cols := in.Features.Columns(func(m, k string) bool { return k == spec.Kind && slices.Contains(spec.Modalities, m) })
		cols = slices.DeleteFunc(cols, func(j int) bool { return excluded[j] })
		if len(cols) == 0 {
			log.Info("model skipped, no features", "model", spec.Name)
			continue
		}
		model, decision, err := trainSVM(ctx, spec, cols, in, studies, rows, labels, cv, log)
		if err != nil {
			return nil, fmt.Errorf("bundle: model %s: %w", spec.Name, err)
		}
		b.SVMs = append(b.SVMs, *model)
		oof[spec.Name] = decision
	}
	if len(b.SVMs) == 0 {
		return nil, fmt.Errorf("%w: no model could be trained; the feature table has no usable features", ErrInvalid)
	}
	b.Primary = pickPrimary(b, opts.Primary)
	if !b.UsesDeepFeatures() {
		b.Extractor = nil
	}

	// 4. Clinical selection, clinical model and nomogram.
	if err := trainClinical(ctx, b, in.Manifest, studies, labels, oof, cv, log); err != nil {
		return nil, err
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return b, nil
}

func trainSVM(ctx context.Context, spec ModelSpec, cols []int, in TrainInput, studies []cohort.Study,
	rows [][]float64, labels []int, cv learn.CVConfig, log *slog.Logger) (*SVMModel, []float64, error) {
	// Matrix of the model's columns; NaN is an error naming the study,
	// constant columns are left out.
	x := make([][]float64, len(rows))
	for i, row := range rows {
		x[i] = make([]float64, len(cols))
		for c, j := range cols {
			v := row[j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("%w: study %s, feature %s", learn.ErrNonFinite, studies[i].ID, in.Features.Names[j])
			}
			x[i][c] = v
		}
	}
	if constant := learn.ConstantColumns(x); len(constant) > 0 {
		log.Warn("constant features left out", "model", spec.Name, "count", len(constant))
		keep := make([]int, 0, len(cols)-len(constant))
		for c := range cols {
			if !slices.Contains(constant, c) {
				keep = append(keep, c)
			}
		}
		cols = pick(cols, keep)
		for i := range x {
			x[i] = pick(x[i], keep)
		}
	}
	names := make([]string, len(cols))
	for c, j := range cols {
		names[c] = in.Features.Names[j]
	}
	started := time.Now()
	log.Info("nested cross-validation started", "model", spec.Name, "features", len(cols), "samples", len(x))

	// Nested CV estimate, final hyper-parameters, final fit, Platt scaling.
	res, err := learn.NestedCV(ctx, x, labels, cv)
	if err != nil {
		return nil, nil, err
	}
	sel, err := learn.SelectHyper(ctx, x, labels, cv)
	if err != nil {
		return nil, nil, err
	}
	fit, err := learn.FitModel(x, labels, sel.Best, cv.Params)
	if err != nil {
		return nil, nil, err
	}
	cvDecision, err := learn.CrossValidatedDecision(ctx, x, labels, sel.Best, plattFolds, cv)
	if err != nil {
		return nil, nil, err
	}
	platt, err := learn.FitPlatt(cvDecision, labels)
	if err != nil && !errors.Is(err, learn.ErrNotConverged) {
		return nil, nil, err
	}
	if err != nil {
		log.Warn("platt scaling stopped early", "model", spec.Name, "err", err)
	}
	log.Info("model trained", "model", spec.Name, "cv_auc", res.MeanAUC, "c", sel.Best.C, "gamma", sel.Best.Gamma,
		"k", sel.Best.K, "seconds", time.Since(started).Seconds())

	m := &SVMModel{
		Name: spec.Name, Modalities: spec.Modalities, Kinds: []string{spec.Kind}, InputFeatures: names,
		Kernel: "rbf", C: sel.Best.C, Gamma: sel.Best.Gamma,
		SupportVectors: fit.SVC.SupportVectors, DualCoef: fit.SVC.DualCoef, Intercept: fit.SVC.Intercept,
		PlattA: platt.A, PlattB: platt.B, PlattSource: PlattSourceCV,
		CV: CVSummary{MeanAUC: res.MeanAUC, SDAUC: res.SDAUC, RepeatAUC: res.RepeatAUC, Chosen: countChosen(res), SelectionAUC: sel.MeanAUC},
	}
	for _, j := range fit.Selected {
		m.SelectedFeatures = append(m.SelectedFeatures, names[j])
		m.ScalerMean = append(m.ScalerMean, fit.Scaler.Mean[j])
		m.ScalerScale = append(m.ScalerScale, fit.Scaler.Scale[j])
	}
	return m, meanOOF(res), nil
}

// meanOOF averages each sample's out-of-fold decision value over the
// repetitions.
func meanOOF(res *learn.NestedCVResult) []float64 {
	out := make([]float64, len(res.OOFDecision[0]))
	for _, rep := range res.OOFDecision {
		for i, v := range rep {
			out[i] += v / float64(len(res.OOFDecision))
		}
	}
	return out
}

func countChosen(res *learn.NestedCVResult) []HyperCount {
	var out []HyperCount
	for _, o := range res.Outer {
		i := slices.IndexFunc(out, func(h HyperCount) bool { return h.Hyper == o.Best })
		if i < 0 {
			out = append(out, HyperCount{Hyper: o.Best})
			i = len(out) - 1
		}
		out[i].Count++
	}
	slices.SortStableFunc(out, func(a, b HyperCount) int { return b.Count - a.Count })
	return out
}

func pickPrimary(b *Bundle, want string) string {
	if want != "" {
		return want
	}
	for _, name := range []string{"multimodal-deep", "multimodal-radiomics"} {
		if svmExists(b, name) {
			return name
		}
	}
	return b.SVMs[0].Name
}

func pick[T any](v []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDefaultF(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// DatasetDigest returns the hexadecimal SHA-256 of the bytes of the given
// files, read in order.
func DatasetDigest(paths ...string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("bundle: %w", err)
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileSHA256 returns the hexadecimal SHA-256 of a file, for example the
// ONNX model of the extractor.
func FileSHA256(path string) (string, error) {
	return DatasetDigest(path)
}
