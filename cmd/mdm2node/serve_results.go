package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/retrieve"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// startDeliveryWorker starts the result delivery worker on the queue of st
// and returns it, for Enqueue by the pipeline worker, with a function that
// stops it and waits for the associations in progress. Deliveries queued by
// an earlier run are sent from their stored next-attempt times.
func startDeliveryWorker(cfg *config.Config, st *store.Store, auditLog *audit.Log, log *slog.Logger) (*results.Worker, func()) {
	w := results.NewWorker(st, results.WorkerConfig{
		Results: cfg.Results,
		NodeAE:  cfg.Node.AETitle,
		Audit:   auditLog,
		Log:     log,
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = w.Run(ctx)
	}()
	return w, func() {
		cancel()
		wg.Wait()
	}
}

// registerRetrieve registers the C-MOVE and C-GET SCP on srv, which adds
// the Patient Root and Study Root Move and Get SOP classes to the accepted
// ones. It must be called before srv.Serve.
func registerRetrieve(srv *scp.Server, cfg *config.Config, st *store.Store, auditLog *audit.Log, log *slog.Logger) {
	recordRetrieve := retrieveAuditor(auditLog, log)
	callingAE := cfg.Results.CallingAE
	if callingAE == "" {
		callingAE = cfg.Node.AETitle
	}
	srv.Handle(dimse.CMoveRQ, retrieve.NewMoveService(retrieve.MoveConfig{
		Index:          st,
		DataDir:        st.Dir(),
		Destination:    moveDestination(cfg),
		CallingAE:      callingAE,
		ConnectTimeout: cfg.Results.Timeouts.Connect,
		DIMSETimeout:   cfg.Results.Timeouts.DIMSE,
		Log:            log,
		Audit:          recordRetrieve,
	}))
	srv.Handle(dimse.CGetRQ, retrieve.NewGetService(retrieve.GetConfig{
		Index:   st,
		DataDir: st.Dir(),
		Log:     log,
		Audit:   recordRetrieve,
	}))
}

// moveDestination returns the lookup of C-MOVE destinations: the AE titles
// of results.destinations, then of node.peers.
func moveDestination(cfg *config.Config) func(ae string) (config.Peer, bool) {
	return func(ae string) (config.Peer, bool) {
		if p, ok := cfg.Results.Destination(ae); ok {
			return p, true
		}
		for _, p := range cfg.Node.Peers {
			if p.AETitle == ae {
				return p, true
			}
		}
		return config.Peer{}, false
	}
}

// retrieveAuditor returns the audit hook of the C-MOVE and C-GET SCP: a
// DICOMInstancesTransferred event per retrieve, and a SecurityAlert for a
// move to an unknown destination.
func retrieveAuditor(auditLog *audit.Log, log *slog.Logger) func(retrieve.Record) {
	return func(r retrieve.Record) {
		e := audit.Event{
			Time:        time.Now().UTC(),
			Type:        audit.DICOMInstancesTransferred,
			Association: r.Association.ID,
			CallingAE:   r.Association.CallingAE,
			CalledAE:    r.Association.CalledAE,
			PeerAddr:    r.Association.PeerAddr,
			Stored:      r.Completed + r.Warnings,
			Failed:      r.Failed,
			Status:      fmt.Sprintf("%04X", r.Status),
			Detail:      r.Operation,
		}
		for _, sc := range r.Studies {
			e.Studies = append(e.Studies, audit.StudyCount{StudyInstanceUID: sc.StudyInstanceUID, Instances: sc.Instances})
		}
		if r.Destination != "" {
			e.Detail += " to " + r.Destination
		}
		if r.Comment != "" {
			e.Detail += ": " + r.Comment
		}
		switch {
		case r.Status == retrieve.StatusMoveDestUnknown:
			e.Type = audit.SecurityAlert
			e.Outcome = audit.MinorFailure
		case r.Status == scp.StatusSuccess:
			e.Outcome = audit.Success
		case r.Status&0xF000 == 0xB000 || r.Status == retrieve.StatusCancel:
			e.Outcome = audit.MinorFailure
		default:
			e.Outcome = audit.SeriousFailure
		}
		if err := auditLog.Write(e); err != nil {
			log.Error("audit log write failed", "type", e.Type, "err", err)
		}
	}
}
