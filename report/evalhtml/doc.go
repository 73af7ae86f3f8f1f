// Package evalhtml evaluates the predicted probabilities of one or more
// models on one or more cohorts and writes a self-contained HTML report.
//
// The report has a table of metrics in the layout of Table 2 of the
// reference study. Each model and cohort gets a row with the AUC and its
// 95 % DeLong interval, then accuracy, sensitivity, specificity, PPV and NPV,
// each with a 95 % Wilson score interval with continuity correction. A
// second table lists average precision, Harrell's C-index and the
// Hosmer-Lemeshow test. The ROC, precision-recall, calibration and
// decision-curve plots of each cohort follow, embedded as PNG data URIs.
// The statistics come from report/stats and the plots from report/plots.
package evalhtml
