// Package pipeline holds the end-to-end tests of the whole node. The node's
// own commands train a model on synthetic phantom studies, and `mdm2node
// serve` runs with the study tracker, the pipeline worker and delivery.
// DCMTK storescu is the modality, a second node is the result receiver, and
// DCMTK dsrdump reads the Structured Report that arrives.
//
// TestSyntheticStudy pushes a new synthetic study. TestRealSeries pushes
// public CT and MR series of other origins, placed into one study with new
// synthetic identifiers, with regions made by `mdm2node roi`.
//
// The receiver is a second `mdm2node serve` and not DCMTK storescp, because
// storescp (DCMTK 3.6.7) listens on every interface and cannot be bound to
// 127.0.0.1, and the tests start servers on loopback only.
package pipeline
