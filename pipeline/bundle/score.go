package bundle

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Score is the output of one model for one study.
type Score struct {
	Model string
	// Probability is the estimated probability of MDM2 amplification (WDLPS).
	Probability float64
	// Decision is the SVM decision value, or the linear predictor (log odds)
	// of a logistic model; positive favours WDLPS.
	Decision float64
}

// Score scores one study with the primary model. features maps feature
// names (as in the feature table) and clinical variable names (as in the
// manifest, lower case) to values. Names the model does not use are
// ignored. It returns ErrFeatureMismatch when a feature the model was
// trained on is missing and ErrNonFinite for a NaN or infinite value.
func (b *Bundle) Score(features map[string]float64) (probability, decision float64, err error) {
	s, err := b.ScoreModel(b.Primary, features)
	if err != nil {
		return 0, 0, err
	}
	return s.Probability, s.Decision, nil
}

// ScoreModel scores one study with the named model; see Score.
func (b *Bundle) ScoreModel(name string, features map[string]float64) (Score, error) {
	for i := range b.SVMs {
		if b.SVMs[i].Name == name {
			return b.SVMs[i].score(features)
		}
	}
	for i := range b.Logistic {
		if b.Logistic[i].Name == name {
			return b.scoreLogistic(&b.Logistic[i], features)
		}
	}
	return Score{}, fmt.Errorf("%w: %q", ErrNoModel, name)
}

// ModelNames lists the SVM models, then the logistic models.
func (b *Bundle) ModelNames() []string {
	var out []string
	for _, m := range b.SVMs {
		out = append(out, m.Name)
	}
	for _, m := range b.Logistic {
		out = append(out, m.Name)
	}
	return out
}

func (m *SVMModel) score(features map[string]float64) (Score, error) {
	if missing := missingNames(m.InputFeatures, features); len(missing) > 0 {
		return Score{}, fmt.Errorf("%w: model %q lacks %d of its %d input features, for example %s",
			ErrFeatureMismatch, m.Name, len(missing), len(m.InputFeatures), strings.Join(missing[:min(5, len(missing))], ", "))
	}
	z := make([]float64, len(m.SelectedFeatures))
	for i, name := range m.SelectedFeatures {
		v := features[name]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Score{}, fmt.Errorf("%w: %s = %v", ErrNonFinite, name, v)
		}
		z[i] = (v - m.ScalerMean[i]) / m.ScalerScale[i]
	}
	d := m.Intercept
	for i, sv := range m.SupportVectors {
		s := 0.0
		for j, v := range sv {
			diff := v - z[j]
			s += diff * diff
		}
		d += m.DualCoef[i] * math.Exp(-m.Gamma*s)
	}
	return Score{Model: m.Name, Probability: sigmoidProbability(m.PlattA*d + m.PlattB), Decision: d}, nil
}

func (b *Bundle) scoreLogistic(m *LogisticModel, features map[string]float64) (Score, error) {
	eta := m.Coef[0]
	for i, name := range m.Variables {
		var v float64
		if name == SignatureVariable && m.Signature != "" {
			s, err := b.ScoreModel(m.Signature, features)
			if err != nil {
				return Score{}, fmt.Errorf("bundle: signature of %q: %w", m.Name, err)
			}
			v = s.Decision
		} else {
			var ok bool
			if v, ok = features[name]; !ok {
				return Score{}, fmt.Errorf("%w: model %q needs the variable %q", ErrFeatureMismatch, m.Name, name)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Score{}, fmt.Errorf("%w: %s = %v", ErrNonFinite, name, v)
			}
		}
		eta += m.Coef[i+1] * v
	}
	return Score{Model: m.Name, Probability: sigmoidProbability(-eta), Decision: eta}, nil
}

// sigmoidProbability returns 1 / (1 + exp(z)) without overflow.
func sigmoidProbability(z float64) float64 {
	if z >= 0 {
		e := math.Exp(-z)
		return e / (1 + e)
	}
	return 1 / (1 + math.Exp(z))
}

func missingNames(names []string, features map[string]float64) []string {
	var missing []string
	for _, n := range names {
		if _, ok := features[n]; !ok {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	return missing
}
