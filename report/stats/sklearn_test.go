package stats

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// sklearnScript reads {"labels": [...], "scores": [...]} on stdin and prints
// scikit-learn's ROC curve (all points kept), ROC AUC, precision-recall
// curve, average precision and calibration curves as JSON.
const sklearnScript = `
import json, sys
import numpy as np
from sklearn.metrics import roc_curve, roc_auc_score, precision_recall_curve, average_precision_score
from sklearn.calibration import calibration_curve
import sklearn

data = json.load(sys.stdin)
y = np.array(data["labels"], dtype=int)
s = np.array(data["scores"], dtype=float)
fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
prec, rec, pthr = precision_recall_curve(y, s)
out = {
    "version": sklearn.__version__,
    "auc": roc_auc_score(y, s),
    "ap": average_precision_score(y, s),
    "fpr": fpr.tolist(), "tpr": tpr.tolist(), "roc_thresholds": thr[1:].tolist(),
    "precision": prec.tolist(), "recall": rec.tolist(), "pr_thresholds": pthr.tolist(),
}
for strategy in ("uniform", "quantile"):
    true, pred = calibration_curve(y, s, n_bins=5, strategy=strategy)
    out[strategy + "_true"] = true.tolist()
    out[strategy + "_pred"] = pred.tolist()
print(json.dumps(out))
`

type sklearnResult struct {
	Version       string    `json:"version"`
	AUC           float64   `json:"auc"`
	AP            float64   `json:"ap"`
	FPR           []float64 `json:"fpr"`
	TPR           []float64 `json:"tpr"`
	ROCThresholds []float64 `json:"roc_thresholds"`
	Precision     []float64 `json:"precision"`
	Recall        []float64 `json:"recall"`
	PRThresholds  []float64 `json:"pr_thresholds"`
	UniformTrue   []float64 `json:"uniform_true"`
	UniformPred   []float64 `json:"uniform_pred"`
	QuantileTrue  []float64 `json:"quantile_true"`
	QuantilePred  []float64 `json:"quantile_pred"`
}

// runSklearn runs sklearnScript with Debian's python3 on labels and scores.
func runSklearn(t *testing.T, labels []bool, scores []float64) sklearnResult {
	t.Helper()
	py := testutil.RequirePython(t, "sklearn")
	ints := make([]int, len(labels))
	for i, l := range labels {
		if l {
			ints[i] = 1
		}
	}
	input, err := json.Marshal(map[string]any{"labels": ints, "scores": scores})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", sklearnScript)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var result sklearnResult
	if err := json.Unmarshal(output, &result); err != nil {
		t.Fatalf("python output %q: %v", output, err)
	}
	t.Logf("scikit-learn %s", result.Version)
	return result
}

func checkSlice(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d (%v vs %v)", name, len(got), len(want), got, want)
		return
	}
	for i := range want {
		if !near(got[i], want[i], exactTol) {
			t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
		}
	}
}

// reversed returns a reversed copy of values.
func reversed(values []float64) []float64 {
	out := make([]float64, len(values))
	for i, v := range values {
		out[len(values)-1-i] = v
	}
	return out
}

func TestAgainstSklearn(t *testing.T) {
	ref := runSklearn(t, fixtureLabels, fixtureScores)

	t.Run("ROC", func(t *testing.T) {
		curve, err := ROC(fixtureLabels, fixtureScores)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "FPR", curve.FPR, ref.FPR)
		checkSlice(t, "TPR", curve.TPR, ref.TPR)
		// scikit-learn 1.2 puts max+1 as the first threshold where ours is
		// +Inf, so only the others are compared.
		checkSlice(t, "thresholds", curve.Thresholds[1:], ref.ROCThresholds)
	})

	t.Run("AUC", func(t *testing.T) {
		auc, err := AUC(fixtureLabels, fixtureScores)
		if err != nil {
			t.Fatal(err)
		}
		if !near(auc, ref.AUC, exactTol) {
			t.Errorf("AUC = %v, scikit-learn %v", auc, ref.AUC)
		}
		d, err := DeLong(fixtureLabels, fixtureScores, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if !near(d.AUC, ref.AUC, exactTol) {
			t.Errorf("DeLong AUC = %v, scikit-learn %v", d.AUC, ref.AUC)
		}
	})

	t.Run("PrecisionRecall", func(t *testing.T) {
		curve, err := PrecisionRecall(fixtureLabels, fixtureScores)
		if err != nil {
			t.Fatal(err)
		}
		// scikit-learn lists increasing thresholds and appends the point
		// (recall 0, precision 1).
		n := len(ref.Precision) - 1
		checkSlice(t, "precision", curve.Precision, reversed(ref.Precision[:n]))
		checkSlice(t, "recall", curve.Recall, reversed(ref.Recall[:n]))
		checkSlice(t, "thresholds", curve.Thresholds, reversed(ref.PRThresholds))
	})

	t.Run("AveragePrecision", func(t *testing.T) {
		ap, err := AveragePrecision(fixtureLabels, fixtureScores)
		if err != nil {
			t.Fatal(err)
		}
		if !near(ap, ref.AP, exactTol) {
			t.Errorf("AP = %v, scikit-learn %v", ap, ref.AP)
		}
	})

	t.Run("Calibration", func(t *testing.T) {
		cases := []struct {
			name       string
			strategy   BinStrategy
			true, pred []float64
		}{
			{"uniform", Uniform, ref.UniformTrue, ref.UniformPred},
			{"quantile", Quantile, ref.QuantileTrue, ref.QuantilePred},
		}
		for _, c := range cases {
			bins, err := CalibrationCurve(fixtureLabels, fixtureScores, 5, c.strategy)
			if err != nil {
				t.Fatal(err)
			}
			var observed, predicted []float64
			for _, b := range bins {
				observed = append(observed, b.Observed)
				predicted = append(predicted, b.MeanPredicted)
			}
			checkSlice(t, c.name+" observed", observed, c.true)
			checkSlice(t, c.name+" predicted", predicted, c.pred)
		}
	})
}
