package retrieve

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/store"
)

// MoveConfig configures the C-MOVE SCP.
type MoveConfig struct {
	// Index finds the instances; DataDir is the folder their paths are
	// relative to.
	Index   Index
	DataDir string
	// Destination returns the address of a known Move Destination; an AE
	// title it does not know is refused with A801.
	Destination func(ae string) (config.Peer, bool)
	// CallingAE is the node's AE title on the association to the Move
	// Destination.
	CallingAE string
	// ConnectTimeout and DIMSETimeout bound that association; zero takes
	// the scp package defaults.
	ConnectTimeout, DIMSETimeout time.Duration
	// Log may be nil.
	Log *slog.Logger
	// Audit, when set, receives a Record of every retrieve once its final
	// response is sent or its failure answered.
	Audit func(Record)
}

// MoveService is the C-MOVE SCP of the Patient Root and Study Root
// Query/Retrieve information models (PS3.4 C.4.2). Register it with
// Server.Handle(dimse.CMoveRQ, ...).
type MoveService struct {
	cfg MoveConfig
	log *slog.Logger
}

// NewMoveService returns a C-MOVE SCP for cfg.
func NewMoveService(cfg MoveConfig) *MoveService {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &MoveService{cfg: cfg, log: log.With("service", "C-MOVE")}
}

// modelOf returns the information model of a retrieve SOP class.
func modelOf(abstract string) (string, bool) {
	switch abstract {
	case scp.PatientRootQueryRetrieveMove, scp.PatientRootQueryRetrieveGet:
		return modelPatientRoot, true
	case scp.StudyRootQueryRetrieveMove, scp.StudyRootQueryRetrieveGet:
		return modelStudyRoot, true
	}
	return "", false
}

// Begin implements scp.Service.
func (s *MoveService) Begin(req *scp.Request) scp.Operation {
	return &retrieveOp{req: req, field: dimse.CMoveRSP, run: s.run, audit: &auditor{emit: s.cfg.Audit, operation: "C-MOVE"}}
}

// retrieveOp collects the identifier of a C-MOVE or C-GET request and runs
// the retrieve when it is complete.
type retrieveOp struct {
	req     *scp.Request
	field   dimse.CommandField
	buf     bytes.Buffer
	tooLong bool
	run     func(op *retrieveOp, rsp scp.Responder)
	audit   *auditor
}

func (o *retrieveOp) Write(p []byte) (int, error) {
	if o.buf.Len()+len(p) > MaxIdentifierLength {
		o.tooLong = true
		return len(p), nil
	}
	return o.buf.Write(p)
}

func (o *retrieveOp) Abort() {}

func (o *retrieveOp) Finish(rsp scp.Responder) { o.run(o, rsp) }

// fail answers a final failure without counts.
func (o *retrieveOp) fail(rsp scp.Responder, status uint16, comment string) {
	cmd := response(o.req.Command, o.field, status, nil)
	if comment != "" {
		if len(comment) > 64 {
			comment = comment[:64]
		}
		cmd.SetString(dimse.TagErrorComment, comment)
	}
	_ = rsp.Respond(cmd, nil)
	o.audit.done(o, status, nil, comment)
}

// matches checks the request and returns the instances it selects, or
// answers a failure and returns false.
func (o *retrieveOp) matches(ix Index, rsp scp.Responder, log *slog.Logger) ([]store.InstanceRecord, bool) {
	model, ok := modelOf(o.req.AbstractSyntax)
	if !ok {
		o.fail(rsp, StatusSOPClassNotSupported, "not a retrieve SOP class")
		return nil, false
	}
	if !o.req.Command.HasDataSet() || o.tooLong {
		o.fail(rsp, StatusIdentifierMismatch, "identifier missing or too long")
		return nil, false
	}
	id, err := DecodeIdentifier(o.buf.Bytes(), o.req.TransferSyntax)
	if err == nil {
		var recs []store.InstanceRecord
		if recs, err = Match(ix, model, id); err == nil {
			log.Info("retrieve matched", "level", id.Level, "studies", describeIDs(id.StudyUIDs), "instances", len(recs))
			o.audit.matched(recs)
			return recs, true
		}
	}
	if errors.Is(err, ErrIdentifier) {
		log.Info("retrieve identifier rejected", "err", err)
		o.fail(rsp, StatusIdentifierMismatch, err.Error())
	} else {
		log.Error("retrieve matching failed", "err", err)
		o.fail(rsp, StatusUnableToCalculate, "index read failed")
	}
	return nil, false
}

