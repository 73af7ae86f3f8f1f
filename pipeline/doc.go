// Package pipeline turns a ready study into a result: features from the
// radiomics and deep sub-packages, a score from the model bundle, and a
// Structured Report. This file set holds the job contract between the study
// tracker, which decides when a study is ready, and the pipeline worker.
package pipeline
