package retrieve

import (
	"context"
	"errors"
	"log/slog"

	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
)

// GetConfig configures the C-GET SCP.
type GetConfig struct {
	// Index finds the instances; DataDir is the folder their paths are
	// relative to.
	Index   Index
	DataDir string
	// Log may be nil.
	Log *slog.Logger
	// Audit, when set, receives a Record of every retrieve once its final
	// response is sent or its failure answered.
	Audit func(Record)
}

// GetService is the C-GET SCP of the Patient Root and Study Root
// Query/Retrieve information models (PS3.4 C.4.3). Register it with
// Server.Handle(dimse.CGetRQ, ...): the server then grants the SCP role for
// the storage SOP classes the SCU proposes it for, and the C-STORE
// sub-operations go on those presentation contexts.
type GetService struct {
	cfg GetConfig
	log *slog.Logger
}

// NewGetService returns a C-GET SCP for cfg.
func NewGetService(cfg GetConfig) *GetService {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &GetService{cfg: cfg, log: log.With("service", "C-GET")}
}

// Begin implements scp.Service.
func (s *GetService) Begin(req *scp.Request) scp.Operation {
	return &retrieveOp{req: req, field: dimse.CGetRSP, run: s.run, audit: &auditor{emit: s.cfg.Audit, operation: "C-GET"}}
}

// run performs a C-GET: the matching instances go back on
// the association of the request, one C-STORE sub-operation at a time.
func (s *GetService) run(o *retrieveOp, rsp scp.Responder) {
	log := s.log.With("assoc", o.req.Association.ID, "calling_ae", o.req.Association.CallingAE)

	// 1. The responder must be able to send sub-operations.
	sub, ok := rsp.(scp.SubStorer)
	if !ok {
		log.Error("responder cannot send C-STORE sub-operations")
		o.fail(rsp, StatusUnableToPerform, "C-STORE sub-operations not supported")
		return
	}

	// 2. The instances.
	recs, ok := o.matches(s.cfg.Index, rsp, log)
	if !ok {
		return
	}
	c := &counts{remaining: len(recs)}
	instances := instancesOf(s.cfg.DataDir, recs)

	// 3. One sub-operation per instance. A SOP class without a context on
	// which the node may send (the SCU did not propose it, or not with the
	// SCP role) fails that sub-operation only.
	canceled := false
	for _, inst := range instances {
		if cc, ok := rsp.(scp.CancelChecker); ok && cc.Canceled() {
			canceled = true
			break
		}
		var r results.Result
		ts, data, err := results.OpenForSend(inst, sub.SubStoreTransferSyntaxes(inst.SOPClassUID))
		if err == nil {
			var status uint16
			status, err = sub.SubStore(context.Background(), inst.SOPClassUID, inst.SOPInstanceUID, ts, data)
			data.Close()
			if err != nil && !errors.Is(err, scp.ErrNoContext) {
				// The association ended: no response can be sent.
				log.Warn("get ended with the association", "err", err, "completed", c.completed, "failed", c.failed)
				return
			}
			if err == nil {
				r = results.StoreResult(inst, status)
			}
		}
		if err != nil {
			r = results.Result{Err: err}
			log.Warn("get sub-operation failed", "sop_instance_uid", inst.SOPInstanceUID, "err", err)
		}
		if !progress(o, rsp, c, inst, r) {
			canceled = true
			break
		}
	}
	log.Info("get finished", "completed", c.completed, "failed", c.failed, "warning", c.warning, "canceled", canceled)
	finish(o, rsp, c, canceled, "")
}