// instancesOf returns the instances to send for the index records.
func instancesOf(dataDir string, recs []store.InstanceRecord) []results.Instance {
	out := make([]results.Instance, len(recs))
	for i, r := range recs {
		out[i] = results.Instance{
			Path:              filepath.Join(dataDir, r.Path),
			DataSetOffset:     r.DataSetOffset,
			SOPClassUID:       r.SOPClassUID,
			SOPInstanceUID:    r.SOPInstanceUID,
			TransferSyntaxUID: r.TransferSyntaxUID,
		}
	}
	return out
}

// progress counts one sub-operation and sends a pending response while
// some remain. It returns false when the SCU cancelled.
func progress(o *retrieveOp, rsp scp.Responder, c *counts, inst results.Instance, r results.Result) bool {
	c.remaining--
	switch {
	case r.Stored() && r.Status != scp.StatusSuccess:
		c.warning++
	case r.Stored():
		c.completed++
	default:
		c.failed++
		c.failedUIDs = append(c.failedUIDs, inst.SOPInstanceUID)
	}
	if cn, ok := rsp.(scp.CancelChecker); ok && cn.Canceled() {
		return false
	}
	if c.remaining > 0 {
		_ = rsp.Respond(response(o.req.Command, o.field, StatusPending, c), nil)
	}
	return true
}

// finish sends the final response: Cancel when canceled, else the status
// of the counts, with the Failed SOP Instance UID List when some failed.
func finish(o *retrieveOp, rsp scp.Responder, c *counts, canceled bool, comment string) {
	status := c.final()
	if canceled {
		status = StatusCancel
	}
	cmd := response(o.req.Command, o.field, status, c)
	if comment != "" && status != StatusSuccess {
		if len(comment) > 64 {
			comment = comment[:64]
		}
		cmd.SetString(dimse.TagErrorComment, comment)
	}
	o.audit.done(o, status, c, comment)
	if len(c.failedUIDs) > 0 {
		_ = rsp.Respond(cmd, bytes.NewReader(failedUIDList(c.failedUIDs, o.req.TransferSyntax)))
		return
	}
	_ = rsp.Respond(cmd, nil)
}

// run performs a C-MOVE: the matching instances go to the
// Move Destination on one new association.
func (s *MoveService) run(o *retrieveOp, rsp scp.Responder) {
	log := s.log.With("assoc", o.req.Association.ID, "calling_ae", o.req.Association.CallingAE)

	// 1. The Move Destination must be known.
	dest, _ := o.req.Command.String(dimse.TagMoveDestination)
	o.audit.destination = dest
	peer, known := config.Peer{}, false
	if dest != "" && s.cfg.Destination != nil {
		peer, known = s.cfg.Destination(dest)
	}
	if !known {
		log.Warn("move destination unknown", "move_destination", dest)
		o.fail(rsp, StatusMoveDestUnknown, "move destination unknown: "+dest)
		return
	}

	// 2. The instances.
	recs, ok := o.matches(s.cfg.Index, rsp, log)
	if !ok {
		return
	}
	c := &counts{remaining: len(recs)}
	if len(recs) == 0 {
		finish(o, rsp, c, false, "")
		return
	}

	// 3. The sub-operations, on one association to the destination, each
	// naming the C-MOVE it belongs to.
	msgID, _ := o.req.Command.MessageID()
	instances := instancesOf(s.cfg.DataDir, recs)
	canceled := false
	processed := 0
	_, err := results.Send(context.Background(), peer.Address(), results.SendConfig{
		CallingAE:      s.cfg.CallingAE,
		CalledAE:       peer.AETitle,
		ConnectTimeout: s.cfg.ConnectTimeout,
		DIMSETimeout:   s.cfg.DIMSETimeout,
		Log:            log,
		MoveOriginator: &scp.MoveOriginator{AETitle: o.req.Association.CallingAE, MessageID: msgID},
		Progress: func(i int, r results.Result) bool {
			processed = i + 1
			if r.Err != nil {
				log.Warn("move sub-operation failed", "sop_instance_uid", instances[i].SOPInstanceUID, "err", r.Err)
			}
			if !progress(o, rsp, c, instances[i], r) {
				canceled = true
				return false
			}
			return true
		},
	}, instances)

	// 4. Sub-operations never attempted because the association failed
	// count as failed; after a cancel they stay remaining.
	comment := ""
	if !canceled && processed < len(instances) {
		comment = "association to the move destination failed"
		if err != nil {
			comment = "move destination not reachable"
		}
		log.Warn("move association failed", "move_destination", dest, "err", err, "not_sent", len(instances)-processed)
		for _, inst := range instances[processed:] {
			c.remaining--
			c.failed++
			c.failedUIDs = append(c.failedUIDs, inst.SOPInstanceUID)
		}
	}
	log.Info("move finished", "move_destination", dest, "completed", c.completed, "failed", c.failed, "warning", c.warning, "canceled", canceled)
	finish(o, rsp, c, canceled, comment)
}
