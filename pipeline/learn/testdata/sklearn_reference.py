"""Reference values from scikit-learn for the tests of package learn.

Reads one JSON request on standard input and writes one JSON response
on standard output. The request has "task" and the data the task needs; see
reference_test.go for the callers. Run with Debian's /usr/bin/python3
(python3-sklearn, python3-numpy).
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.feature_selection import RFE, SelectPercentile, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC


def ftest(req):
    X, y = np.array(req["x"]), np.array(req["y"])
    f, p = f_classif(X, y)
    sel = SelectPercentile(f_classif, percentile=req["percentile"]).fit(X, y)
    return {"f": f.tolist(), "p": p.tolist(),
            "selected": sel.get_support(indices=True).tolist()}


def svc(req):
    X, y = np.array(req["x"]), np.array(req["y"])
    m = SVC(kernel=req["kernel"], C=req["c"], gamma=req.get("gamma", "scale"),
            tol=req["tol"], shrinking=req["shrinking"]).fit(X, y)
    order = np.argsort(m.support_)
    out = {"support": m.support_[order].tolist(),
           "dual_coef": m.dual_coef_[0][order].tolist(),
           "intercept": float(m.intercept_[0]),
           "decision": m.decision_function(np.array(req["x_test"])).tolist()}
    if req["kernel"] == "linear":
        out["coef"] = m.coef_[0].tolist()
    return out


def rfe(req):
    X, y = np.array(req["x"]), np.array(req["y"])
    est = SVC(kernel="linear", C=req["c"], shrinking=False)
    r = RFE(est, n_features_to_select=req["k"], step=req["step"]).fit(X, y)
    return {"ranking": r.ranking_.tolist()}


def logistic(req):
    X, y = np.array(req["x"]), np.array(req["y"])
    m = LogisticRegression(penalty=None, solver="newton-cg", tol=1e-12,
                           max_iter=10000).fit(X, y)
    beta = np.concatenate([m.intercept_, m.coef_[0]])
    design = np.column_stack([np.ones(len(X)), X])
    prob = 1 / (1 + np.exp(-design @ beta))
    info = design.T @ (design * (prob * (1 - prob))[:, None])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return {"coef": beta.tolist(), "se": se.tolist()}


def firth(req):
    """Maximise l(beta) + 1/2 log det I(beta) directly with BFGS."""
    from scipy.optimize import minimize
    X, y = np.array(req["x"]), np.array(req["y"])
    design = np.column_stack([np.ones(len(X)), X])

    def negative(beta):
        eta = design @ beta
        prob = 1 / (1 + np.exp(-eta))
        info = design.T @ (design * (prob * (1 - prob))[:, None])
        ll = np.sum(y * eta - np.logaddexp(0, eta))
        return -(ll + 0.5 * np.linalg.slogdet(info)[1])

    res = minimize(negative, np.zeros(design.shape[1]), method="BFGS",
                   options={"gtol": 1e-9, "maxiter": 10000})
    return {"coef": res.x.tolist()}


def platt(req):
    a, b = _sigmoid_calibration(np.array(req["decision"]), np.array(req["y"]))
    return {"a": float(a), "b": float(b)}


def batch(req):
    """Answer several requests in one process, to save interpreter starts."""
    return {"responses": [TASKS[r["task"]](r) for r in req["requests"]]}


TASKS = {"batch": batch, "ftest": ftest, "svc": svc, "rfe": rfe, "logistic": logistic,
         "platt": platt, "firth": firth}

if __name__ == "__main__":
    request = json.load(sys.stdin)
    response = TASKS[request["task"]](request)
    response["sklearn_version"] = sklearn.__version__
    json.dump(response, sys.stdout)
