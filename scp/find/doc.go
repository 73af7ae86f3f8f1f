// Package find is the node's C-FIND SCP: Query/Retrieve FIND in the Patient
// Root (1.2.840.10008.5.1.4.1.2.1.1) and Study Root
// (1.2.840.10008.5.1.4.1.2.2.1) information models of PS3.4 Annex C, over
// the instances of a store.
//
// Register the service on the listener with
//
//	srv.Handle(dimse.CFindRQ, find.New(st, find.Config{Audit: ...}))
//
// and the server accepts the two SOP classes (scp.Server.Handle).
//
// # Levels and keys
//
// PATIENT (Patient Root only), STUDY, SERIES and IMAGE. Each key of the
// request identifier is matched at its level: patient attributes at the
// patient of the Patient Root model and at the study in the Study Root
// model (PS3.4 C.6.2.1), study, series and image attributes at their
// levels (tables in model.go). An attribute the tables do not place is
// taken at the query level, from the stored instances' headers, so that any
// attribute the instances carry can be a key. Values come from the header
// of a representative instance: the instance itself at the IMAGE level,
// the first instance of the series, of the study (first series), or of the
// patient's most recent study. Computed attributes: Number of Patient/Study/
// Series Related Studies/Series/Instances (0020,1200-1209), Modalities in
// Study (0008,0061), SOP Classes in Study (0008,0062), Instance
// Availability (ONLINE).
//
// The search is relational in one respect: unique keys of the levels above
// the query level may be given (single value or UID list) and narrow the
// search, but they are not required. Keys of higher levels other than
// unique keys are matched too. A key of a level below the query level is
// an error (A900) when it has a value, and is returned empty otherwise.
//
// # Matching
//
// See match.go: single value, wild card (* and ?), range (DA, TM, DT),
// list of UIDs, universal matching, and multiple values in CS/AE/SH/LO
// keys (any of them). Comparisons are case-sensitive except for PN
// values, which match regardless of case (as PS3.4 C.2.2.2.1 allows), on
// the whole name or one component group. Sequence keys are return keys:
// they are answered with an empty sequence and do not restrict the
// search. Time zone offsets are ignored.
//
// # Responses
//
// Each match is a pending response (FF00) sent at once, in the order
// patient ID, study, series and instance UID. A response holds only the
// request's keys, plus Query/Retrieve Level, Specific Character Set when a
// value needs one, and Retrieve AE Title when Config.RetrieveAETitle says
// where to retrieve from. Before each response the service checks for a
// C-CANCEL-RQ (scp.CancelChecker) and then ends with Cancel (FE00).
//
// Failures: A900 (Identifier does not match SOP Class) for a missing or
// invalid Query/Retrieve Level, a level the model does not have, a key
// below the level with a value, or a malformed key value (a date that is
// not YYYYMMDD, a reversed range), with the Offending Element; C000
// (Unable to process) for an identifier that cannot be decoded, an
// unsupported Specific Character Set, or an index that cannot be read;
// A700 for an identifier over Config.MaxIdentifier.
//
// # Character sets
//
// Request values are decoded with the request's Specific Character Set,
// stored values with each instance's, and both compared in UTF-8. A
// response is encoded in the request's character set when every value
// fits, else in ISO_IR 192 (UTF-8); see charset.go for the defined terms.
//
// # Audit
//
// Every query is written to the audit log as a Query event (PS3.15
// A.5.3.13) with the calling AE, the SOP class, the level, each key and
// its value, the number of matches and the final status.
package find
