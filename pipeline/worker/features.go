package worker

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/deep"
	"github.com/mdm2node/mdm2node/pipeline/radiomics"
	"github.com/mdm2node/mdm2node/series"
)

// Stage names recorded in pipeline.Outcome.Stages, in processing order.
const (
	StageLoad      = "load"
	StageRadiomics = "radiomics"
	StageDeep      = "deep"
	StageScore     = "score"
	StageReport    = "report"
	StageStore     = "store"
	StageDeliver   = "deliver"
)

// Features computes the features of one role's region. The zero value
// computes nothing; set Radiomics, Deep or both.
type Features struct {
	// Radiomics, when not nil, enables the radiomics features with these
	// parameters.
	Radiomics *radiomics.Params
	// Deep, when not nil, enables the deep features of this session, with
	// Preprocess.
	Deep       *deep.Session
	Preprocess deep.Preprocess
	// Tolerances are those of volume assembly; the zero value uses
	// series.DefaultTolerances.
	Tolerances series.Tolerances
	// RegionLabels pick the tumour segment of a region file, as the
	// series.region_labels configuration key does.
	RegionLabels []string
}

// RoleFeatures is the feature vector of one role, with the time each step
// took.
type RoleFeatures struct {
	Role string
	// Names are prefixed with the role's modality (see ModalityPrefix);
	// Values has the same length and order.
	Names  []string
	Values []float64
	// Voxels is the number of voxels in the region.
	Voxels int
	// RegionLabel is the segment or ROI label the region was chosen by.
	RegionLabel string
	Load        time.Duration
	Radiomics   time.Duration
	Deep        time.Duration
}

// ModalityPrefix returns the modality name that prefixes the feature names of
// a role in the feature table: CT, T1WI or T2FS.
func ModalityPrefix(role string) (string, error) {
	switch role {
	case pipeline.RoleCT:
		return "CT", nil
	case pipeline.RoleT1WI:
		return "T1WI", nil
	case pipeline.RoleT2FS:
		return "T2FS", nil
	}
	return "", fmt.Errorf("%w: unknown role %q", ErrRole, role)
}

// deepModality is the modality argument of deep.Session.Features: CT is
// windowed in Hounsfield units, MR by percentiles.
func deepModality(role string) string {
	if role == pipeline.RoleCT {
		return "CT"
	}
	return "MR"
}

// Role loads the series and region of in and computes its features. Errors
// wrap ErrRole for an input without files or region, and ErrFeatures for
// a series, region or extractor failure; each names the role.
func (f *Features) Role(ctx context.Context, in pipeline.RoleInput) (*RoleFeatures, error) {
	prefix, err := ModalityPrefix(in.Role)
	if err != nil {
		return nil, err
	}
	if len(in.Files) == 0 {
		return nil, fmt.Errorf("%w: role %s has no image files", ErrRole, in.Role)
	}
	if in.RegionFile == "" {
		return nil, fmt.Errorf("%w: role %s has no region file", ErrRole, in.Role)
	}
	out := &RoleFeatures{Role: in.Role}

	// 1. The volume and its region.
	start := time.Now()
	tol := f.Tolerances
	if tol == (series.Tolerances{}) {
		tol = series.DefaultTolerances()
	}
	s, err := series.LoadSeries(in.Files, tol)
	if err != nil {
		return nil, fmt.Errorf("%w: role %s: %w", ErrFeatures, in.Role, err)
	}
	labels := f.RegionLabels
	if in.RegionLabel != "" {
		labels = append([]string{"^" + regexp.QuoteMeta(in.RegionLabel) + "$"}, labels...)
	}
	region, err := series.LoadMask(in.RegionFile, s, labels, tol)
	if err != nil {
		return nil, fmt.Errorf("%w: role %s: %w", ErrFeatures, in.Role, err)
	}
	out.RegionLabel = region.Label
	out.Voxels = region.Mask.Count()
	out.Load = time.Since(start)

	// 2. Radiomics.
	if f.Radiomics != nil {
		start = time.Now()
		res, err := radiomics.Extract(ctx, s.Volume, region.Mask, *f.Radiomics)
		if err != nil {
			return nil, fmt.Errorf("%w: role %s radiomics: %w", ErrFeatures, in.Role, err)
		}
		out.add(prefix, res.Names, res.Values)
		out.Radiomics = time.Since(start)
	}

	// 3. Deep features.
	if f.Deep != nil {
		start = time.Now()
		values, err := f.Deep.Features(s.Volume, region.Mask, deepModality(in.Role), f.Preprocess)
		if err != nil {
			return nil, fmt.Errorf("%w: role %s deep features: %w", ErrFeatures, in.Role, err)
		}
		ext := f.Deep.Extractor()
		out.add(prefix, ext.FeatureNames(), values)
		out.Deep = time.Since(start)
	}
	return out, ctx.Err()
}

func (r *RoleFeatures) add(prefix string, names []string, values []float64) {
	for i, n := range names {
		r.Names = append(r.Names, prefix+"_"+n)
		r.Values = append(r.Values, values[i])
	}
}
