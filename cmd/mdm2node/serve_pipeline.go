package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/pipeline/deep"
	"github.com/mdm2node/mdm2node/pipeline/worker"
	"github.com/mdm2node/mdm2node/report/sr"
	"github.com/mdm2node/mdm2node/results"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// AuditPipelineRun is the audit event type of one pipeline run. Its outcome
// is Success when the run stored a report, and Detail contains the
// likelihood and stage times, or the reason of the failure.
const AuditPipelineRun audit.Type = "PipelineRun"

// startPipeline starts the pipeline worker on queue when
// pipeline.model_bundle is set, and returns a function that waits until the
// worker has stopped after ctx ended. Reports are stored in st and queued on
// delivery for the destinations of each study. Without a bundle it logs that
// studies are not scored and starts nothing.
func startPipeline(ctx context.Context, cfg *config.Config, st *store.Store, queue pipeline.JobQueue,
	delivery *results.Worker, auditLog *audit.Log, log *slog.Logger) (wait func(), err error) {
	if cfg.Pipeline.ModelBundle == "" {
		log.Warn("pipeline.model_bundle is empty: studies are stored and tracked but not scored")
		return func() {}, nil
	}
	deps, closeDeps, err := pipelineDeps(cfg, st, log)
	if err != nil {
		return nil, err
	}
	if delivery != nil {
		deps.Deliver = func(_ context.Context, job *pipeline.Job, ref pipeline.SRRef, _ string) error {
			dests := delivery.Destinations(job.CallingAE)
			if len(dests) == 0 {
				log.Warn("report not delivered: no destination (results.default_destinations, send_to_sender)",
					"study_uid", job.StudyUID, "sr", ref.SOPInstanceUID, "calling_ae", job.CallingAE)
				return nil
			}
			_, err := delivery.Enqueue(ref.SOPInstanceUID, dests)
			return err
		}
	}
	var events worker.Events
	if auditLog != nil {
		events = pipelineAudit{log: auditLog, app: log}
	}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer closeDeps()
		if err := worker.Run(ctx, queue, deps, events); err != nil {
			log.Error("pipeline worker stopped", "err", err)
		}
	}()
	return wg.Wait, nil
}

// pipelineDeps loads the model bundle of cfg, checks it against the
// configured deep feature extractor and opens the extractors its primary
// model needs. The returned function closes them.
func pipelineDeps(cfg *config.Config, st worker.InstanceStore, log *slog.Logger) (worker.Deps, func(), error) {
	// 1. The bundle, which must match the configured extractor.
	extractorSHA := ""
	if sum, err := deep.FileSHA256(cfg.Deep.Model.File); err == nil {
		extractorSHA = sum
	}
	b, err := bundle.Load(cfg.Pipeline.ModelBundle, bundle.LoadOptions{ExtractorSHA256: extractorSHA})
	if err != nil {
		return worker.Deps{}, nil, fmt.Errorf("pipeline.model_bundle %s: %w", cfg.Pipeline.ModelBundle, err)
	}
	bundleSHA, err := bundle.FileSHA256(cfg.Pipeline.ModelBundle)
	if err != nil {
		return worker.Deps{}, nil, err
	}

	// 2. Only the extractors the primary model reads.
	radiomicsOn, deepOn := primaryKinds(b)
	feats, closeFeats, err := newFeatures(cfg, radiomicsOn, deepOn, log)
	if err != nil {
		return worker.Deps{}, nil, err
	}

	// 3. The report's identity.
	deviceUID := cfg.Results.DeviceUID
	if deviceUID == "" {
		deviceUID = worker.DeviceUID(cfg.Node.AETitle + "\x00" + st.Dir())
	}
	deps := worker.Deps{
		Features: feats, Bundle: b, BundleID: filepath.Base(cfg.Pipeline.ModelBundle), BundleSHA256: bundleSHA,
		Threshold: cfg.Pipeline.Threshold, TrainingData: worker.TrainingStatement(b, cfg.Pipeline.TrainingData),
		Store: st, SR: sr.Options{NodeName: cfg.Node.AETitle, DeviceUID: deviceUID, SoftwareVersion: softwareVersion()},
		Logger: log,
	}
	log.Info("pipeline worker ready", "bundle", cfg.Pipeline.ModelBundle, "primary", b.Primary,
		"radiomics", radiomicsOn, "deep", deepOn, "threshold", deps.Threshold)
	return deps, closeFeats, nil
}

// primaryKinds reports which feature kinds the bundle's primary model reads,
// directly or through the signature of a nomogram.
func primaryKinds(b *bundle.Bundle) (radiomicsOn, deepOn bool) {
	name := b.Primary
	for _, lm := range b.Logistic {
		if lm.Name == b.Primary {
			name = lm.Signature
		}
	}
	for _, m := range b.SVMs {
		if m.Name != name {
			continue
		}
		for _, k := range m.Kinds {
			switch k {
			case "deep":
				deepOn = true
			default:
				radiomicsOn = true
			}
		}
	}
	return radiomicsOn, deepOn
}

// pipelineAudit writes one audit event per pipeline run.
type pipelineAudit struct {
	log *audit.Log
	app *slog.Logger
}

func (a pipelineAudit) PipelineCompleted(job *pipeline.Job, out pipeline.Outcome) {
	var stages []string
	for _, s := range out.Stages {
		stages = append(stages, fmt.Sprintf("%s %dms", s.Name, s.Duration.Milliseconds()))
	}
	a.write(audit.Event{
		Type: AuditPipelineRun, Outcome: audit.Success, StudyInstanceUID: job.StudyUID,
		SOPClassUID: out.SR.SOPClassUID, SOPInstanceUID: out.SR.SOPInstanceUID, Status: "reported",
		Detail: fmt.Sprintf("job %d version %d: %s, likelihood %.3f; %s", job.ID, job.Version, out.Class, out.Likelihood,
			strings.Join(stages, ", ")),
	})
}

func (a pipelineAudit) PipelineFailed(job *pipeline.Job, reason string) {
	a.write(audit.Event{
		Type: AuditPipelineRun, Outcome: audit.SeriousFailure, StudyInstanceUID: job.StudyUID, Status: "failed",
		Detail: fmt.Sprintf("job %d version %d: %s", job.ID, job.Version, reason),
	})
}

func (a pipelineAudit) write(e audit.Event) {
	if err := a.log.Write(e); err != nil {
		a.app.Error("audit log write failed", "type", e.Type, "err", err)
	}
}
