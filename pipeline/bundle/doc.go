// Package bundle defines the model bundle: one JSON file that holds every
// trained model of a cohort together with what is needed to use and audit
// it: the input feature names and their order, scaler parameters, the
// selected features, the support vectors and dual coefficients of each RBF
// SVM, gamma, the intercept, the Platt parameters, the optional logistic
// models (clinical model and nomogram), the identity of the deep feature
// extractor, training metadata and a statement of intended use.
//
// The file is versioned by its "format" and "version" fields. Load rejects
// any other format or version, and a bundle whose deep feature extractor
// does not have the configured SHA-256. Floating-point values are written in
// the shortest decimal form that reads back to the same float64 (Go's
// encoding/json), so a loaded bundle scores exactly as the trained models.
package bundle
