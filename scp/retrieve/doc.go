// Package retrieve is the node's Query/Retrieve SCP for the retrieve
// operations of PS3.4 Annex C: C-MOVE (section C.4.2) and C-GET (section
// C.4.3) of the Patient Root and Study Root information models, at the
// PATIENT, STUDY, SERIES and IMAGE levels.
//
// A C-MOVE sends the matching stored instances on a new association to the
// Move Destination, which must be a known destination (results.destinations
// of the configuration); any other AE title is refused with A801. A C-GET
// sends them with C-STORE sub-operations on the association of the request,
// which needs an scp.Responder that implements SubStorer.
//
// Both answer a pending response (FF00) after each sub-operation with the
// numbers of remaining, completed, failed and warning sub-operations, and a
// final response: 0000 when every sub-operation succeeded, B000 with the
// Failed SOP Instance UID List (0008,0058) when some failed or had warnings,
// A702 when all failed, FE00 when the SCU cancelled.
//
// Files:
//
//	identifier.go  decoding of the request identifier (PS3.5 section 7)
//	match.go       the stored instances an identifier selects
//	response.go    pending and final responses, Failed SOP Instance UID List
//	move.go        the C-MOVE service
//	get.go         the C-GET service
package retrieve
