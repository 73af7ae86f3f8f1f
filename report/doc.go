// Package report holds what the node writes for people: the evaluation
// statistics of a classifier (sub-package stats), their plots (plots) and the
// HTML evaluation report (evalhtml). The DICOM Structured Report writer for a
// scored study also belongs under report.
//
// The statistics follow the evaluation of the reference study, a two-centre
// radiomics and deep-learning study of MDM2 amplification in lipomatous
// tumours: ROC AUC with a DeLong confidence interval, precision-recall with
// average precision, accuracy, sensitivity, specificity, PPV and NPV with
// Wilson score intervals, Harrell's C-index, the Hosmer-Lemeshow test,
// calibration curves, decision-curve analysis and a nomogram. The formulas
// and their sources are listed in docs/STATISTICS.md.
package report
