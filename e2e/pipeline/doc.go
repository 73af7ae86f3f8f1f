// Package pipeline holds the end-to-end tests of the whole node: a model
// trained by the node's own commands on synthetic phantom studies, `mdm2node
// serve` with the study tracker, the pipeline worker and delivery, DCMTK
// storescu as the modality, a second node as the result receiver, and
// DCMTK dsrdump to read the Structured Report that arrives.
//
// TestSyntheticStudy pushes a new synthetic study. TestRealSeries pushes
// public CT and MR series of other origins, placed into one study with new
// synthetic identifiers, with regions made by `mdm2node roi`.
//
// The receiver is a second `mdm2node serve` and not DCMTK storescp, because
// storescp (DCMTK 3.6.7) listens on every interface and cannot be bound to
// 127.0.0.1, and the tests start servers on loopback only.
package pipeline
