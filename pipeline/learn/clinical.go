package learn

import "fmt"

// Thresholds of the clinical variable selection in the reference study.
const (
	DefaultUnivariateP    = 0.10
	DefaultMultivariableP = 0.05
)

// ClinicalSelection records the two-stage selection of clinical variables.
type ClinicalSelection struct {
	Names []string `json:"names"`
	// UnivariateP[j] is the Wald p-value of variable j alone.
	UnivariateP []float64 `json:"univariate_p"`
	// Candidates passed the univariate threshold.
	Candidates []string `json:"candidates"`
	// Multivariable is the model with all candidates; nil when none passed.
	Multivariable *Logistic `json:"multivariable,omitempty"`
	// Selected passed the multivariable threshold.
	Selected []string `json:"selected"`
}

// SelectClinical selects clinical variables as the reference study did. A
// univariate logistic regression per variable keeps those with Wald
// p < pUni, then a multivariable model on the kept ones keeps those with
// p < pMulti. Columns of x are the variables named by names. Models are
// fitted by FitLogisticAuto, so a separating variable gets Firth's estimate.
func SelectClinical(x [][]float64, labels []int, names []string, pUni, pMulti float64) (*ClinicalSelection, error) {
	p, err := checkMatrix(x)
	if err != nil {
		return nil, err
	}
	if len(names) != p {
		return nil, fmt.Errorf("%w: %d names for %d columns", ErrShape, len(names), p)
	}
	sel := &ClinicalSelection{Names: append([]string(nil), names...), UnivariateP: make([]float64, p)}
	var cols []int
	for j, name := range names {
		m, err := FitLogisticAuto(subColumns(x, []int{j}), labels, []string{name})
		if err != nil {
			return nil, fmt.Errorf("learn: univariate model of %s: %w", name, err)
		}
		sel.UnivariateP[j] = m.P[1]
		if m.P[1] < pUni {
			cols = append(cols, j)
			sel.Candidates = append(sel.Candidates, name)
		}
	}
	if len(cols) == 0 {
		return sel, nil
	}
	m, err := FitLogisticAuto(subColumns(x, cols), labels, sel.Candidates)
	if err != nil {
		return nil, fmt.Errorf("learn: multivariable clinical model: %w", err)
	}
	sel.Multivariable = m
	for c, name := range sel.Candidates {
		if m.P[c+1] < pMulti {
			sel.Selected = append(sel.Selected, name)
		}
	}
	return sel, nil
}
