package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
)

// defaultGrid is the hyper-parameter grid of `train`: 6 C x 6 gamma x 4 k.
// Gamma is per squared unit of standardised features, so 1/k (0.1 to 0.33
// for k = 3 to 10) lies in the middle of the range.
const defaultGrid = "c=0.1,1,10,100,1000,10000;gamma=0.001,0.01,0.03,0.1,0.3,1;k=3,5,7,10"

func init() {
	register("train", "train the models on a cohort with nested cross-validation and write a model bundle", runTrain)
}

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	manifestPath := fs.String("manifest", "", "manifest CSV `file` (columns study, label, cohort, optional path and clinical columns such as age and ldh); required")
	featurePath := fs.String("features", "", "feature table CSV `file` (column study, then one column per feature named MODALITY_feature); required")
	out := fs.String("out", "", "model bundle `file` to write (JSON); required")
	seed := fs.Uint64("seed", 1, "random seed of the folds; the same seed and data give the same bundle")
	grid := fs.String("grid", defaultGrid, "hyper-parameter grid: c=LIST;gamma=LIST;k=LIST with comma-separated values")
	repeats := fs.Int("repeats", learn.DefaultRepeats, "repetitions of the outer cross-validation")
	outer := fs.Int("outer-folds", learn.DefaultOuterFolds, "folds of the outer cross-validation")
	inner := fs.Int("inner-folds", learn.DefaultInnerFolds, "folds of the inner cross-validation (hyper-parameter choice)")
	percentile := fs.Float64("percentile", learn.DefaultPercentile, "per cent of features kept by the univariate F-test")
	rfeStep := fs.Int("rfe-step", 0, "features removed per RFE iteration; 0 uses -rfe-step-fraction")
	rfeFraction := fs.Float64("rfe-step-fraction", 0.1, "share of the RFE input features removed per iteration, in (0, 1), when -rfe-step is 0")
	models := fs.String("models", "", "comma-separated SVM models to train (for example multimodal-deep,CT-radiomics); empty trains all the feature table supports")
	primary := fs.String("primary", "", "model that scores studies in the node; empty picks multimodal-deep, else multimodal-radiomics")
	onnx := fs.String("extractor-onnx", "", "ONNX `file` of the deep feature extractor that produced the deep features (its SHA-256 goes into the bundle); required when the table has deep features")
	extractorName := fs.String("extractor-name", "resnet50", "name of the deep feature network")
	inputSize := fs.Int("extractor-input-size", 224, "input image side of the network in pixels")
	repeatPath := fs.String("repeat-features", "", "feature table `file` of a repeated segmentation of some training studies; enables the ICC filter on radiomics features")
	iccKind := fs.String("icc", "2,1", "ICC of the reproducibility filter: 2,1 or 3,1")
	iccThreshold := fs.Float64("icc-threshold", 0.85, "radiomics features need an ICC above this value")
	workers := fs.Int("workers", 0, "goroutines for the cross-validation; 0 uses GOMAXPROCS")
	verbose := fs.Bool("v", false, "log progress of every outer fold")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *manifestPath == "" || *featurePath == "" || *out == "" {
		fs.Usage()
		return errors.New("-manifest, -features and -out are required")
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// Inputs, options and the extractor's identity.
	g, err := parseGrid(*grid)
	if err != nil {
		return err
	}
	manifest, err := cohort.ReadManifestFile(*manifestPath)
	if err != nil {
		return err
	}
	table, err := cohort.ReadFeatureTableFile(*featurePath)
	if err != nil {
		return err
	}
	in := bundle.TrainInput{Manifest: manifest, Features: table, ManifestFile: filepath.Base(*manifestPath), FeatureFile: filepath.Base(*featurePath)}
	if in.DatasetSHA256, err = bundle.DatasetDigest(*manifestPath, *featurePath); err != nil {
		return err
	}
	if *repeatPath != "" {
		if in.Repeat, err = cohort.ReadFeatureTableFile(*repeatPath); err != nil {
			return err
		}
	}
	kind := learn.ICC21
	switch *iccKind {
	case "2,1":
	case "3,1":
		kind = learn.ICC31
	default:
		return fmt.Errorf("-icc %q: want 2,1 or 3,1", *iccKind)
	}
	opts := bundle.TrainOptions{
		CV: learn.CVConfig{
			Repeats: *repeats, OuterFolds: *outer, InnerFolds: *inner, Seed: *seed, Grid: g, Workers: *workers, Logger: log,
			Params: learn.PipelineParams{Percentile: *percentile, RFE: learn.RFEParams{Step: *rfeStep, StepFraction: stepFraction(*rfeStep, *rfeFraction)}},
		},
		Primary: *primary, ICCKind: kind, ICCThreshold: *iccThreshold, Software: softwareVersion(), Logger: log,
	}
	if *models != "" {
		opts.Models = strings.Split(*models, ",")
	}
	if hasDeep(table) {
		if *onnx == "" {
			return errors.New("the feature table has deep features; give the extractor's ONNX file with -extractor-onnx so the bundle records its SHA-256")
		}
		sum, err := bundle.FileSHA256(*onnx)
		if err != nil {
			return err
		}
		opts.Extractor = &bundle.Extractor{Name: *extractorName, ONNXFile: filepath.Base(*onnx), SHA256: sum,
			InputSize: *inputSize, Normalisation: bundle.ImageNetNormalisation}
	}

	// Training, report, bundle.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, err := bundle.Train(ctx, in, opts)
	if err != nil {
		return err
	}
	printTrainReport(os.Stdout, b)
	if err := b.WriteFile(*out); err != nil {
		return err
	}
	fmt.Printf("\nmodel bundle written to %s (primary model %s)\n", *out, b.Primary)
	return nil
}

