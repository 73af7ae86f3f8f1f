package scp

import (
	"errors"
	"io"

	"github.com/mdm2node/mdm2node/scp/dimse"
)

// Request is a DIMSE request received on an association, as a Service sees
// it when its command set has arrived.
type Request struct {
	Association AssociationInfo
	// ContextID, AbstractSyntax and TransferSyntax describe the
	// presentation context the request came on; the data set, if any, is
	// encoded in TransferSyntax.
	ContextID      byte
	AbstractSyntax string
	TransferSyntax string
	Command        *dimse.Command
}

// Responder sends the responses of one request. It may be used only during
// Operation.Finish, on the association's goroutine.
type Responder interface {
	// Respond sends a response command set and, when dataSet is not nil,
	// the data set read from it until EOF, encoded in the request's
	// transfer syntax.
	Respond(cmd *dimse.Command, dataSet io.Reader) error
}

// Service handles the requests of one command field (C-ECHO-RQ, C-STORE-RQ,
// and later C-FIND-RQ, C-MOVE-RQ, C-GET-RQ). Register one with Server.Handle.
type Service interface {
	// Begin is called on the association's goroutine when the command set
	// of a request has arrived, before its data set. It never returns nil.
	Begin(req *Request) Operation
}

// Operation is one request being processed. The association calls Write for
// each fragment of the request's data set (none when the command says no
// data set follows), then Finish once; or Abort instead of Finish when the
// association ends first. After Write returns an error, Write is not called
// again, and Finish is expected to answer a failure status.
type Operation interface {
	// Write receives the next fragment of the data set. p aliases the
	// association's read buffer: it is valid only during the call.
	Write(p []byte) (int, error)
	// Finish answers the request through rsp.
	Finish(rsp Responder)
	// Abort discards the operation without answering.
	Abort()
}

// statusOperation answers a fixed status and discards any data set: used for
// unrecognized operations and for requests refused before their data set.
type statusOperation struct {
	req    *Request
	field  dimse.CommandField
	status uint16
	detail string
}

