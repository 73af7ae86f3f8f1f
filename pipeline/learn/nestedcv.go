package learn

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Defaults of the nested cross-validation, as in the reference study: ten
// repetitions of stratified five-fold cross-validation.
const (
	DefaultRepeats    = 10
	DefaultOuterFolds = 5
	DefaultInnerFolds = 5
)

// Random stream tags: every repetition and fold draws from its own PCG
// stream so that results do not depend on the order of the work.
const (
	streamOuter     = 1 << 40
	streamInner     = 2 << 40
	streamSelection = 3 << 40
	streamPlatt     = 4 << 40
	streamLogistic  = 5 << 40
)

// CVConfig configures the nested cross-validation and the final
// hyper-parameter search.
type CVConfig struct {
	// Repeats, OuterFolds and InnerFolds; 0 means the defaults.
	Repeats    int
	OuterFolds int
	InnerFolds int
	// Seed makes the folds, and so the whole result, reproducible.
	Seed   uint64
	Grid   Grid
	Params PipelineParams
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

func (c CVConfig) withDefaults() CVConfig {
	if c.Repeats == 0 {
		c.Repeats = DefaultRepeats
	}
	if c.OuterFolds == 0 {
		c.OuterFolds = DefaultOuterFolds
	}
	if c.InnerFolds == 0 {
		c.InnerFolds = DefaultInnerFolds
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// OuterSplit is one outer fold of one repetition.
type OuterSplit struct {
	Repeat int `json:"repeat"`
	Fold   int `json:"fold"`
	// Train and Test index the samples of the whole data set.
	Train []int `json:"train"`
	Test  []int `json:"test"`
	// Inner are the inner folds; their indices are positions in Train.
	Inner []Split `json:"inner"`
}

// OuterResult is the outcome of one outer split.
type OuterResult struct {
	OuterSplit
	// Best are the hyper-parameters chosen by the inner cross-validation.
	Best Hyper `json:"best"`
	// InnerAUC is the mean inner validation AUC of Best.
	InnerAUC float64 `json:"inner_auc"`
	// TestAUC is the AUC on the outer test fold of the model refitted on
	// Train with Best.
	TestAUC float64 `json:"test_auc"`
	// TestDecision are the decision values of the Test samples.
	TestDecision []float64 `json:"test_decision"`
}

// NestedCVResult gathers every outer split.
type NestedCVResult struct {
	Outer []OuterResult `json:"outer"`
	// MeanAUC and SDAUC summarise TestAUC over all outer splits (SD with
	// divisor n - 1).
	MeanAUC float64 `json:"mean_auc"`
	SDAUC   float64 `json:"sd_auc"`
	// RepeatAUC is, per repetition, the AUC of the pooled out-of-fold
	// decision values.
	RepeatAUC []float64 `json:"repeat_auc"`
	// OOFDecision[r][i] is sample i's out-of-fold decision value in
	// repetition r.
	OOFDecision [][]float64 `json:"oof_decision"`
}

// PlanNestedCV returns the folds of the nested cross-validation for cfg:
// Repeats x OuterFolds outer splits, each with InnerFolds inner splits of
// its training part. The plan depends only on the labels and cfg.Seed.
func PlanNestedCV(labels []int, cfg CVConfig) ([]OuterSplit, error) {
	cfg = cfg.withDefaults()
	var plan []OuterSplit
	for r := 0; r < cfg.Repeats; r++ {
		outer, err := StratifiedKFold(labels, cfg.OuterFolds, newRand(cfg.Seed, streamOuter+uint64(r)))
		if err != nil {
			return nil, fmt.Errorf("learn: outer folds: %w", err)
		}
		for f, s := range outer {
			inner, err := StratifiedKFold(subLabels(labels, s.Train), cfg.InnerFolds,
				newRand(cfg.Seed, streamInner+uint64(r)<<16+uint64(f)))
			if err != nil {
				return nil, fmt.Errorf("learn: inner folds of repetition %d, fold %d: %w", r, f, err)
			}
			plan = append(plan, OuterSplit{Repeat: r, Fold: f, Train: s.Train, Test: s.Test, Inner: inner})
		}
	}
	return plan, nil
}

// NestedCV estimates the performance of the pipeline with hyper-parameters
// chosen by an inner grid search. For every outer split the inner folds
// score each grid point by the mean validation AUC. The best point is
// refitted on the outer training part and scored on the outer test fold. Outer splits
// run in parallel on cfg.Workers goroutines; the result depends only on the
// data and cfg.Seed.
func NestedCV(ctx context.Context, x [][]float64, labels []int, cfg CVConfig) (*NestedCVResult, error) {
	cfg = cfg.withDefaults()
	if err := CheckData(x, labels); err != nil {
		return nil, err
	}
	if err := cfg.Grid.validate(); err != nil {
		return nil, err
	}
	plan, err := PlanNestedCV(labels, cfg)
	if err != nil {
		return nil, err
	}
	return RunNestedCV(ctx, x, labels, plan, cfg)
}

// RunNestedCV runs the nested cross-validation over a given plan, for
// example one made by PlanNestedCV and shared with another implementation.
func RunNestedCV(ctx context.Context, x [][]float64, labels []int, plan []OuterSplit, cfg CVConfig) (*NestedCVResult, error) {
	cfg = cfg.withDefaults()
	if err := CheckData(x, labels); err != nil {
		return nil, err
	}
	if err := cfg.Grid.validate(); err != nil {
		return nil, err
	}
	if err := checkPlan(plan, len(labels)); err != nil {
		return nil, err
	}
	results := make([]OuterResult, len(plan))
	var done atomic.Int64
	err := parallelFor(ctx, len(plan), cfg.Workers, func(i int) error {
		res, err := runOuter(x, labels, plan[i], cfg)
		if err != nil {
			return fmt.Errorf("learn: repetition %d, outer fold %d: %w", plan[i].Repeat, plan[i].Fold, err)
		}
		results[i] = res
		cfg.Logger.Debug("outer fold done", "repeat", plan[i].Repeat, "fold", plan[i].Fold,
			"done", done.Add(1), "total", len(plan), "test_auc", res.TestAUC)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return summarise(results, labels, cfg.Repeats), nil
}

// checkPlan verifies that every index of the plan is in range, so that a
// plan made elsewhere cannot make a worker panic.
func checkPlan(plan []OuterSplit, n int) error {
	inRange := func(idx []int, limit int) bool {
		for _, i := range idx {
			if i < 0 || i >= limit {
				return false
			}
		}
		return true
	}
	for _, s := range plan {
		if len(s.Train) == 0 || len(s.Test) == 0 || !inRange(s.Train, n) || !inRange(s.Test, n) {
			return fmt.Errorf("%w: outer split %d/%d has an empty part or an index outside [0, %d)", ErrInvalidParam, s.Repeat, s.Fold, n)
		}
		for f, in := range s.Inner {
			if len(in.Train) == 0 || len(in.Test) == 0 || !inRange(in.Train, len(s.Train)) || !inRange(in.Test, len(s.Train)) {
				return fmt.Errorf("%w: inner split %d of outer split %d/%d has an empty part or an index outside [0, %d)", ErrInvalidParam, f, s.Repeat, s.Fold, len(s.Train))
			}
		}
		if len(s.Inner) == 0 {
			return fmt.Errorf("%w: outer split %d/%d has no inner splits", ErrInvalidParam, s.Repeat, s.Fold)
		}
	}
	return nil
}

func runOuter(x [][]float64, labels []int, s OuterSplit, cfg CVConfig) (OuterResult, error) {
	xtr, ytr := subRows(x, s.Train), subLabels(labels, s.Train)
	scores := make([][]float64, len(s.Inner))
	for f, inner := range s.Inner {
		sc, err := scoreGrid(xtr, ytr, inner, cfg.Grid, cfg.Params)
		if err != nil {
			return OuterResult{}, fmt.Errorf("inner fold %d: %w", f, err)
		}
		scores[f] = sc
	}
	best, means := bestCandidate(scores)
	h := cfg.Grid.Candidates()[best]
	model, err := FitModel(xtr, ytr, h, cfg.Params)
	if err != nil {
		return OuterResult{}, fmt.Errorf("refit with %+v: %w", h, err)
	}
	dec := make([]float64, len(s.Test))
	for i, r := range s.Test {
		if dec[i], err = model.Decision(x[r]); err != nil {
			return OuterResult{}, err
		}
	}
	return OuterResult{OuterSplit: s, Best: h, InnerAUC: means[best], TestAUC: aucScore(dec, subLabels(labels, s.Test)), TestDecision: dec}, nil
}

func summarise(results []OuterResult, labels []int, repeats int) *NestedCVResult {
	out := &NestedCVResult{Outer: results, RepeatAUC: make([]float64, repeats), OOFDecision: make([][]float64, repeats)}
	for r := range out.OOFDecision {
		out.OOFDecision[r] = make([]float64, len(labels))
		for i := range out.OOFDecision[r] {
			out.OOFDecision[r][i] = math.NaN()
		}
	}
	sum := 0.0
	for _, res := range results {
		sum += res.TestAUC
		for i, r := range res.Test {
			out.OOFDecision[res.Repeat][r] = res.TestDecision[i]
		}
	}
	n := float64(len(results))
	out.MeanAUC = sum / n
	ss := 0.0
	for _, res := range results {
		d := res.TestAUC - out.MeanAUC
		ss += d * d
	}
	if len(results) > 1 {
		out.SDAUC = math.Sqrt(ss / (n - 1))
	}
	for r := range out.RepeatAUC {
		out.RepeatAUC[r] = aucScore(out.OOFDecision[r], labels)
	}
	return out
}

// SelectionResult is the outcome of the final hyper-parameter search.
type SelectionResult struct {
	Best Hyper `json:"best"`
	// MeanAUC is the mean validation AUC of Best over all splits.
	MeanAUC float64 `json:"mean_auc"`
	// Scores[c] is the mean validation AUC of Grid.Candidates()[c].
	Scores []float64 `json:"scores"`
}

// SelectHyper chooses the hyper-parameters for the final model on the whole
// training cohort: Repeats repetitions of stratified InnerFolds-fold
// cross-validation score every grid point, and the best mean AUC wins (the
// first in Grid.Candidates order on ties).
func SelectHyper(ctx context.Context, x [][]float64, labels []int, cfg CVConfig) (SelectionResult, error) {
	cfg = cfg.withDefaults()
	if err := CheckData(x, labels); err != nil {
		return SelectionResult{}, err
	}
	if err := cfg.Grid.validate(); err != nil {
		return SelectionResult{}, err
	}
	var splits []Split
	for r := 0; r < cfg.Repeats; r++ {
		s, err := StratifiedKFold(labels, cfg.InnerFolds, newRand(cfg.Seed, streamSelection+uint64(r)))
		if err != nil {
			return SelectionResult{}, err
		}
		splits = append(splits, s...)
	}
	scores := make([][]float64, len(splits))
	err := parallelFor(ctx, len(splits), cfg.Workers, func(i int) error {
		sc, err := scoreGrid(x, labels, splits[i], cfg.Grid, cfg.Params)
		if err != nil {
			return fmt.Errorf("learn: selection split %d: %w", i, err)
		}
		scores[i] = sc
		return nil
	})
	if err != nil {
		return SelectionResult{}, err
	}
	best, means := bestCandidate(scores)
	return SelectionResult{Best: cfg.Grid.Candidates()[best], MeanAUC: means[best], Scores: means}, nil
}

// CrossValidatedDecision returns out-of-fold decision values of the pipeline
// with fixed hyper-parameters from one stratified folds-fold
// cross-validation, the input LIBSVM uses for Platt scaling
// (probability=True); here the whole pipeline, selection included, is
// refitted in every fold.
func CrossValidatedDecision(ctx context.Context, x [][]float64, labels []int, h Hyper, folds int, cfg CVConfig) ([]float64, error) {
	cfg = cfg.withDefaults()
	splits, err := StratifiedKFold(labels, folds, newRand(cfg.Seed, streamPlatt))
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(labels))
	err = parallelFor(ctx, len(splits), cfg.Workers, func(f int) error {
		s := splits[f]
		m, err := FitModel(subRows(x, s.Train), subLabels(labels, s.Train), h, cfg.Params)
		if err != nil {
			return fmt.Errorf("learn: Platt fold %d: %w", f, err)
		}
		for _, r := range s.Test {
			if out[r], err = m.Decision(x[r]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// parallelFor calls fn(i) for i in [0, n) on up to workers goroutines and
// returns the first error. It stops handing out work after an error or when
// ctx is cancelled.
func parallelFor(ctx context.Context, n, workers int, fn func(i int) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed() {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
