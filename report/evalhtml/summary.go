package evalhtml

import (
	"errors"
	"fmt"

	"github.com/mdm2node/mdm2node/report/stats"
)

// ErrNoGroups is returned when there is nothing to evaluate.
var ErrNoGroups = errors.New("evalhtml: no predictions to evaluate")

// Group is the predictions of one model on one cohort.
type Group struct {
	Model  string
	Cohort string
	// Labels are true for the positive class (WDLPS) and Probabilities are
	// the predicted probabilities of it, in the same order.
	Labels        []bool
	Probabilities []float64
}

// Options are the settings of an evaluation.
type Options struct {
	// Threshold is the probability at or above which a case is called
	// positive for accuracy, sensitivity, specificity, PPV and NPV.
	Threshold float64
	// Level is the confidence level of the intervals, 0.95 for 95 %.
	Level float64
	// HLGroups is the number of Hosmer-Lemeshow groups. A cohort with fewer
	// cases uses one group per case. A cohort of fewer than 3 cases gets no
	// test.
	HLGroups int
	// CalibrationBins is the number of uniform bins of the calibration
	// curve.
	CalibrationBins int
	// DecisionFrom, DecisionTo and DecisionStep set the threshold
	// probabilities of the decision curve.
	DecisionFrom, DecisionTo, DecisionStep float64
}

// DefaultOptions returns a threshold of 0.5, 95 % intervals, 10
// Hosmer-Lemeshow groups (deciles of risk), 10 calibration bins and decision
// thresholds from 0.01 to 0.99 by 0.01.
func DefaultOptions() Options {
	return Options{
		Threshold:       0.5,
		Level:           0.95,
		HLGroups:        10,
		CalibrationBins: 10,
		DecisionFrom:    0.01,
		DecisionTo:      0.99,
		DecisionStep:    0.01,
	}
}

// Summary is the evaluation of one model on one cohort. The curves are kept
// for the plots and left out of JSON.
type Summary struct {
	Model            string                      `json:"model"`
	Cohort           string                      `json:"cohort"`
	N                int                         `json:"n"`
	Positives        int                         `json:"positives"`
	Threshold        float64                     `json:"threshold"`
	AUC              stats.AUCInterval           `json:"auc"`
	AveragePrecision float64                     `json:"average_precision"`
	CIndex           stats.Concordance           `json:"c_index"`
	Confusion        stats.Confusion             `json:"confusion"`
	Diagnostics      stats.Diagnostics           `json:"diagnostics"`
	HosmerLemeshow   *stats.HosmerLemeshowResult `json:"hosmer_lemeshow"`

	ROC         stats.ROCCurve         `json:"-"`
	PR          stats.PRCurve          `json:"-"`
	Calibration []stats.CalibrationBin `json:"-"`
	Decision    stats.DecisionCurve    `json:"-"`
}

// Summarize computes every statistic of one group. It fails when the group
// has one class only, fewer than two cases of a class (no DeLong variance),
// NaN values or probabilities outside [0, 1]; the error names the model and
// cohort.
func Summarize(g Group, opt Options) (Summary, error) {
	s, err := summarize(g, opt)
	if err != nil {
		return Summary{}, fmt.Errorf("evalhtml: model %q, cohort %q: %w", g.Model, g.Cohort, err)
	}
	return s, nil
}

func summarize(g Group, opt Options) (Summary, error) {
	s := Summary{Model: g.Model, Cohort: g.Cohort, N: len(g.Labels), Threshold: opt.Threshold}
	for _, l := range g.Labels {
		if l {
			s.Positives++
		}
	}
	var err error

	// 1. Discrimination.
	if s.AUC, err = stats.DeLong(g.Labels, g.Probabilities, opt.Level); err != nil {
		return s, err
	}
	if s.ROC, err = stats.ROC(g.Labels, g.Probabilities); err != nil {
		return s, err
	}
	if s.PR, err = stats.PrecisionRecall(g.Labels, g.Probabilities); err != nil {
		return s, err
	}
	if s.AveragePrecision, err = stats.AveragePrecision(g.Labels, g.Probabilities); err != nil {
		return s, err
	}
	if s.CIndex, err = stats.CIndexBinary(g.Labels, g.Probabilities); err != nil {
		return s, err
	}

	// 2. Classification at the threshold.
	if s.Confusion, err = stats.ConfusionAt(g.Labels, g.Probabilities, opt.Threshold); err != nil {
		return s, err
	}
	if s.Diagnostics, err = s.Confusion.Diagnostics(opt.Level); err != nil {
		return s, err
	}

	// 3. Calibration.
	if groups := min(opt.HLGroups, s.N); groups >= 3 {
		hl, err := stats.HosmerLemeshow(g.Labels, g.Probabilities, groups)
		if err != nil {
			return s, err
		}
		s.HosmerLemeshow = &hl
	}
	if s.Calibration, err = stats.CalibrationCurve(g.Labels, g.Probabilities, opt.CalibrationBins, stats.Uniform); err != nil {
		return s, err
	}

	// 4. Clinical usefulness.
	grid, err := stats.ThresholdGrid(opt.DecisionFrom, opt.DecisionTo, opt.DecisionStep)
	if err != nil {
		return s, err
	}
	if s.Decision, err = stats.NetBenefit(g.Labels, g.Probabilities, grid); err != nil {
		return s, err
	}
	return s, nil
}
