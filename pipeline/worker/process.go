package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/report/sr"
)

// DefaultThreshold is the decision threshold on the likelihood when Deps
// sets none: a likelihood at or above it predicts WDLPS.
const DefaultThreshold = 0.5

// Class names of pipeline.Outcome.Class.
const (
	ClassLipoma = "lipoma"
	ClassWDLPS  = "wdlps"
)

// Deps are the extractors, model, store and delivery that Process uses.
// Features, Bundle, Store, BundleSHA256 and TrainingData are required.
type Deps struct {
	// Features computes the features. Process enables only the kinds
	// (radiomics, deep) the bundle's primary model uses.
	Features *Features
	Bundle   *bundle.Bundle
	// BundleID names the bundle in the report, for example its file name;
	// empty uses the primary model's name and the creation time.
	BundleID string
	// BundleSHA256 is the hexadecimal SHA-256 of the bundle file.
	BundleSHA256 string
	// Threshold is the decision threshold; 0 means DefaultThreshold.
	Threshold float64
	// TrainingData states what the model was trained on, for the report's
	// disclaimer; see TrainingStatement.
	TrainingData string
	// Store receives the report as an ordinary instance of the study.
	Store InstanceStore
	// Deliver, when not nil, queues the stored report for its destinations.
	// path is the absolute path of the stored file.
	Deliver func(ctx context.Context, job *pipeline.Job, ref pipeline.SRRef, path string) error
	// SR sets the node's identity in the report. SeriesNumber 0 numbers the
	// report's series 9000 + the job's version.
	SR sr.Options
	// Logger receives the application log; nil discards it.
	Logger *slog.Logger
}

// Process runs the pipeline for one job: features of each role, the score,
// the report, its storage and delivery. Stages in the outcome are in that
// order. An error names the stage and role that failed and wraps
// ErrRole, ErrFeatures, ErrScore, ErrReport or ErrDelivery. Nothing is
// delivered then, but a report stored before a delivery failure stays in
// the store.
func Process(ctx context.Context, job *pipeline.Job, d Deps) (pipeline.Outcome, error) {
	var out pipeline.Outcome
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if d.Features == nil || d.Bundle == nil || d.Store == nil {
		return out, fmt.Errorf("%w: worker dependencies incomplete (features, bundle and store are required)", ErrScore)
	}
	need, err := modelNeeds(d.Bundle)
	if err != nil {
		return out, err
	}
	log = log.With("job", job.ID, "study_uid", job.StudyUID, "version", job.Version)

	// 1. Features of each role the model uses.
	feats := *d.Features
	if !need.radiomics {
		feats.Radiomics = nil
	}
	if !need.deep {
		feats.Deep = nil
	}
	values := map[string]float64{}
	var load, rad, dp time.Duration
	for _, role := range roles {
		in, ok := findRole(job, role)
		if !ok {
			return out, fmt.Errorf("%w: job %d has no %s series", ErrRole, job.ID, role)
		}
		prefix, _ := ModalityPrefix(role)
		if !need.modalities[prefix] {
			continue
		}
		rf, err := feats.Role(ctx, in)
		if err != nil {
			return out, err
		}
		for i, n := range rf.Names {
			values[n] = rf.Values[i]
		}
		load += rf.Load
		rad += rf.Radiomics
		dp += rf.Deep
		log.Debug("role features computed", "role", role, "features", len(rf.Names), "voxels", rf.Voxels,
			"load", rf.Load, "radiomics", rf.Radiomics, "deep", rf.Deep)
	}
	out.Stages = append(out.Stages, pipeline.Stage{Name: StageLoad, Duration: load})
	if need.radiomics {
		out.Stages = append(out.Stages, pipeline.Stage{Name: StageRadiomics, Duration: rad})
	}
	if need.deep {
		out.Stages = append(out.Stages, pipeline.Stage{Name: StageDeep, Duration: dp})
	}

	// 2. Score.
	start := time.Now()
	prob, decision, err := d.Bundle.Score(values)
	if err != nil {
		return out, fmt.Errorf("%w: model %s: %w", ErrScore, d.Bundle.Primary, err)
	}
	threshold := d.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	out.Likelihood = prob
	out.Class = ClassLipoma
	if prob >= threshold {
		out.Class = ClassWDLPS
	}
	out.Stages = append(out.Stages, pipeline.Stage{Name: StageScore, Duration: time.Since(start)})
	log.Debug("study scored", "model", d.Bundle.Primary, "likelihood", prob, "decision", decision)

	// 3. The report.
	start = time.Now()
	file, written, err := buildReport(job, d, need.kind, prob, threshold)
	if err != nil {
		return out, err
	}
	out.SR = pipeline.SRRef{StudyUID: written.StudyInstanceUID, SeriesUID: written.SeriesInstanceUID,
		SOPClassUID: written.SOPClassUID, SOPInstanceUID: written.SOPInstanceUID}
	out.Stages = append(out.Stages, pipeline.Stage{Name: StageReport, Duration: time.Since(start)})

	// 4. Store it as an instance of the study.
	start = time.Now()
	path, err := storeReport(d.Store, file, out.SR)
	if err != nil {
		return out, err
	}
	out.Stages = append(out.Stages, pipeline.Stage{Name: StageStore, Duration: time.Since(start)})

	// 5. Hand it to delivery.
	if d.Deliver != nil {
		start = time.Now()
		if err := d.Deliver(ctx, job, out.SR, path); err != nil {
			return out, fmt.Errorf("%w: report %s: %w", ErrDelivery, out.SR.SOPInstanceUID, err)
		}
		out.Stages = append(out.Stages, pipeline.Stage{Name: StageDeliver, Duration: time.Since(start)})
	}
	return out, nil
}

func findRole(job *pipeline.Job, role string) (pipeline.RoleInput, bool) {
	for _, r := range job.Roles {
		if r.Role == role {
			return r, true
		}
	}
	return pipeline.RoleInput{}, false
}

// needs lists the feature kinds and modalities the primary model reads.
type needs struct {
	radiomics, deep bool
	modalities      map[string]bool
	kind            sr.ModelKind
}

// modelNeeds inspects the primary model of b. A nomogram reads the features
// of its signature model.
func modelNeeds(b *bundle.Bundle) (needs, error) {
	n := needs{modalities: map[string]bool{}}
	name := b.Primary
	for _, lm := range b.Logistic {
		if lm.Name == b.Primary {
			n.kind = sr.ModelNomogram
			name = lm.Signature
		}
	}
	for _, m := range b.SVMs {
		if m.Name != name {
			continue
		}
		for _, f := range m.InputFeatures {
			modality, kind, err := cohort.ParseFeatureName(f)
			if err != nil {
				return n, fmt.Errorf("%w: model %s: %w", ErrScore, m.Name, err)
			}
			n.modalities[modality] = true
			if kind == cohort.KindDeep {
				n.deep = true
			} else {
				n.radiomics = true
			}
		}
		if n.kind == 0 {
			n.kind = sr.ModelRadiomics
			if n.deep {
				n.kind = sr.ModelDeep
			}
		}
		return n, nil
	}
	if n.kind == sr.ModelNomogram && name == "" {
		// A clinical-only model reads no image feature.
		return n, nil
	}
	return n, fmt.Errorf("%w: primary model %q not in the bundle", ErrScore, b.Primary)
}

// roles are the three roles of a job in processing order.
var roles = []string{pipeline.RoleCT, pipeline.RoleT1WI, pipeline.RoleT2FS}
