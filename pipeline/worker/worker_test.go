package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/mdm2node/mdm2node/internal/synth"
	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/pipeline/cohort"
	"github.com/mdm2node/mdm2node/pipeline/learn"
	"github.com/mdm2node/mdm2node/pipeline/radiomics"
	"github.com/mdm2node/mdm2node/report/sr"
	"github.com/mdm2node/mdm2node/series"
	"github.com/mdm2node/mdm2node/store"
)

// fixture is a small synthetic cohort with its feature table and a bundle
// trained on it, shared by the tests of this file.
type fixture struct {
	dir     string
	records []synth.Record
	feats   *Features
	table   *cohort.FeatureTable
	bundle  *bundle.Bundle
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

// testParams is a reduced radiomics set (first order and shape on the
// original image) that keeps the tests fast.
func testParams() *radiomics.Params {
	p := radiomics.DefaultParams()
	p.ImageType = map[string]radiomics.ImageType{"Original": {}}
	p.FeatureClass = map[string][]string{"firstorder": {}, "shape": {}}
	return &p
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { fixtureVal, fixtureErr = buildFixture() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func buildFixture() (*fixture, error) {
	dir, err := os.MkdirTemp("", "worker-test-")
	if err != nil {
		return nil, err
	}
	fx := &fixture{dir: dir, feats: &Features{Radiomics: testParams()}}

	// 1. Eight small studies of each class.
	for i, label := range []string{synth.LabelLipoma, synth.LabelWDLPS} {
		recs, err := synth.Generate(synth.Params{Out: dir, N: 8, First: 1 + 8*i, Seed: 21, Label: label,
			CTMatrix: 64, CTSlices: 8, MRMatrix: 64, MRSlices: 8}, nil)
		if err != nil {
			return nil, err
		}
		fx.records = append(fx.records, recs...)
	}

	// 2. Their feature table, computed as `mdm2node features` does.
	var studies []CohortStudy
	var manifest strings.Builder
	manifest.WriteString("study,label,cohort,age,ldh\n")
	for _, r := range fx.records {
		studies = append(studies, CohortStudy{ID: r.StudyID, Dir: filepath.Join(dir, r.Folder)})
		fmt.Fprintf(&manifest, "%s,%s,train,%d,%g\n", r.StudyID, r.Label, r.Age, r.LDH)
	}
	fx.table, err = CohortTable(context.Background(), studies, fx.feats, TableOptions{CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		return nil, err
	}
	m, err := cohort.ReadManifest(strings.NewReader(manifest.String()))
	if err != nil {
		return nil, err
	}

	// 3. A radiomics model with a small grid.
	fx.bundle, err = bundle.Train(context.Background(),
		bundle.TrainInput{Manifest: m, Features: fx.table, DatasetSHA256: strings.Repeat("0", 64), ManifestFile: "manifest.csv", FeatureFile: "features.csv"},
		bundle.TrainOptions{
			CV: learn.CVConfig{Repeats: 1, OuterFolds: 3, InnerFolds: 3, Seed: 1,
				Grid:   learn.Grid{C: []float64{1, 10}, Gamma: []float64{0.1}, K: []int{2, 3}},
				Params: learn.PipelineParams{Percentile: 50, RFE: learn.RFEParams{Step: 1}}},
			Models: []string{"multimodal-radiomics"}, Software: "worker test",
		})
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return fx, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		os.RemoveAll(fixtureVal.dir)
	}
	os.Exit(code)
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (fx *fixture) job(t *testing.T, i int) *pipeline.Job {
	t.Helper()
	r := fx.records[i]
	in, err := StudyRoles(filepath.Join(fx.dir, r.Folder), series.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Job{ID: uint64(i + 1), StudyUID: r.StudyUID, Version: 1, Roles: in, CallingAE: "MODALITY"}
}

func (fx *fixture) deps(st InstanceStore) Deps {
	return Deps{Features: fx.feats, Bundle: fx.bundle, BundleID: "worker-test", BundleSHA256: strings.Repeat("ab", 32),
		TrainingData: "synthetic phantom studies", Store: st, SR: sr.Options{NodeName: "MDM2NODE", DeviceUID: DeviceUID("worker test")}}
}

func TestStudyRolesOfSynthStudy(t *testing.T) {
	fx := loadFixture(t)
	in, err := StudyRoles(filepath.Join(fx.dir, fx.records[0].Folder), series.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 3 {
		t.Fatalf("got %d roles, want 3", len(in))
	}
	for i, role := range []string{pipeline.RoleCT, pipeline.RoleT1WI, pipeline.RoleT2FS} {
		if in[i].Role != role {
			t.Errorf("role %d is %s, want %s", i, in[i].Role, role)
		}
		if len(in[i].Files) != 8 {
			t.Errorf("role %s has %d files, want 8", role, len(in[i].Files))
		}
		wantSEG := "SEG_" + map[string]string{"ct": "CT", "t1wi": "T1WI", "t2fs": "T2FS"}[role]
		if filepath.Base(filepath.Dir(in[i].RegionFile)) != wantSEG {
			t.Errorf("role %s region %s, want the file in %s", role, in[i].RegionFile, wantSEG)
		}
	}
}

func TestProcessScoresAndStoresReport(t *testing.T) {
	fx := loadFixture(t)
	st := openStore(t)
	var delivered []string
	d := fx.deps(st)
	d.Deliver = func(_ context.Context, job *pipeline.Job, ref pipeline.SRRef, path string) error {
		delivered = append(delivered, path)
		return nil
	}
	job := fx.job(t, 0)

	out, err := Process(context.Background(), job, d)
	if err != nil {
		t.Fatal(err)
	}

	// The likelihood is what the bundle gives the training table's row,
	// so node and training compute the same features.
	row, ok := fx.table.Row(fx.records[0].StudyID)
	if !ok {
		t.Fatal("study missing from the table")
	}
	values := map[string]float64{}
	for i, n := range fx.table.Names {
		values[n] = row[i]
	}
	want, _, err := fx.bundle.Score(values)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(out.Likelihood-want) > 1e-12 {
		t.Errorf("likelihood %v, want %v from the feature table", out.Likelihood, want)
	}
	wantClass := ClassLipoma
	if want >= DefaultThreshold {
		wantClass = ClassWDLPS
	}
	if out.Class != wantClass {
		t.Errorf("class %s, want %s", out.Class, wantClass)
	}

	// Stages in order.
	var names []string
	for _, s := range out.Stages {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "load,radiomics,score,report,store,deliver" {
		t.Errorf("stages %s", got)
	}

	// The report is in the store, in the study, and was delivered.
	rec, err := st.Instance(out.SR.SOPInstanceUID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.StudyInstanceUID != job.StudyUID || rec.SOPClassUID != sr.ComprehensiveSRStorage {
		t.Errorf("stored report: study %s class %s", rec.StudyInstanceUID, rec.SOPClassUID)
	}
	if len(delivered) != 1 || delivered[0] != filepath.Join(st.Dir(), rec.Path) {
		t.Errorf("delivered %v, want the stored file %s", delivered, rec.Path)
	}
	ds, err := dicom.ParseFile(filepath.Join(st.Dir(), rec.Path), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ds.FindElementByTag(tag.StudyInstanceUID)
	if err != nil || strings.Join(e.Value.GetValue().([]string), "") != job.StudyUID {
		t.Errorf("report study UID %v, want %s", e, job.StudyUID)
	}
}

func TestProcessReferencesPredecessor(t *testing.T) {
	fx := loadFixture(t)
	st := openStore(t)
	job := fx.job(t, 1)
	first, err := Process(context.Background(), job, fx.deps(st))
	if err != nil {
		t.Fatal(err)
	}
	job2 := fx.job(t, 1)
	job2.Version, job2.Previous = 2, &first.SR
	second, err := Process(context.Background(), job2, fx.deps(st))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Instance(second.SR.SOPInstanceUID)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dicom.ParseFile(filepath.Join(st.Dir(), rec.Path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.FindElementByTag(tag.PredecessorDocumentsSequence); err != nil {
		t.Errorf("second report has no Predecessor Documents Sequence: %v", err)
	}
	if second.SR.SeriesUID == first.SR.SeriesUID {
		t.Errorf("second report reuses the series %s", first.SR.SeriesUID)
	}
}

func TestProcessErrors(t *testing.T) {
	fx := loadFixture(t)
	tests := []struct {
		name   string
		change func(j *pipeline.Job)
		want   error
		reason string
	}{
		{"missing role", func(j *pipeline.Job) { j.Roles = j.Roles[:2] }, ErrRole, "t2fs"},
		{"no region", func(j *pipeline.Job) { j.Roles[1].RegionFile = "" }, ErrRole, "t1wi"},
		{"wrong region", func(j *pipeline.Job) { j.Roles[0].RegionFile = j.Roles[1].RegionFile }, ErrFeatures, "ct"},
		{"missing file", func(j *pipeline.Job) { j.Roles[2].Files[3] += ".gone" }, ErrFeatures, "t2fs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			job := fx.job(t, 2)
			tc.change(job)
			_, err := Process(context.Background(), job, fx.deps(st))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not name %s", err, tc.reason)
			}
			n, err := st.CountInstances()
			if err != nil || n != 0 {
				t.Errorf("store holds %d instances after a failure (%v), want 0", n, err)
			}
		})
	}
}

// fakeQueue hands out its jobs, then blocks until ctx ends.
type fakeQueue struct {
	mu        sync.Mutex
	jobs      []*pipeline.Job
	completed map[uint64]pipeline.Outcome
	failed    map[uint64]string
	drained   chan struct{}
	// rejectComplete makes Complete fail.
	rejectComplete bool
}

func (q *fakeQueue) Next(ctx context.Context) (*pipeline.Job, error) {
	q.mu.Lock()
	if len(q.jobs) > 0 {
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		return j, nil
	}
	q.mu.Unlock()
	close(q.drained)
	<-ctx.Done()
	return nil, ctx.Err()
}

func (q *fakeQueue) Complete(id uint64, out pipeline.Outcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rejectComplete {
		return errors.New("fake queue: job not taken")
	}
	q.completed[id] = out
	return nil
}

func (q *fakeQueue) Fail(id uint64, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.failed[id] = reason
	return nil
}

type recordedEvents struct {
	mu              sync.Mutex
	completed, fail []uint64
}

func (e *recordedEvents) PipelineCompleted(job *pipeline.Job, _ pipeline.Outcome) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.completed = append(e.completed, job.ID)
}

func (e *recordedEvents) PipelineFailed(job *pipeline.Job, _ string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fail = append(e.fail, job.ID)
}

func TestRunCompletesAndFails(t *testing.T) {
	fx := loadFixture(t)
	st := openStore(t)
	good := fx.job(t, 3)
	bad := fx.job(t, 4)
	bad.ID = 99
	bad.Roles[2].RegionFile = ""
	q := &fakeQueue{jobs: []*pipeline.Job{good, bad}, completed: map[uint64]pipeline.Outcome{},
		failed: map[uint64]string{}, drained: make(chan struct{})}
	ev := &recordedEvents{}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, q, fx.deps(st), ev) }()
	<-q.drained
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}

	if out, ok := q.completed[good.ID]; !ok || out.SR.SOPInstanceUID == "" {
		t.Errorf("good job not completed with a report: %+v", q.completed)
	}
	if reason := q.failed[bad.ID]; !strings.Contains(reason, "t2fs has no region file") {
		t.Errorf("failure reason %q does not explain the missing region", reason)
	}
	if len(ev.completed) != 1 || len(ev.fail) != 1 || ev.fail[0] != bad.ID {
		t.Errorf("events: completed %v failed %v", ev.completed, ev.fail)
	}
}

func TestCohortTableUsesCache(t *testing.T) {
	fx := loadFixture(t)
	studies := []CohortStudy{{ID: fx.records[0].StudyID, Dir: filepath.Join(fx.dir, fx.records[0].Folder)}}
	var cachedRuns []bool
	opts := TableOptions{CacheDir: filepath.Join(fx.dir, "cache"), Progress: func(_, _ int, _ string, _ time.Duration, cached bool) {
		cachedRuns = append(cachedRuns, cached)
	}}
	tbl, err := CohortTable(context.Background(), studies, fx.feats, opts)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := fx.table.Row(fx.records[0].StudyID)
	if len(tbl.Rows[0]) != len(row) {
		t.Fatalf("cached row has %d values, want %d", len(tbl.Rows[0]), len(row))
	}
	for i := range row {
		if tbl.Rows[0][i] != row[i] {
			t.Fatalf("cached %s = %v, want %v", tbl.Names[i], tbl.Rows[0][i], row[i])
		}
	}
	if len(cachedRuns) != 1 || !cachedRuns[0] {
		t.Errorf("second run of the study was not served from the cache: %v", cachedRuns)
	}

	// Other settings miss the cache.
	other := &Features{Radiomics: testParams(), RegionLabels: []string{"(?i)tumou?r"}}
	cachedRuns = nil
	if _, err := CohortTable(context.Background(), studies, other, opts); err != nil {
		t.Fatal(err)
	}
	if len(cachedRuns) != 1 || cachedRuns[0] {
		t.Errorf("run with other settings was served from the cache: %v", cachedRuns)
	}
}

func TestRunContinuesAfterQueueError(t *testing.T) {
	fx := loadFixture(t)
	st := openStore(t)
	first, second := fx.job(t, 5), fx.job(t, 6)
	q := &fakeQueue{jobs: []*pipeline.Job{first, second}, completed: map[uint64]pipeline.Outcome{},
		failed: map[uint64]string{}, drained: make(chan struct{}), rejectComplete: true}
	ev := &recordedEvents{}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, q, fx.deps(st), ev) }()
	<-q.drained
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}

	// Both jobs ran although the queue rejected each outcome.
	n, err := st.CountInstances()
	if err != nil || n != 2 {
		t.Errorf("store holds %d reports (%v), want 2", n, err)
	}
	if len(ev.completed) != 0 || len(ev.fail) != 0 {
		t.Errorf("events for outcomes the queue rejected: completed %v failed %v", ev.completed, ev.fail)
	}
}
