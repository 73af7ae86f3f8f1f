// Command nestedcv times the Go nested cross-validation on a cohort made by
// gencohort and writes the folds, the grid and the chosen hyper-parameters
// to a JSON file, which sklearn_nested.py reads to run the equivalent
// scikit-learn pipeline on the same folds. See run.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
)

// output is the JSON written for sklearn_nested.py.
type output struct {
	Manifest     string             `json:"manifest"`
	Features     string             `json:"features"`
	Studies      []string           `json:"studies"`
	Grid         learn.Grid         `json:"grid"`
	Percentile   float64            `json:"percentile"`
	StepFraction float64            `json:"rfe_step_fraction"`
	Plan         []learn.OuterSplit `json:"plan"`
	Workers      int                `json:"workers"`
	Seconds      float64            `json:"go_seconds"`
	Outer        []outerResult      `json:"go_outer"`
	MeanAUC      float64            `json:"go_mean_auc"`
}

type outerResult struct {
	Best     learn.Hyper `json:"best"`
	InnerAUC float64     `json:"inner_auc"`
	TestAUC  float64     `json:"test_auc"`
}

func main() {
	dir := flag.String("data", "cohort", "folder with manifest.csv and features.csv from gencohort")
	out := flag.String("out", "go_nested.json", "output JSON `file`")
	seed := flag.Uint64("seed", 1, "seed of the folds")
	repeats := flag.Int("repeats", 10, "repetitions of the outer cross-validation")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "goroutines")
	flag.Parse()

	manifestPath, featurePath := *dir+"/manifest.csv", *dir+"/features.csv"
	m, err := cohort.ReadManifestFile(manifestPath)
	if err != nil {
		log.Fatal(err)
	}
	table, err := cohort.ReadFeatureTableFile(featurePath)
	if err != nil {
		log.Fatal(err)
	}
	var x [][]float64
	var y []int
	var ids []string
	for _, s := range m.Cohort(cohort.CohortTrain) {
		row, ok := table.Row(s.ID)
		if !ok {
			log.Fatalf("study %s missing from the feature table", s.ID)
		}
		x, y, ids = append(x, row), append(y, s.Label), append(ids, s.ID)
	}

	cfg := learn.CVConfig{
		Repeats: *repeats, Seed: *seed, Workers: *workers,
		Grid: learn.Grid{
			C:     []float64{0.1, 1, 10, 100, 1000, 10000},
			Gamma: []float64{0.001, 0.01, 0.03, 0.1, 0.3, 1},
			K:     []int{3, 5, 7, 10},
		},
		Params: learn.PipelineParams{Percentile: 20, RFE: learn.RFEParams{StepFraction: 0.1}},
	}
	plan, err := learn.PlanNestedCV(y, cfg)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	res, err := learn.RunNestedCV(context.Background(), x, y, plan, cfg)
	if err != nil {
		log.Fatal(err)
	}
	seconds := time.Since(start).Seconds()

	o := output{Manifest: manifestPath, Features: featurePath, Studies: ids, Grid: cfg.Grid, Percentile: 20,
		StepFraction: 0.1, Plan: plan, Workers: *workers, Seconds: seconds, MeanAUC: res.MeanAUC}
	for _, r := range res.Outer {
		o.Outer = append(o.Outer, outerResult{Best: r.Best, InnerAUC: r.InnerAUC, TestAUC: r.TestAUC})
	}
	data, err := json.Marshal(o)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go: %d samples x %d features, %d outer splits, %d grid points, %d workers: %.1f s (%.2f s per outer split), mean outer AUC %.4f\n",
		len(x), len(table.Names), len(plan), len(cfg.Grid.Candidates()), *workers, seconds, seconds/float64(len(plan)), res.MeanAUC)
}