func (o *statusOperation) Write(p []byte) (int, error) { return len(p), nil }
func (o *statusOperation) Abort()                      {}
func (o *statusOperation) Finish(rsp Responder) {
	c := dimse.NewResponse(o.req.Command, o.field, o.status)
	if o.detail != "" && o.status != dimse.StatusSuccess {
		c.SetString(dimse.TagErrorComment, truncate(o.detail, 64))
	}
	_ = rsp.Respond(c, nil)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// refuse returns an operation that answers status to req.
func refuse(req *Request, status uint16, detail string) Operation {
	f, _ := req.Command.Field()
	return &statusOperation{req: req, field: dimse.ResponseField(f), status: status, detail: detail}
}

// echoService is the Verification SCP (PS3.4 Annex A, PS3.7 section 9.1.5).
type echoService struct{}

func (echoService) Begin(req *Request) Operation {
	if req.AbstractSyntax != VerificationSOPClass {
		return refuse(req, dimse.StatusSOPClassNotSupported, "C-ECHO on a context that is not Verification")
	}
	return refuse(req, dimse.StatusSuccess, "")
}

// StudyReporter may be implemented by a StoreSink to report the Study
// Instance UID of the instance it committed, counted in
// AssociationStats.StoredByStudy. It is called after a successful Commit.
type StudyReporter interface {
	StudyInstanceUID() string
}

// storeService is the Storage SCP (PS3.4 Annex B, PS3.7 section 9.1.1).
type storeService struct {
	handler StoreHandler
}

// errBadCommand is wrapped into the statuses the server itself answers for
// a C-STORE-RQ it cannot accept.
var errBadCommand = errors.New("scp: C-STORE-RQ not acceptable")

func (s *storeService) Begin(req *Request) Operation {
	cmd := req.Command

	// 1. The command: the elements PS3.7 Table 9.3-1 requires.
	if err := cmd.Require(dimse.TagAffectedSOPClassUID, dimse.TagMessageID, dimse.TagAffectedSOPInstanceUID, dimse.TagPriority); err != nil {
		return refuse(req, dimse.StatusCannotUnderstand, err.Error())
	}
	if !cmd.HasDataSet() {
		return refuse(req, dimse.StatusCannotUnderstand, "C-STORE-RQ without data set")
	}
	sopClass, _ := cmd.String(dimse.TagAffectedSOPClassUID)
	sopInstance, _ := cmd.String(dimse.TagAffectedSOPInstanceUID)
	msgID, _ := cmd.MessageID()
	prio, _ := cmd.Uint16(dimse.TagPriority)

	// 2. The SOP class must be the context's, and one we store. The SOP
	// Instance UID is passed to the handler as received: the handler
	// validates it before using it (the server never does).
	if sopClass != req.AbstractSyntax || !contains(StorageSOPClasses, sopClass) {
		return refuse(req, dimse.StatusSOPClassNotSupported, "SOP class not supported on this presentation context")
	}
	sr := &StoreRequest{
		AssociationID:     req.Association.ID,
		CallingAE:         req.Association.CallingAE,
		CalledAE:          req.Association.CalledAE,
		PeerAddr:          req.Association.PeerAddr,
		MessageID:         msgID,
		Priority:          prio,
		SOPClassUID:       sopClass,
		SOPInstanceUID:    sopInstance,
		TransferSyntaxUID: req.TransferSyntax,
	}
	sr.MoveOriginatorAE, _ = cmd.String(dimse.TagMoveOriginatorApplicationEntity)
	sr.MoveOriginatorID, _ = cmd.Uint16(dimse.TagMoveOriginatorMessageID)

	// 3. The handler decides whether to receive the data set.
	sink, err := s.handler.BeginStore(sr)
	if err != nil {
		return refuse(req, StatusOf(err), err.Error())
	}
	if sink == nil {
		return refuse(req, dimse.StatusOutOfResources, "no sink")
	}
	return &storeOperation{req: req, sink: sink}
}

// storeOperation streams one C-STORE data set into a StoreSink.
type storeOperation struct {
	req      *Request
	sink     StoreSink
	writeErr error
	// Outcome, read by the association for its statistics.
	status uint16
	study  string
}

func (o *storeOperation) Write(p []byte) (int, error) {
	if o.writeErr != nil {
		return 0, o.writeErr
	}
	n, err := o.sink.Write(p)
	if err == nil && n != len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.writeErr = err
		o.sink.Abort()
		return n, err
	}
	return n, nil
}

func (o *storeOperation) Abort() {
	if o.writeErr == nil {
		o.sink.Abort()
	}
}

func (o *storeOperation) Finish(rsp Responder) {
	var status uint16
	var detail string
	if o.writeErr != nil {
		status = StatusOf(o.writeErr)
		detail = o.writeErr.Error()
	} else {
		st, err := o.sink.Commit()
		status = st
		if err != nil {
			if st == StatusSuccess {
				status = StatusOf(err)
			}
			detail = err.Error()
		}
		if isSuccessOrWarning(status) {
			if r, ok := o.sink.(StudyReporter); ok {
				o.study = r.StudyInstanceUID()
			}
		}
	}
	o.status = status
	c := dimse.NewResponse(o.req.Command, dimse.CStoreRSP, status)
	if detail != "" && !isSuccessOrWarning(status) {
		c.SetString(dimse.TagErrorComment, truncate(detail, 64))
	}
	_ = rsp.Respond(c, nil)
}

// isSuccessOrWarning reports whether a C-STORE status means the instance was
// stored: Success (0000) or a warning (B000, B006, B007; PS3.4 B.2.3).
func isSuccessOrWarning(status uint16) bool {
	return status == StatusSuccess || status&0xF000 == 0xB000
}
