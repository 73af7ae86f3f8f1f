// Package learn implements the learning methods of the MDM2 amplification
// model: standardisation, the univariate ANOVA F-test with percentile
// selection, recursive feature elimination (RFE) with a linear support vector
// machine, a C-SVM with an RBF kernel trained by sequential minimal
// optimisation (SMO), Platt scaling, logistic regression with Wald inference,
// intraclass correlation for the reproducibility filter, stratified folds and
// hyper-parameter selection by repeated nested cross-validation.
//
// Sources of the algorithms:
//
//   - SMO working-set selection: R.-E. Fan, P.-H. Chen, C.-J. Lin, "Working set
//     selection using second order information for training support vector
//     machines", JMLR 6 (2005) 1889-1918 (WSS 3 with tau = 1e-12), and the
//     stopping rule m(alpha) - M(alpha) < eps of C.-C. Chang, C.-J. Lin,
//     "LIBSVM: a library for support vector machines", ACM TIST 2 (2011).
//     Ties go to the last index, and the off-diagonal kernel values are
//     rounded to float32 as in LIBSVM's kernel cache, so that the iterates
//     follow scikit-learn's SVC (shrinking=False) step by step.
//   - Platt scaling: H.-T. Lin, C.-J. Lin, R. C. Weng, "A note on Platt's
//     probabilistic outputs for support vector machines", Machine Learning 68
//     (2007) 267-276 (Newton's method with backtracking and the smoothed
//     targets (N+ + 1)/(N+ + 2) and 1/(N- + 2)).
//   - RFE: I. Guyon, J. Weston, S. Barnhill, V. Vapnik, "Gene selection for
//     cancer classification using support vector machines", Machine Learning
//     46 (2002) 389-422. Features with the smallest squared weights of the
//     linear SVM are removed, step features at a time, as scikit-learn's RFE.
//   - F-test: one-way analysis of variance per feature, as scikit-learn's
//     f_classif; percentile selection as SelectPercentile.
//   - Intraclass correlation: P. E. Shrout, J. L. Fleiss, "Intraclass
//     correlations: uses in assessing rater reliability", Psychological
//     Bulletin 86 (1979) 420-428, ICC(2,1) and ICC(3,1).
//   - Logistic regression: Newton-Raphson (iteratively reweighted least
//     squares) on the log-likelihood, Wald standard errors from the inverse of
//     the Fisher information matrix. Under separation, Firth's penalised
//     likelihood: D. Firth, "Bias reduction of maximum likelihood
//     estimates", Biometrika 80 (1993) 27-38.
//
// Conventions: a data matrix is [][]float64 with one row per sample; labels
// are 0 (negative, lipoma) and 1 (positive, WDLPS). A decision value above
// zero votes for label 1. No function modifies its arguments.
package learn
