package bundle

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"

	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
)

// trainClinical selects clinical variables (univariate p < 0.10, then
// multivariable p < 0.05), and adds the clinical-only logistic model and the
// nomogram (SVM signature plus the selected variables) to b. The nomogram's
// signature is the out-of-fold decision value of the signature model,
// averaged over the nested cross-validation's repetitions, so that its
// coefficient is not fitted on optimistic in-sample values.
func trainClinical(ctx context.Context, b *Bundle, m *cohort.Manifest, studies []cohort.Study, labels []int,
	oof map[string][]float64, cv learn.CVConfig, log *slog.Logger) error {
	// 1. Numeric variables complete in the training cohort.
	var names []string
	for _, name := range m.ClinicalNames {
		complete := true
		for _, s := range studies {
			if math.IsNaN(s.Clinical[name]) {
				complete = false
				break
			}
		}
		if !complete {
			log.Warn("clinical variable left out, values missing in the training cohort", "variable", name)
			continue
		}
		if len(learn.ConstantColumns(clinicalMatrix(studies, []string{name}))) > 0 {
			log.Warn("clinical variable left out, constant in the training cohort", "variable", name)
			continue
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil
	}
	x := clinicalMatrix(studies, names)
	sel, err := learn.SelectClinical(x, labels, names, learn.DefaultUnivariateP, learn.DefaultMultivariableP)
	if err != nil {
		return fmt.Errorf("bundle: clinical selection: %w", err)
	}
	b.Training.Clinical = sel
	if len(sel.Selected) == 0 {
		log.Info("no clinical variable selected", "univariate_p", sel.UnivariateP)
		return nil
	}
	repeats := orDefault(cv.Repeats, learn.DefaultRepeats)
	folds := orDefault(cv.OuterFolds, learn.DefaultOuterFolds)

	// 2. Clinical-only model.
	xc := clinicalMatrix(studies, sel.Selected)
	clinical, err := fitLogisticModel("clinical", xc, labels, sel.Selected, "", repeats, folds, cv.Seed)
	if err != nil {
		return err
	}
	b.Logistic = append(b.Logistic, *clinical)

	// 3. Nomogram on the signature of the deep model (else the primary).
	signature := "multimodal-deep"
	if !slices.ContainsFunc(b.SVMs, func(s SVMModel) bool { return s.Name == signature }) {
		signature = b.Primary
	}
	sig := oof[signature]
	xn := make([][]float64, len(studies))
	for i := range xn {
		xn[i] = append([]float64{sig[i]}, xc[i]...)
	}
	vars := append([]string{SignatureVariable}, sel.Selected...)
	nomogram, err := fitLogisticModel("nomogram", xn, labels, vars, signature, repeats, folds, cv.Seed)
	if err != nil {
		return err
	}
	b.Logistic = append(b.Logistic, *nomogram)
	return ctx.Err()
}

func fitLogisticModel(name string, x [][]float64, labels []int, vars []string, signature string, repeats, folds int, seed uint64) (*LogisticModel, error) {
	fit, err := learn.FitLogisticAuto(x, labels, vars)
	if err != nil {
		return nil, fmt.Errorf("bundle: %s model: %w", name, err)
	}
	auc, err := learn.CrossValidatedLogisticAUC(x, labels, vars, repeats, folds, seed)
	if err != nil {
		return nil, fmt.Errorf("bundle: cross-validation of the %s model: %w", name, err)
	}
	return &LogisticModel{
		Name: name, Variables: vars, Coef: fit.Coef, SE: fit.SE, P: fit.P, CILow: fit.CILow, CIHigh: fit.CIHigh,
		Signature: signature, CVAUC: auc, Method: fit.Method,
	}, nil
}

func clinicalMatrix(studies []cohort.Study, names []string) [][]float64 {
	x := make([][]float64, len(studies))
	for i, s := range studies {
		x[i] = make([]float64, len(names))
		for j, n := range names {
			x[i][j] = s.Clinical[n]
		}
	}
	return x
}

// iccExclusions returns the radiomics columns that fail the reproducibility
// filter (nil when no repeated segmentation is given).
func iccExclusions(in TrainInput, studies []cohort.Study, opts TrainOptions, log *slog.Logger) (map[int]bool, error) {
	if in.Repeat == nil {
		return nil, nil
	}
	kind := opts.ICCKind
	if kind == "" {
		kind = learn.ICC21
	}
	var first, second [][]float64
	for _, s := range studies {
		r2, ok := in.Repeat.Row(s.ID)
		if !ok {
			continue
		}
		r1, _ := in.Features.Row(s.ID)
		aligned, err := alignRow(in.Features.Names, in.Repeat, r2)
		if err != nil {
			return nil, err
		}
		first = append(first, r1)
		second = append(second, aligned)
	}
	cols := in.Features.Columns(func(_, k string) bool { return k == cohort.KindRadiomics })
	if len(first) < 2 || len(cols) == 0 {
		return nil, fmt.Errorf("%w: the repeated segmentation table shares %d training studies and %d radiomics features with the feature table; need at least 2 of each",
			learn.ErrTooFewSamples, len(first), len(cols))
	}
	a, b := make([][]float64, len(first)), make([][]float64, len(first))
	for i := range first {
		a[i], b[i] = pick(first[i], cols), pick(second[i], cols)
	}
	_, keep, err := learn.ReproducibleFeatures([][][]float64{a, b}, kind, opts.ICCThreshold)
	if err != nil {
		return nil, fmt.Errorf("bundle: reproducibility filter: %w", err)
	}
	excluded := map[int]bool{}
	for _, j := range cols {
		excluded[j] = true
	}
	for _, c := range keep {
		delete(excluded, cols[c])
	}
	log.Info("reproducibility filter applied", "kind", kind, "threshold", opts.ICCThreshold,
		"studies", len(first), "kept", len(keep), "left_out", len(excluded))
	return excluded, nil
}

// alignRow returns the repeat table's values in the order of names.
func alignRow(names []string, repeat *cohort.FeatureTable, row []float64) ([]float64, error) {
	index := make(map[string]int, len(repeat.Names))
	for j, n := range repeat.Names {
		index[n] = j
	}
	out := make([]float64, len(names))
	for j, n := range names {
		k, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("%w: the repeated segmentation table lacks feature %s", ErrFeatureMismatch, n)
		}
		out[j] = row[k]
	}
	return out, nil
}

func countShared(in TrainInput, studies []cohort.Study) int {
	n := 0
	for _, s := range studies {
		if _, ok := in.Repeat.Row(s.ID); ok {
			n++
		}
	}
	return n
}
