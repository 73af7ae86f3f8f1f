// Package audit writes and reads the node's audit log: JSON lines, one event
// per line, appended to one file. Event types take the names of the DICOM
// PS3.15 audit messages (A.5.3): ApplicationActivity, DICOMInstancesTransferred
// and SecurityAlert, with the outcome codes of EventOutcomeIndicator. PS3.15
// has no message per association, so the association events
// (AssociationAccepted, AssociationRejected, AssociationReleased,
// AssociationAborted) and DuplicateInstance use names of their own in the
// same style.
//
// Unlike the application log, the audit log is where identities belong: AE
// titles, peer addresses, Study Instance UIDs.
package audit
