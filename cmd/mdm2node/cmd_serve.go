package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

func init() {
	register("serve", "run the node (listener, tracker, pipeline, delivery): serve -config FILE [-listen ADDR] [-ae-title AE] [-data-dir DIR]", runServe)
}

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", "config.yaml", "configuration file")
	listen := fs.String("listen", "", "TCP address to listen on, host:port (overrides node.listen)")
	aeTitle := fs.String("ae-title", "", "called AE title to answer to (overrides node.ae_title)")
	dataDir := fs.String("data-dir", "", "data folder (overrides storage.data_dir)")
	logLevel := fs.String("log-level", "info", "application log level: debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "application log format on stderr: text or json")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mdm2node serve -config FILE [-listen ADDR] [-ae-title AE] [-data-dir DIR]")
		fmt.Fprintln(fs.Output(), "Runs the node until SIGINT or SIGTERM: C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET,")
		fmt.Fprintln(fs.Output(), "the study tracker, the pipeline worker (when pipeline.model_bundle is set) and")
		fmt.Fprintln(fs.Output(), "result delivery. On a signal it stops accepting, lets open associations finish")
		fmt.Fprintln(fs.Output(), "for limits.timeouts.shutdown and aborts the rest.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	// 1. Configuration: the file, then the flags over it.
	cfg, err := config.Load(*configPath)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Node.Listen = *listen
	}
	if *aeTitle != "" {
		cfg.Node.AETitle = *aeTitle
	}
	if *dataDir != "" {
		cfg.Storage.DataDir = *dataDir
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log, err := newServeLogger(*logLevel, *logFormat)
	if err != nil {
		return err
	}
	return serve(cfg, log)
}

// serve runs the listener of cfg until a signal, then shuts it down.
func serve(cfg *config.Config, log *slog.Logger) error {
	// 1. Signals are caught from the start, so that SIGINT or SIGTERM during
	// start-up shuts down in order instead of ending the process.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// 2. Audit log and store.
	auditLog, err := audit.Open(cfg.Audit.Path)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	recorder := audit.NewRecorder(auditLog, nil, log)
	st, err := store.Open(store.Options{
		DataDir:            cfg.Storage.DataDir,
		DuplicatePolicy:    cfg.Storage.DuplicatePolicy,
		MaxInstanceSize:    int64(cfg.Limits.MaxInstanceSize),
		FreeSpaceWatermark: int64(cfg.Limits.FreeSpaceWatermark),
		Events:             recorder,
		Logger:             log,
	})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("data folder %s is used by another mdm2node serve: %w", cfg.Storage.DataDir, err)
	}
	if err != nil {
		return err
	}
	recorder.SetCounter(st)
	storeClosed := false
	defer func() {
		if !storeClosed {
			st.Close()
		}
	}()

	// 3. Result delivery, which must stop before the store closes.
	deliveries, stopDeliveries := startDeliveryWorker(cfg, st, auditLog, log)
	defer stopDeliveries()

	// 4. Server with its query and retrieve services, the study tracker
	// and the pipeline worker that consumes the tracker's job queue.
	srv, err := scp.NewServer(scpConfig(cfg), st, recorder, log)
	if err != nil {
		return err
	}
	registerRetrieve(srv, cfg, st, auditLog, log)
	jobs, stopTracker, err := startTracker(cfg, st, srv, auditLog, log)
	if err != nil {
		return err
	}
	defer stopTracker()
	workerCtx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	waitWorker, err := startPipeline(workerCtx, cfg, st, jobs, deliveries, auditLog, log)
	if err != nil {
		return err
	}

	// 5. Listener.
	l, err := net.Listen("tcp", cfg.Node.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	addr := l.Addr().String()
	recorder.ApplicationStarted(cfg.Node.AETitle, addr)
	log.Info("listening", "addr", addr, "ae_title", cfg.Node.AETitle, "data_dir", st.Dir(),
		"audit", cfg.Audit.Path, "max_associations", cfg.Limits.MaxAssociations)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	// 6. Run until a signal or a listener failure, then shut down.
	var reason string
	var serveErr error
	select {
	case sig := <-sigs:
		reason = "signal " + sig.String()
		log.Info("shutting down", "signal", sig.String(), "grace", cfg.Limits.Timeouts.Shutdown)
	case serveErr = <-served:
		reason = "listener failed"
		log.Error("listener failed", "err", serveErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Limits.Timeouts.Shutdown)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("associations aborted at shutdown", "err", err)
		reason += "; open associations aborted after " + cfg.Limits.Timeouts.Shutdown.String()
	}
	stopWorker()
	waitWorker()
	stopTracker()
	stopDeliveries()
	storeClosed = true
	if err := st.Close(); err != nil {
		log.Error("closing the store", "err", err)
		serveErr = errors.Join(serveErr, err)
	}
	outcome := audit.Success
	if serveErr != nil {
		outcome = audit.SeriousFailure
	}
	recorder.ApplicationStopped(cfg.Node.AETitle, reason, outcome)
	log.Info("stopped", "reason", reason)
	return serveErr
}

// scpConfig maps the node's configuration to the server's.
func scpConfig(cfg *config.Config) scp.Config {
	t := cfg.Limits.Timeouts
	return scp.Config{
		AETitle:           cfg.Node.AETitle,
		AllowedCallingAEs: cfg.Node.AllowedCallingAEs,
		MaxAssociations:   cfg.Limits.MaxAssociations,
		MaxPDULength:      uint32(cfg.Limits.MaxPDULength),
		ARTIMTimeout:      t.ARTIM,
		ACSETimeout:       t.ACSE,
		DIMSETimeout:      t.DIMSE,
		IdleTimeout:       t.Idle,
	}
}

// newServeLogger returns the application log on stderr.
func newServeLogger(level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q is not text or json", format)
}
