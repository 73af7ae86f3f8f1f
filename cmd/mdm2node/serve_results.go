package main

import (
	"context"
	"log/slog"
	"sync"

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
func registerRetrieve(srv *scp.Server, cfg *config.Config, st *store.Store, log *slog.Logger) {
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
	}))
	srv.Handle(dimse.CGetRQ, retrieve.NewGetService(retrieve.GetConfig{
		Index:   st,
		DataDir: st.Dir(),
		Log:     log,
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
