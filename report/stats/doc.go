// Package stats computes the evaluation statistics of a binary classifier
// that outputs a score or a probability for the positive class. In this
// project the positive class is WDLPS (MDM2 amplified) and the negative
// class is lipoma.
//
// Every function takes labels as []bool (true for the positive class) and
// scores as []float64 of the same length, never modifies them, and returns an
// error wrapping one of the Err sentinels for empty input, mismatched lengths,
// NaN values or a single class.
//
// Methods and sources:
//
//   - ROC curve and AUC; the AUC variance and confidence interval by DeLong,
//     DeLong and Clarke-Pearson, "Comparing the areas under two or more
//     correlated receiver operating characteristic curves: a nonparametric
//     approach", Biometrics 44:837-845 (1988), computed with the midrank
//     algorithm of Sun and Xu, "Fast implementation of DeLong's algorithm
//     for comparing the areas under correlated receiver operating
//     characteristic curves", IEEE Signal Processing Letters 21:1389-1393
//     (2014).
//   - Precision-recall curve and average precision, defined as
//     AP = sum_n (R_n - R_(n-1)) P_n over decreasing thresholds, the
//     definition of scikit-learn's average_precision_score (no
//     interpolation).
//   - Accuracy, sensitivity, specificity, PPV and NPV at a threshold with
//     the Wilson score interval with continuity correction, method 4 of
//     Newcombe, "Two-sided confidence intervals for the single proportion:
//     comparison of seven methods", Statistics in Medicine 17:857-872 (1998).
//   - Harrell's concordance index (Harrell, Califf, Pryor, Lee and Rosati,
//     "Evaluating the yield of medical tests", JAMA 247:2543-2546, 1982) for
//     an ordered outcome without censoring.
//   - The Hosmer-Lemeshow goodness-of-fit test (Hosmer and Lemeshow,
//     Applied Logistic Regression), groups of equal size by rank of the
//     predicted probability, chi-square with g-2 degrees of freedom.
//   - Calibration curve: observed fraction of positives against the mean
//     predicted probability in bins.
//   - Decision-curve analysis: net benefit of Vickers and Elkin, "Decision
//     curve analysis: a novel method for evaluating prediction models",
//     Medical Decision Making 26:565-574 (2006).
//   - Points scale of a logistic nomogram in its usual layout: the
//     variable with the widest effect range spans 0 to 100 points.
package stats
