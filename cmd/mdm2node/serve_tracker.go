package main

import (
	"context"
	"log/slog"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/find"
	"github.com/mdm2node/mdm2node/series"
	"github.com/mdm2node/mdm2node/series/tracker"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// startTracker starts the study tracker of st and registers the C-FIND SCP
// (Patient Root and Study Root FIND) on srv; call it after scp.NewServer
// and before Serve. It returns the persistent job queue that the pipeline
// worker consumes, and stop, which ends the tracker and waits for it; call
// stop before closing the store. Audit events of state changes, role
// assignments and queries go to auditLog.
func startTracker(cfg *config.Config, st *store.Store, srv *scp.Server, auditLog *audit.Log, log *slog.Logger) (queue *store.JobQueue, stop func(), err error) {
	rules, err := series.CompileRules(cfg.Series)
	if err != nil {
		return nil, nil, err
	}
	writeAudit := func(e audit.Event) {
		if err := auditLog.Write(e); err != nil {
			log.Error("audit log write failed", "type", e.Type, "err", err)
		}
	}
	tr, err := tracker.New(st, tracker.Config{
		QuietPeriod:  cfg.Series.Readiness.QuietPeriod,
		MaxWait:      cfg.Series.Readiness.MaxWait,
		Rules:        rules,
		RegionLabels: cfg.Series.RegionLabels,
		Tolerances:   cfg.Series.Volume,
		Log:          log.With("component", "tracker"),
		Audit:        writeAudit,
	})
	if err != nil {
		return nil, nil, err
	}
	queue, err = store.NewJobQueue(st.Index, nil)
	if err != nil {
		return nil, nil, err
	}
	srv.Handle(dimse.CFindRQ, find.New(st, find.Config{
		// The node serves C-MOVE and C-GET for the instances it finds.
		RetrieveAETitle: cfg.Node.AETitle,
		Audit:           writeAudit,
		Log:             log.With("component", "c-find"),
	}))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Run(ctx)
	}()
	return queue, func() { cancel(); <-done }, nil
}
