"""Run the scikit-learn equivalent of the Go nested cross-validation.

Reads the JSON written by nestedcv (folds, grid, Go results), runs
GridSearchCV over Pipeline(StandardScaler, SelectPercentile(f_classif),
RFE(SVC(kernel="linear")), SVC(kernel="rbf")) with the same inner folds on
each outer training part, and compares the chosen hyper-parameters and
outer AUCs with Go's. Both SVCs use shrinking=False so that LIBSVM takes the
same SMO steps as the Go solver.

usage: /usr/bin/python3 sklearn_nested.py GO_JSON [--max-splits N] [--n-jobs J]
"""
import argparse
import csv
import json
import time

import numpy as np
import sklearn
from sklearn.feature_selection import RFE, SelectPercentile, f_classif
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def load(go):
    with open(go["manifest"], newline="") as f:
        labels = {r["study"]: 1 if r["label"].strip().lower() == "wdlps" else 0
                  for r in csv.DictReader(f)}
    rows = {}
    with open(go["features"], newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for rec in reader:
            rows[rec[0]] = [float(v) for v in rec[1:]]
    X = np.array([rows[s] for s in go["studies"]])
    y = np.array([labels[s] for s in go["studies"]])
    return X, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("go_json")
    ap.add_argument("--max-splits", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    with open(args.go_json) as f:
        go = json.load(f)
    X, y = load(go)
    grid = go["grid"]
    param_grid = {"rfe__n_features_to_select": grid["k"], "svc__C": grid["c"],
                  "svc__gamma": grid["gamma"]}
    plan = go["plan"]
    if args.max_splits:
        plan = plan[:args.max_splits]

    results = []
    start = time.perf_counter()
    for split in plan:
        train, test = np.array(split["train"]), np.array(split["test"])
        inner = [(np.array(s["Train"]), np.array(s["Test"])) for s in split["inner"]]
        pipe = Pipeline([
            ("scaler", StandardScaler()),
            ("ftest", SelectPercentile(f_classif, percentile=go["percentile"])),
            ("rfe", RFE(SVC(kernel="linear", shrinking=False), step=go["rfe_step_fraction"])),
            ("svc", SVC(kernel="rbf", shrinking=False)),
        ])
        search = GridSearchCV(pipe, param_grid, scoring="roc_auc", cv=inner,
                              n_jobs=args.n_jobs, refit=True)
        search.fit(X[train], y[train])
        best = search.best_params_
        auc = roc_auc_score(y[test], search.decision_function(X[test]))
        results.append({"best": {"c": best["svc__C"], "gamma": best["svc__gamma"],
                                 "k": best["rfe__n_features_to_select"]},
                        "inner_auc": float(search.best_score_), "test_auc": float(auc)})
    seconds = time.perf_counter() - start

    n = len(results)
    same = sum(1 for r, g in zip(results, go["go_outer"]) if r["best"] == g["best"])
    go_per_split = go["go_seconds"] / len(go["plan"])
    sk_per_split = seconds / n
    print(f"sklearn {sklearn.__version__}: {n} outer splits, n_jobs={args.n_jobs}: "
          f"{seconds:.1f} s ({sk_per_split:.2f} s per outer split)")
    print(f"go: {len(go['plan'])} outer splits, {go['workers']} workers: "
          f"{go['go_seconds']:.1f} s ({go_per_split:.2f} s per outer split)")
    print(f"speed-up per outer split: {sk_per_split / go_per_split:.1f}x")
    print(f"same (C, gamma, k) chosen in {same} of {n} outer splits")
    max_diff = max(abs(r["test_auc"] - g["test_auc"]) for r, g in zip(results, go["go_outer"]))
    print(f"largest outer test AUC difference: {max_diff:.3g}")
    for i, (r, g) in enumerate(zip(results, go["go_outer"])):
        if r["best"] != g["best"]:
            print(f"  split {i}: sklearn {r['best']} inner {r['inner_auc']:.6f}, "
                  f"go {g['best']} inner {g['inner_auc']:.6f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"sklearn_version": sklearn.__version__, "seconds": seconds,
                       "n_jobs": args.n_jobs, "outer": results}, f)


if __name__ == "__main__":
    main()