// stepFraction returns the fraction to use when no integer step is given.
func stepFraction(step int, fraction float64) float64 {
	if step > 0 {
		return 0
	}
	return fraction
}

func hasDeep(t *cohort.FeatureTable) bool {
	return len(t.Columns(func(_, k string) bool { return k == cohort.KindDeep })) > 0
}

// parseGrid parses "c=0.1,1;gamma=0.01,0.1;k=3,5".
func parseGrid(s string) (learn.Grid, error) {
	var g learn.Grid
	for _, part := range strings.Split(s, ";") {
		key, list, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return g, fmt.Errorf("-grid: %q is not KEY=LIST", part)
		}
		for _, v := range strings.Split(list, ",") {
			v = strings.TrimSpace(v)
			switch strings.ToLower(key) {
			case "c", "gamma":
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || !(f > 0) {
					return g, fmt.Errorf("-grid: %s value %q is not a positive number", key, v)
				}
				if strings.ToLower(key) == "c" {
					g.C = append(g.C, f)
				} else {
					g.Gamma = append(g.Gamma, f)
				}
			case "k":
				k, err := strconv.Atoi(v)
				if err != nil || k < 1 {
					return g, fmt.Errorf("-grid: k value %q is not a positive integer", v)
				}
				g.K = append(g.K, k)
			default:
				return g, fmt.Errorf("-grid: unknown key %q (want c, gamma or k)", key)
			}
		}
	}
	if len(g.C) == 0 || len(g.Gamma) == 0 || len(g.K) == 0 {
		return g, fmt.Errorf("-grid %q: c, gamma and k each need at least one value", s)
	}
	return g, nil
}

func softwareVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return "mdm2node " + info.Main.Version
	}
	return "mdm2node"
}

func printTrainReport(w io.Writer, b *bundle.Bundle) {
	t := b.Training
	fmt.Fprintf(w, "training cohort: %d studies (%d lipoma, %d WDLPS); %d x %d-fold nested cross-validation, seed %d\n\n",
		t.Samples, t.Lipoma, t.WDLPS, t.Repeats, t.OuterFolds, t.Seed)
	fmt.Fprintf(w, "%-22s %8s %12s %12s %10s %10s %4s\n", "model", "features", "CV AUC", "SD", "C", "gamma", "k")
	for _, m := range b.SVMs {
		fmt.Fprintf(w, "%-22s %8d %12.3f %12.3f %10g %10g %4d\n", m.Name, len(m.InputFeatures), m.CV.MeanAUC, m.CV.SDAUC, m.C, m.Gamma, len(m.SelectedFeatures))
	}
	for _, m := range b.Logistic {
		fmt.Fprintf(w, "%-22s %8d %12.3f %12s   variables: %s\n", m.Name, len(m.Variables), m.CVAUC, "-", strings.Join(m.Variables, ", "))
	}
	if c := t.Clinical; c != nil {
		fmt.Fprintf(w, "\nclinical selection (univariate p < %v, multivariable p < %v):\n", learn.DefaultUnivariateP, learn.DefaultMultivariableP)
		for j, name := range c.Names {
			fmt.Fprintf(w, "  %-12s univariate p = %.4g\n", name, c.UnivariateP[j])
		}
		fmt.Fprintf(w, "  selected: %s\n", strings.Join(c.Selected, ", "))
	}
	fmt.Fprintf(w, "\nCV AUC: mean over the outer test folds of the nested cross-validation; SD over those folds.\n")
	fmt.Fprintf(w, "Logistic models: mean over repetitions of the pooled out-of-fold AUC.\n")
}
