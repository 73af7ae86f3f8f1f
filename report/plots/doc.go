// Package plots draws the evaluation figures of a binary classifier as PNG
// images with gonum.org/v1/plot: ROC curves, precision-recall curves,
// calibration curves, decision curves and the points nomogram of a logistic
// model. The data come from package report/stats; each builder returns a
// *plot.Plot, and PNG encodes one at a given size and resolution.
//
// The figures follow the conventions of the reference study's figures and of
// the sources cited in report/stats: a ROC plot has the chance diagonal, a
// calibration plot the line of perfect calibration, and a decision curve the
// treat-all and treat-none strategies (Vickers and Elkin 2006).
package plots
