package tracker

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/synth"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/series/tracker/trackertest"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

const (
	quiet   = 2 * time.Minute
	maxWait = time.Hour
)

// fakeClock is the injected clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var (
	synthOnce sync.Once
	synthDir  string
	synthErr  error
)

// study returns the folder of one small synthetic study with the three
// series and a SEG on each: CT, T1WI, T2FS, SEG_CT, SEG_T1WI, SEG_T2FS.
func study(t *testing.T) string {
	t.Helper()
	synthOnce.Do(func() {
		synthDir, synthErr = os.MkdirTemp("", "tracker-synth-")
		if synthErr != nil {
			return
		}
		p := synth.DefaultParams()
		p.Out, p.N, p.Seed = synthDir, 1, 7
		p.CTMatrix, p.CTSlices = 64, 8
		p.MRMatrix, p.MRSlices = 64, 6
		var recs []synth.Record
		recs, synthErr = synth.Generate(p, nil)
		if synthErr == nil {
			synthDir = filepath.Join(synthDir, recs[0].StudyID)
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return synthDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if synthDir != "" {
		os.RemoveAll(filepath.Dir(synthDir))
	}
	os.Exit(code)
}

type env struct {
	t      *testing.T
	dir    string
	st     *store.Store
	tr     *Tracker
	q      *store.JobQueue
	clock  *fakeClock
	events []audit.Event
	mu     sync.Mutex
}

func newEnv(t *testing.T, dir string) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e := &env{t: t, dir: dir, clock: &fakeClock{t: time.Now()}}
	e.open()
	return e
}

// open opens the store, tracker and queue of e.dir, as a (re)started node.
func (e *env) open() {
	e.t.Helper()
	st, err := store.Open(store.Options{DataDir: e.dir})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.tr, err = New(st, Config{
		QuietPeriod: quiet, MaxWait: maxWait, Now: e.clock.Now,
		Audit: func(ev audit.Event) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.q, err = store.NewJobQueue(st.Index, e.clock.Now)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
}

func (e *env) close() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) put(paths ...string) {
	e.t.Helper()
	for _, p := range paths {
		trackertest.Put(e.t, e.st, p, "SENDER")
	}
}

func (e *env) putDir(sub ...string) {
	e.t.Helper()
	for _, s := range sub {
		trackertest.PutDir(e.t, e.st, filepath.Join(study(e.t), s), "SENDER")
	}
}

// studyRecord returns the only study of the store.
func (e *env) studyRecord() store.StudyRecord {
	e.t.Helper()
	studies, err := e.st.Studies()
	if err != nil || len(studies) != 1 {
		e.t.Fatalf("studies %v, %v; want one", studies, err)
	}
	return studies[0]
}

// at sets the clock to d after the newest instance of the study and runs a
// pass.
func (e *env) at(d time.Duration) store.StudyStatus {
	e.t.Helper()
	rec := e.studyRecord()
	e.clock.Set(rec.LastReceived.Add(d))
	return e.pass()
}

func (e *env) pass() store.StudyStatus {
	e.t.Helper()
	if err := e.tr.Pass(); err != nil {
		e.t.Fatalf("Pass: %v", err)
	}
	st, err := e.st.StudyStatus(e.studyRecord().StudyInstanceUID)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func want(t *testing.T, st store.StudyStatus, state store.StudyState, reasonHas ...string) {
	t.Helper()
	if st.State != state {
		t.Fatalf("state %v (%s), want %v", st.State, st.Reason, state)
	}
	for _, s := range reasonHas {
		if !strings.Contains(st.Reason, s) {
			t.Fatalf("reason %q does not mention %q", st.Reason, s)
		}
	}
}

func (e *env) next() *pipeline.Job {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	job, err := e.q.Next(ctx)
	if err != nil {
		e.t.Fatalf("Next: %v", err)
	}
	return job
}

func noJob(t *testing.T, q *store.JobQueue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if job, err := q.Next(ctx); err == nil {
		t.Fatalf("unexpected job %d", job.ID)
	}
}

var allSeries = []string{"CT", "SEG_CT", "T1WI", "SEG_T1WI", "T2FS", "SEG_T2FS"}

func TestQuietPeriodThenReadyAndReported(t *testing.T) {
	e := newEnv(t, "")
	e.putDir(allSeries...)

	want(t, e.at(0), store.StateReceiving, "evaluated when none has arrived for 2m0s")
	want(t, e.at(quiet-time.Second), store.StateReceiving)
	noJob(t, e.q)

	st := e.at(quiet)
	want(t, st, store.StateReady)
	for _, r := range st.Roles {
		if !r.Complete() || r.RegionLabel == "" {
			t.Errorf("role %+v not complete", r)
		}
	}
	job := e.next()
	if job.Version != 1 || job.Previous != nil || job.StudyUID != st.StudyInstanceUID || job.CallingAE != "SENDER" {
		t.Fatalf("job %+v", job)
	}
	if len(job.Roles) != 3 {
		t.Fatalf("job roles %+v", job.Roles)
	}
	for i, role := range []string{pipeline.RoleCT, pipeline.RoleT1WI, pipeline.RoleT2FS} {
		r := job.Roles[i]
		if r.Role != role || len(r.Files) == 0 || r.RegionFile == "" || r.RegionLabel != "Tumour" {
			t.Fatalf("role %d: %+v", i, r)
		}
		for _, f := range append(r.Files, r.RegionFile) {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("job file: %v", err)
			}
		}
	}
	if n := len(job.Roles[0].Files); n != 8 {
		t.Errorf("CT files %d, want 8", n)
	}
	want(t, e.pass(), store.StateProcessing)
	snap, err := store.ReadStatesSnapshot(e.dir)
	if err != nil || len(snap.States) != 1 || snap.States[0].StudyInstanceUID != st.StudyInstanceUID {
		t.Fatalf("states snapshot %+v, %v", snap, err)
	}
	if err := e.q.Complete(job.ID, pipeline.Outcome{SR: pipeline.SRRef{StudyUID: job.StudyUID, SOPInstanceUID: "2.25.1"}, Class: "lipoma", Likelihood: 0.2}); err != nil {
		t.Fatal(err)
	}
	want(t, e.pass(), store.StateReported, "2.25.1")
	if err := e.q.Complete(job.ID, pipeline.Outcome{}); err == nil {
		t.Fatal("a job completed twice")
	}

	e.mu.Lock()
	var states []string
	for _, ev := range e.events {
		if ev.Type == AuditStudyState {
			states = append(states, ev.Status)
		}
	}
	e.mu.Unlock()
	if strings.Join(states, ",") != "receiving,ready" {
		t.Errorf("audited states %v", states)
	}
}

func TestLateSeries(t *testing.T) {
	e := newEnv(t, "")
	e.putDir("CT", "SEG_CT", "T1WI", "SEG_T1WI")
	st := e.at(quiet)
	want(t, st, store.StateWaitingForSeries, "t2fs:")
	if r, _ := st.Role(pipeline.RoleCT); !r.Complete() {
		t.Fatalf("ct role %+v", r)
	}

	// The T2FS series arrives late, its SEG later still.
	e.putDir("T2FS")
	want(t, e.at(time.Second), store.StateReceiving)
	st = e.at(quiet)
	want(t, st, store.StateWaitingForRegions, "t2fs: no SEG or RTSTRUCT")
	e.putDir("SEG_T2FS")
	want(t, e.at(quiet-time.Second), store.StateReceiving)
	want(t, e.at(quiet), store.StateReady)
	if job := e.next(); job.Version != 1 {
		t.Fatalf("job version %d", job.Version)
	}
}

func TestMaxWaitIncompleteThenReopened(t *testing.T) {
	e := newEnv(t, "")
	e.putDir("CT", "SEG_CT")
	first := e.studyRecord().FirstReceived
	want(t, e.at(quiet), store.StateWaitingForSeries)
	e.clock.Set(first.Add(maxWait - time.Second))
	want(t, e.pass(), store.StateWaitingForSeries)
	e.clock.Set(first.Add(maxWait))
	st := e.pass()
	want(t, st, store.StateIncomplete, "maximum wait of 1h0m0s", "t1wi:", "t2fs:")
	if strings.Contains(st.Reason, "ct:") {
		t.Errorf("reason %q names the complete ct role", st.Reason)
	}
	noJob(t, e.q)

	// Data after the maximum wait opens the study again, as version 1:
	// nothing was reported.
	e.putDir("T1WI", "SEG_T1WI", "T2FS", "SEG_T2FS")
	st = e.at(time.Second)
	want(t, st, store.StateReceiving)
	if st.Version != 1 {
		t.Fatalf("version %d", st.Version)
	}
	want(t, e.at(quiet), store.StateReady)
}

func TestMaxWaitWhileReceiving(t *testing.T) {
	e := newEnv(t, "")
	e.putDir("CT")
	first := e.studyRecord().FirstReceived
	// An instance trickles in just before the maximum wait: the study is
	// still receiving, but the wait is over and it is not complete.
	e.clock.Set(first.Add(maxWait + time.Second))
	st := e.pass()
	want(t, st, store.StateIncomplete, "ct: no SEG or RTSTRUCT")
}

func TestRestartDuringWaitAndProcessing(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.putDir(allSeries...)
	want(t, e.at(quiet/2), store.StateReceiving)
	e.close()

	// The node restarts during the quiet period: the timer resumes from the
	// stored receive times, not from the restart.
	e.open()
	want(t, e.at(quiet-time.Second), store.StateReceiving)
	want(t, e.at(quiet), store.StateReady)
	job := e.next()
	want(t, e.pass(), store.StateProcessing)
	e.close()

	// A restart while processing offers the job again.
	e.open()
	want(t, e.pass(), store.StateReady, "restart")
	again := e.next()
	if again.ID != job.ID || again.Version != 1 {
		t.Fatalf("job %d v%d offered again as %d v%d", job.ID, job.Version, again.ID, again.Version)
	}
	if err := e.q.Fail(again.ID, "deep model missing"); err != nil {
		t.Fatal(err)
	}
	want(t, e.pass(), store.StateFailed, "deep model missing")
}

// copyWithNewUID copies a file, replacing its SOP Instance UID by one of the
// same length, so that it is a new instance of the same series.
func copyWithNewUID(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	uid := sopInstanceUID(t, b)
	last := uid[len(uid)-1]
	repl := uid[:len(uid)-1] + string('0'+(last-'0'+1)%10)
	out := filepath.Join(dir, filepath.Base(src)+".copy")
	if err := os.WriteFile(out, bytes.ReplaceAll(b, []byte(uid), []byte(repl)), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func sopInstanceUID(t *testing.T, b []byte) string {
	t.Helper()
	// (0002,0003) in Explicit VR Little Endian: tag, "UI", 2-byte length.
	i := bytes.Index(b, []byte{0x02, 0x00, 0x03, 0x00, 'U', 'I'})
	if i < 0 {
		t.Fatal("no Media Storage SOP Instance UID")
	}
	n := int(b[i+6]) | int(b[i+7])<<8
	return strings.TrimRight(string(b[i+8:i+8+n]), "\x00 ")
}

func TestNewVersionAfterReport(t *testing.T) {
	e := newEnv(t, "")
	e.putDir(allSeries...)
	want(t, e.at(quiet), store.StateReady)
	job := e.next()
	sr := pipeline.SRRef{StudyUID: job.StudyUID, SeriesUID: "2.25.10", SOPClassUID: "1.2.840.10008.5.1.4.1.1.88.34", SOPInstanceUID: "2.25.11"}
	if err := e.q.Complete(job.ID, pipeline.Outcome{SR: sr, Class: "wdlps", Likelihood: 0.8}); err != nil {
		t.Fatal(err)
	}
	want(t, e.pass(), store.StateReported)
	// Nothing new: the report stands, however long.
	want(t, e.at(10*maxWait), store.StateReported)

	// A corrected SEG arrives after the report.
	seg := trackertest.Files(t, filepath.Join(study(t), "SEG_T1WI"))[0]
	e.put(copyWithNewUID(t, seg, t.TempDir()))
	st := e.at(time.Second)
	want(t, st, store.StateReceiving)
	if st.Version != 2 || st.Previous == nil || *st.Previous != sr {
		t.Fatalf("version %d previous %+v", st.Version, st.Previous)
	}
	want(t, e.at(quiet), store.StateReady)
	v2 := e.next()
	if v2.Version != 2 || v2.Previous == nil || *v2.Previous != sr || v2.ID == job.ID {
		t.Fatalf("job %+v", v2)
	}
}

func TestDataWhileReadyWithdrawsTheJob(t *testing.T) {
	e := newEnv(t, "")
	e.putDir(allSeries...)
	st := e.at(quiet)
	want(t, st, store.StateReady)
	first := st.JobID
	seg := trackertest.Files(t, filepath.Join(study(t), "SEG_CT"))[0]
	e.put(copyWithNewUID(t, seg, t.TempDir()))
	want(t, e.at(time.Second), store.StateReceiving)
	rec, err := e.st.Job(first)
	if err != nil || rec.Status != store.JobWithdrawn {
		t.Fatalf("first job %+v, %v", rec, err)
	}
	want(t, e.at(quiet), store.StateReady)
	if job := e.next(); job.ID == first || job.Version != 1 {
		t.Fatalf("job %d v%d", job.ID, job.Version)
	}
}

func TestAssignedSeries(t *testing.T) {
	e := newEnv(t, "")
	e.putDir(allSeries...)
	st := e.at(quiet)
	want(t, st, store.StateReady)
	ct, _ := st.Role(pipeline.RoleCT)
	t1, _ := st.Role(pipeline.RoleT1WI)
	job := e.next()
	if err := e.q.Complete(job.ID, pipeline.Outcome{SR: pipeline.SRRef{SOPInstanceUID: "2.25.5"}}); err != nil {
		t.Fatal(err)
	}
	want(t, e.pass(), store.StateReported)

	// The administrator assigns the T1 series to the t2fs role (through
	// the file a running server picks up): the study opens again.
	if _, err := WriteAssignment(e.dir, st.StudyInstanceUID, t1.SeriesUID, pipeline.RoleT2FS, "test", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAssignment(e.dir, st.StudyInstanceUID, "2.25.999", pipeline.RoleCT, "test", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	st = e.pass()
	if st.Version != 2 {
		t.Fatalf("state %v version %d", st.State, st.Version)
	}
	st = e.at(quiet)
	want(t, st, store.StateReady)
	t2, _ := st.Role(pipeline.RoleT2FS)
	if !t2.Assigned || t2.SeriesUID != t1.SeriesUID || t2.SeriesReason != store.AssignedReason {
		t.Fatalf("t2fs role %+v", t2)
	}
	if ct2, _ := st.Role(pipeline.RoleCT); ct2 != ct {
		t.Fatalf("refused assignment changed the ct role: %+v", ct2)
	}
	if m, _ := filepath.Glob(filepath.Join(e.dir, AssignDir, "*.refused")); len(m) != 1 {
		t.Fatalf("refused files %v", m)
	}
	e.mu.Lock()
	n := 0
	for _, ev := range e.events {
		if ev.Type == AuditRoleAssigned {
			n++
		}
	}
	e.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d assignment events, want 2", n)
	}
}

// Bad input gives a reason in the state and the tracker goes on.

func TestMissingSlice(t *testing.T) {
	e := newEnv(t, "")
	e.putDir("SEG_CT", "T1WI", "SEG_T1WI", "T2FS", "SEG_T2FS")
	ct := trackertest.Files(t, filepath.Join(study(t), "CT"))
	for i, f := range ct {
		if i != 3 {
			e.put(f)
		}
	}
	st := e.at(quiet)
	want(t, st, store.StateWaitingForSeries, "ct:", "missing slices")
	e.wantAudited(st.StudyInstanceUID, "missing slices")
	t.Log(st.Reason)
}

func TestSEGReferencingAbsentImages(t *testing.T) {
	e := newEnv(t, "")
	// The liver SEG references the three ct-3slice images; the node has
	// two of them.
	e.put(testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/ct-3slice/01.dcm"),
		testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/ct-3slice/02.dcm"),
		testutil.SharedPath(t, "testdata/dicom/dcmqi/segmentations/liver.dcm"))
	e.assignCT()
	st := e.at(quiet)
	want(t, st, store.StateWaitingForSeries, "ct: no usable region", "SEG", "not in the series")
	e.wantAudited(st.StudyInstanceUID, "not in the series")
	t.Log(st.Reason)
	if r, _ := st.Role(pipeline.RoleCT); r.SeriesUID == "" || r.RegionSOPInstanceUID != "" {
		t.Fatalf("ct role %+v", r)
	}
}

// assignCT assigns the study's CT series to the ct role, as `mdm2node
// assign` does when the server is stopped.
func (e *env) assignCT() {
	e.t.Helper()
	rec := e.studyRecord()
	series, err := e.st.SeriesOfStudy(rec.StudyInstanceUID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range series {
		if s.Modality == "CT" {
			if err := e.st.AssignRole(rec.StudyInstanceUID, s.SeriesInstanceUID, pipeline.RoleCT, e.clock.Now()); err != nil {
				e.t.Fatal(err)
			}
			return
		}
	}
	e.t.Fatal("no CT series")
}

func TestRTSTRUCTOffGrid(t *testing.T) {
	e := newEnv(t, "")
	tmp := t.TempDir()
	// The rt-utils CT slices moved one metre to the side: the contours
	// still reference them but lie off their grid.
	for _, name := range []string{"ct_1.dcm", "ct_2.dcm"} {
		b, err := os.ReadFile(testutil.SharedPath(t, "testdata/dicom/rt-utils/mock_data/"+name))
		if err != nil {
			t.Fatal(err)
		}
		moved := bytes.Replace(b, []byte(`-125.000\-125.000\`), []byte(` 875.000\-125.000\`), 1)
		if bytes.Equal(moved, b) {
			t.Fatalf("%s: Image Position (Patient) not found", name)
		}
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, moved, 0o600); err != nil {
			t.Fatal(err)
		}
		e.put(p)
	}
	e.put(testutil.SharedPath(t, "testdata/dicom/rt-utils/mock_data/rt.dcm"))
	e.assignCT()
	st := e.at(quiet)
	want(t, st, store.StateWaitingForSeries, "off the image grid", "t1wi:", "t2fs:")
	e.wantAudited(st.StudyInstanceUID, "off the image grid")
	t.Log(st.Reason)
	r, _ := st.Role(pipeline.RoleCT)
	if !r.Assigned || r.SeriesReason != store.AssignedReason || !strings.Contains(r.Missing, "RTSTRUCT") {
		t.Fatalf("ct role %+v", r)
	}
}

func TestUnreadableRegionDoesNotStopTheTracker(t *testing.T) {
	e := newEnv(t, "")
	e.putDir(allSeries...)
	// Corrupt a stored SEG behind the store's back.
	rec := e.studyRecord()
	series, _ := e.st.SeriesOfStudy(rec.StudyInstanceUID)
	for _, s := range series {
		if s.Modality != "SEG" {
			continue
		}
		insts, _ := e.st.InstancesOfSeries(rec.StudyInstanceUID, s.SeriesInstanceUID)
		p := filepath.Join(e.st.Dir(), insts[0].Path)
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, b[:len(b)/3], 0o600); err != nil {
			t.Fatal(err)
		}
		break
	}
	st := e.at(quiet)
	if st.State != store.StateWaitingForRegions {
		t.Fatalf("state %v: %s", st.State, st.Reason)
	}
	t.Log(st.Reason)
}

// wantAudited checks that a StudyStateChanged event of study carries
// reason in its detail, so that an administrator tailing the audit log sees
// why the study waits.
func (e *env) wantAudited(study, reason string) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.events {
		if ev.Type == AuditStudyState && ev.StudyInstanceUID == study && strings.Contains(ev.Detail, reason) {
			return
		}
	}
	e.t.Errorf("no %s event of study %s with %q in %d audit events", AuditStudyState, study, reason, len(e.events))
}
