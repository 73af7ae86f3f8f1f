package scp

import (
	"io"
	"time"
)

// StoreRequest describes one C-STORE-RQ received on an association.
type StoreRequest struct {
	AssociationID     string
	CallingAE         string
	CalledAE          string
	PeerAddr          string
	MessageID         uint16
	Priority          uint16
	SOPClassUID       string // Affected SOP Class UID (0000,0002) of the command
	SOPInstanceUID    string // Affected SOP Instance UID (0000,1000) of the command
	TransferSyntaxUID string // negotiated transfer syntax of the presentation context
	MoveOriginatorAE  string // (0000,1030), empty unless the store is a C-MOVE sub-operation
	MoveOriginatorID  uint16 // (0000,1031)
}

// StoreHandler receives the data sets of C-STORE requests.
type StoreHandler interface {
	// BeginStore is called when a C-STORE-RQ command has arrived, before its
	// data set. A non-nil error rejects the request; the server then
	// answers the status that StatusOf(err) returns and discards the data set.
	BeginStore(req *StoreRequest) (StoreSink, error)
}

// StoreSink receives the bytes of one data set, encoded in the negotiated
// transfer syntax, as the P-DATA fragments arrive.
type StoreSink interface {
	io.Writer
	// Commit is called after the last fragment. It makes the instance
	// durable and returns the DIMSE status to answer (0x0000 for Success).
	Commit() (status uint16, err error)
	// Abort discards everything written so far. It is called instead of
	// Commit when the association ends before the data set is complete or
	// when a Write failed.
	Abort()
}

// Observer is told about association events, for the audit log and metrics.
// Methods must return quickly; they are called from the association's
// goroutine.
type Observer interface {
	AssociationAccepted(a AssociationInfo)
	AssociationRejected(a AssociationInfo, result, source, reason byte)
	AssociationReleased(a AssociationInfo, stats AssociationStats)
	AssociationAborted(a AssociationInfo, stats AssociationStats, cause error)
	// SecurityAlert reports malformed input or a rejected peer.
	SecurityAlert(peerAddr string, callingAE string, detail string)
}

// AssociationInfo identifies an association.
type AssociationInfo struct {
	ID        string
	CallingAE string
	CalledAE  string
	PeerAddr  string
	Started   time.Time
}

// AssociationStats counts what an association transferred.
type AssociationStats struct {
	// Stored counts instances stored with Success per Study Instance UID;
	// the key is the study UID from the stored data set when the handler
	// reports one, else the empty string.
	StoredByStudy map[string]int
	Failed        int
}
