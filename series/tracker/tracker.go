// Package tracker decides when a stored study is ready for the pipeline.
//
// A Tracker polls the store's index (once a second by default, and only
// when instances were committed or a timer is due) and keeps one
// store.StudyStatus per study in the same bbolt database:
//
//   - receiving while an instance of the study arrived within the quiet
//     period (series.readiness.quiet_period);
//   - once the quiet period has passed, each role (ct, t1wi, t2fs) gets a
//     series, chosen by the role rules (series.Rules.Choose) or assigned by
//     an administrator, that assembles into a volume (series.LoadSeries),
//     and a region: a SEG or RTSTRUCT of the study that references the
//     series and rasterises on it (series.LoadMask) with a label chosen by
//     series.region_labels;
//   - waiting-for-series or waiting-for-regions says which roles lack what,
//     with the reason of each failed candidate (missing slices, a SEG
//     referencing images the node does not have, contours off the grid...);
//   - ready when every role is complete: a pipeline.Job is queued in the
//     same transaction (store.JobQueue);
//   - incomplete when the maximum wait (series.readiness.max_wait) from the
//     study's first instance passes before it is complete.
//
// New data for a study in a final state (reported, failed, incomplete)
// opens it again; after a report this is a new version of the study, whose
// job carries the previous SR. Timers are computed from stored timestamps
// (the receive times of the instance records and the status's wait start),
// so they resume after a restart. The clock is injected for tests.
package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/series"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// AuditStudyState is the audit event type of a change of study state; the
// state and reason are in Detail.
const AuditStudyState audit.Type = "StudyStateChanged"

// AuditRoleAssigned is the audit event type of an administrator's role
// assignment.
const AuditRoleAssigned audit.Type = "RoleAssigned"

// AssignDir is the folder of the data folder where `mdm2node assign` leaves
// assignments for a running server, which holds the index's lock.
const AssignDir = "assign"

// DefaultPollInterval is the default of Config.PollInterval.
const DefaultPollInterval = time.Second

// Config configures a Tracker.
type Config struct {
	// QuietPeriod and MaxWait are series.readiness.quiet_period and
	// max_wait.
	QuietPeriod time.Duration
	MaxWait     time.Duration
	// Rules choose the series of each role.
	Rules *series.Rules
	// RegionLabels are series.region_labels.
	RegionLabels []string
	// Tolerances of volume assembly.
	Tolerances series.Tolerances
	// PollInterval is the period of Run. Default DefaultPollInterval.
	PollInterval time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log receives the application log; nil discards it.
	Log *slog.Logger
	// Audit, when set, receives the audit events of state changes and
	// role assignments.
	Audit func(audit.Event)
}

// Tracker evaluates the readiness of the studies of one store.
type Tracker struct {
	st  *store.Store
	cfg Config
	log *slog.Logger

	lastChanges int64
	nextDue     time.Time
	forceScan   bool

	// Caches of header reads, keyed by what they depend on.
	infos    map[string]cachedInfo   // series UID -> info
	headers  map[string]cachedHeader // SOP instance UID -> one file's info
	refs     map[string]cachedRefs   // SOP instance UID of a region -> referenced series
	full     map[string]cachedRoles  // study UID -> full evaluation
	written  []byte                  // last states snapshot
	lastSnap time.Time
	snapSeq  int64 // StatusChanges when it was written
}

type cachedInfo struct {
	key  string
	info series.SeriesInfo
	err  error
}

// cachedHeader is the header of one instance file, valid while the file's
// SHA-256 is unchanged.
type cachedHeader struct {
	sha  string
	info series.SeriesInfo
}

type cachedRefs struct {
	sha  string
	refs []string
	err  error
}

type cachedRoles struct {
	key   string
	roles []store.RoleStatus
}

// New returns a tracker of st.
func New(st *store.Store, cfg Config) (*Tracker, error) {
	if cfg.Rules == nil {
		cfg.Rules = series.DefaultRules()
	}
	if cfg.QuietPeriod <= 0 || cfg.MaxWait <= 0 {
		return nil, fmt.Errorf("tracker: quiet period %v and maximum wait %v must be positive", cfg.QuietPeriod, cfg.MaxWait)
	}
	if cfg.Tolerances == (series.Tolerances{}) {
		cfg.Tolerances = series.DefaultTolerances()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{
		st: st, cfg: cfg, log: log, lastChanges: -1, forceScan: true,
		infos: map[string]cachedInfo{}, headers: map[string]cachedHeader{}, refs: map[string]cachedRefs{}, full: map[string]cachedRoles{},
	}, nil
}

// Run polls until ctx ends. A failed pass is logged and the next one runs
// as usual: bad input never stops the tracker.
func (t *Tracker) Run(ctx context.Context) error {
	tick := time.NewTicker(t.cfg.PollInterval)
	defer tick.Stop()
	for {
		if err := t.Pass(); err != nil {
			t.log.Error("study tracker pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			t.writeSnapshot(true)
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Pass runs one evaluation pass: it picks up assignments left by `mdm2node
// assign`, then evaluates each study that changed, whose timer is due, or
// that has not been seen. It does nothing when no instance was committed and
// no timer is due.
func (t *Tracker) Pass() error {
	now := t.cfg.Now()
	if t.takeAssignments(now) {
		t.forceScan = true
	}
	changes := t.st.Changes()
	if !t.forceScan && changes == t.lastChanges && (t.nextDue.IsZero() || now.Before(t.nextDue)) {
		t.writeSnapshot(false)
		return nil
	}
	t.forceScan = false
	t.lastChanges = changes
	err := t.scan(now)
	t.writeSnapshot(false)
	return err
}

// scan looks at every study of the index.
func (t *Tracker) scan(now time.Time) error {
	studies, err := t.st.Studies()
	if err != nil {
		return err
	}
	statuses, err := t.st.StudyStatuses()
	if err != nil {
		return err
	}
	byUID := make(map[string]store.StudyStatus, len(statuses))
	for _, s := range statuses {
		byUID[s.StudyInstanceUID] = s
	}
	var next time.Time
	var errs []error
	for _, study := range studies {
		cur, seen := byUID[study.StudyInstanceUID]
		study, err := t.inputView(study)
		if err != nil {
			errs = append(errs, fmt.Errorf("study %s: %w", study.StudyInstanceUID, err))
			continue
		}
		due, err := t.study(study, cur, seen, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("study %s: %w", study.StudyInstanceUID, err))
		}
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	t.nextDue = next
	t.prune()
	return errors.Join(errs...)
}

// inputView returns study with Instances and LastReceived counted over the
// series that can be pipeline input, leaving out SR series. The node stores
// its own reports in the study, and an SR arriving after a report is no
// reason to process the study again.
func (t *Tracker) inputView(study store.StudyRecord) (store.StudyRecord, error) {
	series, err := t.st.SeriesOfStudy(study.StudyInstanceUID)
	if err != nil {
		return study, err
	}
	study.Instances = 0
	study.LastReceived = time.Time{}
	for _, s := range series {
		if s.Modality == "SR" {
			continue
		}
		study.Instances += s.Instances
		if s.LastReceived.After(study.LastReceived) {
			study.LastReceived = s.LastReceived
		}
	}
	return study, nil
}

// maxCached bounds the header caches; past it they start again empty.
const maxCached = 20000

// prune drops the full evaluations of studies that are no longer open, and
// empties the header caches when they grow past maxCached.
func (t *Tracker) prune() {
	if len(t.full) > 0 {
		statuses, err := t.st.StudyStatuses()
		if err == nil {
			open := map[string]bool{}
			for _, s := range statuses {
				if s.State.Open() {
					open[s.StudyInstanceUID] = true
				}
			}
			for uid := range t.full {
				if !open[uid] {
					delete(t.full, uid)
				}
			}
		}
	}
	if len(t.infos) > maxCached {
		t.infos = map[string]cachedInfo{}
	}
	if len(t.headers) > maxCached {
		t.headers = map[string]cachedHeader{}
	}
	if len(t.refs) > maxCached {
		t.refs = map[string]cachedRefs{}
	}
}

// study handles one study and returns when it must be looked at again
// without new data (zero: only on new data).
func (t *Tracker) study(study store.StudyRecord, cur store.StudyStatus, seen bool, now time.Time) (due time.Time, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while evaluating: %v", p)
		}
	}()
	uid := study.StudyInstanceUID
	newData := !seen || study.Instances != cur.Instances || !study.LastReceived.Equal(cur.LastReceived)
	assigned, err := t.st.Assignments(uid)
	if err != nil {
		return time.Time{}, err
	}
	reassigned := seen && assignmentsChanged(assigned, cur)

	switch {
	case seen && cur.State == store.StateProcessing:
		// The worker owns the study; new data is seen after its report.
		return time.Time{}, nil
	case seen && cur.State.Final():
		if !newData && !reassigned {
			return time.Time{}, nil
		}
		why := fmt.Sprintf("new data after %v: %d instances, newest received %s", cur.State, study.Instances, study.LastReceived.UTC().Format(time.RFC3339))
		if !newData {
			why = fmt.Sprintf("role assignment changed after %v", cur.State)
		}
		waitStart := study.LastReceived
		if !newData || waitStart.IsZero() {
			waitStart = now
		}
		from := cur.State
		cur, err = t.st.Reopen(uid, why, waitStart, now)
		if err != nil {
			return time.Time{}, err
		}
		t.report(cur, from)
	case seen && !newData && !reassigned && !t.timerDue(cur, now):
		return t.dueOf(cur), nil
	}
	return t.evaluate(study, cur, seen, assigned, now)
}

// timerDue reports whether the quiet period or the maximum wait of an open
// study has passed since its last evaluation.
func (t *Tracker) timerDue(cur store.StudyStatus, now time.Time) bool {
	due := t.dueOf(cur)
	return !due.IsZero() && !now.Before(due)
}

// dueOf returns the next time an open study changes state by itself.
func (t *Tracker) dueOf(cur store.StudyStatus) time.Time {
	switch cur.State {
	case store.StateReceiving:
		q := cur.LastReceived.Add(t.cfg.QuietPeriod)
		if m := cur.WaitStart.Add(t.cfg.MaxWait); m.Before(q) && cur.Evaluated.Before(m) {
			return m
		}
		return q
	case store.StateWaitingForSeries, store.StateWaitingForRegions:
		m := cur.WaitStart.Add(t.cfg.MaxWait)
		if cur.Evaluated.Before(m) {
			return m
		}
	}
	return time.Time{}
}

func assignmentsChanged(assigned map[string]store.RoleAssignment, cur store.StudyStatus) bool {
	for role, a := range assigned {
		r, ok := cur.Role(role)
		if !ok || !r.Assigned || r.SeriesUID != a.SeriesUID {
			return true
		}
	}
	return false
}

// evaluate decides the state of an open study and stores it.
func (t *Tracker) evaluate(study store.StudyRecord, cur store.StudyStatus, seen bool, assigned map[string]store.RoleAssignment, now time.Time) (time.Time, error) {
	uid := study.StudyInstanceUID
	waitStart := cur.WaitStart
	if waitStart.IsZero() {
		waitStart = study.FirstReceived
	}
	quietEnds := study.LastReceived.Add(t.cfg.QuietPeriod)
	waitEnds := waitStart.Add(t.cfg.MaxWait)
	quiet := !now.Before(quietEnds)
	expired := !now.Before(waitEnds)

	c, err := t.collect(uid)
	if err != nil {
		return time.Time{}, err
	}
	full := quiet || expired
	roles := t.roles(c, assigned, full)
	missing := missingText(roles)

	ev := store.Evaluation{Roles: roles, Instances: study.Instances, LastReceived: study.LastReceived, WaitStart: waitStart}
	switch {
	case !quiet && !(expired && missing != ""):
		ev.State = store.StateReceiving
		ev.Reason = fmt.Sprintf("%d instances, the newest received %s; evaluated when none has arrived for %v (at %s)",
			study.Instances, study.LastReceived.UTC().Format(time.RFC3339), t.cfg.QuietPeriod, quietEnds.UTC().Format(time.RFC3339))
		if missing != "" {
			ev.Reason += "; so far missing: " + missing
		}
	case missing == "":
		ev.State = store.StateReady
		ev.Reason = "every role has a series and a region; queued"
		ev.Job = t.job(c, roles)
	case expired:
		ev.State = store.StateIncomplete
		ev.Reason = fmt.Sprintf("maximum wait of %v passed (since %s); missing: %s", t.cfg.MaxWait, waitStart.UTC().Format(time.RFC3339), missing)
	case anySeriesMissing(roles):
		ev.State = store.StateWaitingForSeries
		ev.Reason = "missing: " + missing
	default:
		ev.State = store.StateWaitingForRegions
		ev.Reason = "missing: " + missing
	}
	from := cur.State
	if !seen {
		from = store.StateUnknown
	}
	st, changed, err := t.st.ApplyEvaluation(uid, ev, now)
	if err != nil {
		return time.Time{}, err
	}
	if changed {
		t.report(st, from)
	}
	return t.dueOf(st), nil
}

func anySeriesMissing(roles []store.RoleStatus) bool {
	for _, r := range roles {
		if r.SeriesUID == "" {
			return true
		}
	}
	return false
}

// missingText lists what the roles lack, role by role.
func missingText(roles []store.RoleStatus) string {
	var parts []string
	for _, r := range roles {
		if r.Missing != "" {
			parts = append(parts, r.Role+": "+r.Missing)
		}
	}
	return strings.Join(parts, "; ")
}

// report logs and audits a state change.
func (t *Tracker) report(st store.StudyStatus, from store.StudyState) {
	if st.State == from {
		return
	}
	// The reason quotes free-text series descriptions, which may name the
	// patient, so it goes to the audit log and the study states, not here.
	t.log.Info("study state", "study", st.StudyInstanceUID, "version", st.Version, "from", from.String(), "state", st.State.String())
	if t.cfg.Audit == nil {
		return
	}
	outcome := audit.Success
	switch st.State {
	case store.StateIncomplete, store.StateWaitingForSeries, store.StateWaitingForRegions:
		outcome = audit.MinorFailure
	case store.StateFailed:
		outcome = audit.SeriousFailure
	}
	t.cfg.Audit(audit.Event{
		Time: t.cfg.Now().UTC(), Type: AuditStudyState, Outcome: outcome,
		StudyInstanceUID: st.StudyInstanceUID,
		Status:           st.State.String(),
		Detail:           fmt.Sprintf("version %d: %v -> %v: %s", st.Version, from, st.State, st.Reason),
	})
}

// contents is what a study holds, sorted into image series and regions.
type contents struct {
	study   string
	images  map[string][]store.InstanceRecord // series UID -> image instances
	regions []store.InstanceRecord            // SEG and RTSTRUCT instances
	newest  store.InstanceRecord              // the most recently received instance
}

func isRegionClass(uid string) bool {
	return uid == scp.SegmentationStorage || uid == scp.RTStructureSetStorage
}

func isImageClass(uid string) bool {
	for _, c := range scp.ImageStorageSOPClasses {
		if c == uid && uid != scp.SegmentationStorage && uid != scp.SecondaryCaptureImageStorage {
			return true
		}
	}
	return false
}

func (t *Tracker) collect(studyUID string) (*contents, error) {
	series, err := t.st.SeriesOfStudy(studyUID)
	if err != nil {
		return nil, err
	}
	c := &contents{study: studyUID, images: map[string][]store.InstanceRecord{}}
	for _, se := range series {
		recs, err := t.st.InstancesOfSeries(studyUID, se.SeriesInstanceUID)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			switch {
			case isRegionClass(r.SOPClassUID):
				c.regions = append(c.regions, r)
			case isImageClass(r.SOPClassUID):
				c.images[r.SeriesInstanceUID] = append(c.images[r.SeriesInstanceUID], r)
			}
			if r.Received.After(c.newest.Received) {
				c.newest = r
			}
		}
	}
	sort.Slice(c.regions, func(i, j int) bool {
		a, b := c.regions[i], c.regions[j]
		if !a.Received.Equal(b.Received) {
			return a.Received.After(b.Received) // the newest region first
		}
		return a.SOPInstanceUID < b.SOPInstanceUID
	})
	return c, nil
}

func (t *Tracker) abs(rec store.InstanceRecord) string {
	return filepath.Join(t.st.Dir(), rec.Path)
}

func (t *Tracker) files(recs []store.InstanceRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = t.abs(r)
	}
	sort.Strings(out)
	return out
}

// seriesKeyOf identifies the content of a series for the caches.
func seriesKeyOf(recs []store.InstanceRecord) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.SOPInstanceUID)
		b.WriteByte(':')
		b.WriteString(r.SHA256)
		b.WriteByte(';')
	}
	return b.String()
}

func (t *Tracker) info(seriesUID string, recs []store.InstanceRecord) (series.SeriesInfo, error) {
	key := seriesKeyOf(recs)
	if c, ok := t.infos[seriesUID]; ok && c.key == key {
		return c.info, c.err
	}
	info, err := t.readSeriesInfo(recs)
	t.infos[seriesUID] = cachedInfo{key: key, info: info, err: err}
	return info, err
}

// readSeriesInfo summarises a series from the headers of its files. Each
// file's header is read once and cached, so that a series growing one
// instance at a time costs one header read per instance, not one per
// instance and change.
func (t *Tracker) readSeriesInfo(recs []store.InstanceRecord) (series.SeriesInfo, error) {
	sorted := append([]store.InstanceRecord(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool { return t.abs(sorted[i]) < t.abs(sorted[j]) })
	files := make([]string, len(sorted))
	infos := make([]series.SeriesInfo, len(sorted))
	for i, r := range sorted {
		files[i] = t.abs(r)
		if c, ok := t.headers[r.SOPInstanceUID]; ok && c.sha == r.SHA256 {
			infos[i] = c.info
			continue
		}
		one, err := series.ReadSeriesInfo(files[i])
		if err != nil {
			return series.SeriesInfo{}, err
		}
		t.headers[r.SOPInstanceUID] = cachedHeader{sha: r.SHA256, info: one}
		infos[i] = one
	}
	return series.MergeSeriesInfo(files, infos)
}

func (t *Tracker) referenced(rec store.InstanceRecord) ([]string, error) {
	if c, ok := t.refs[rec.SOPInstanceUID]; ok && c.sha == rec.SHA256 {
		return c.refs, c.err
	}
	refs, err := series.ReferencedSeries(t.abs(rec))
	t.refs[rec.SOPInstanceUID] = cachedRefs{sha: rec.SHA256, refs: refs, err: err}
	return refs, err
}

// roles decides the series and region of each role. With full, the chosen
// series is assembled and each candidate region rasterised on it, which
// reads the pixel data; without, only headers are read and the region is
// the first SEG or RTSTRUCT referencing the series.
func (t *Tracker) roles(c *contents, assigned map[string]store.RoleAssignment, full bool) []store.RoleStatus {
	var key string
	if full {
		var b strings.Builder
		for _, uid := range sortedKeys(c.images) {
			b.WriteString(uid + "=" + seriesKeyOf(c.images[uid]) + "|")
		}
		b.WriteString(seriesKeyOf(c.regions))
		for _, role := range series.Roles {
			if a, ok := assigned[string(role)]; ok {
				b.WriteString("|" + string(role) + "=" + a.SeriesUID)
			}
		}
		key = b.String()
		if cr, ok := t.full[c.study]; ok && cr.key == key {
			return cr.roles
		}
	}

	// Header summaries of the image series; a series whose headers cannot
	// be read is no candidate, and says why.
	var cands []series.SeriesInfo
	unreadable := map[string]string{}
	for _, uid := range sortedKeys(c.images) {
		info, err := t.info(uid, c.images[uid])
		if err != nil {
			unreadable[uid] = err.Error()
			continue
		}
		cands = append(cands, info)
	}
	// Regions by the series they reference.
	regionsOf := map[string][]store.InstanceRecord{}
	var regionProblems []string
	for _, r := range c.regions {
		refs, err := t.referenced(r)
		if err != nil {
			regionProblems = append(regionProblems, fmt.Sprintf("region %s unreadable: %v", r.SOPInstanceUID, err))
			continue
		}
		for _, s := range refs {
			regionsOf[s] = append(regionsOf[s], r)
		}
	}

	out := make([]store.RoleStatus, 0, len(series.Roles))
	for _, role := range series.Roles {
		out = append(out, t.role(c, role, cands, unreadable, regionsOf, regionProblems, assigned, full))
	}
	if full {
		t.full[c.study] = cachedRoles{key: key, roles: out}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// role decides one role.
func (t *Tracker) role(c *contents, role series.Role, cands []series.SeriesInfo, unreadable map[string]string,
	regionsOf map[string][]store.InstanceRecord, regionProblems []string, assigned map[string]store.RoleAssignment, full bool) store.RoleStatus {
	rs := store.RoleStatus{Role: string(role)}
	var skipped []string

	// 1. The series: assigned, or the best candidate that assembles.
	var loaded *series.Series
	if a, ok := assigned[string(role)]; ok {
		rs.SeriesUID, rs.Assigned = a.SeriesUID, true
		rs.SeriesReason = store.AssignedReason
		recs, stored := c.images[a.SeriesUID]
		switch {
		case !stored:
			rs.Missing = fmt.Sprintf("assigned series %s has no image instances in the study", a.SeriesUID)
			return rs
		case unreadable[a.SeriesUID] != "":
			rs.Missing = fmt.Sprintf("assigned series %s: %s", a.SeriesUID, unreadable[a.SeriesUID])
			return rs
		case full:
			s, err := series.LoadSeries(t.files(recs), t.cfg.Tolerances)
			if err != nil {
				rs.Missing = fmt.Sprintf("assigned series %s cannot be assembled: %v", a.SeriesUID, err)
				return rs
			}
			loaded = s
		}
	} else {
		left := append([]series.SeriesInfo(nil), cands...)
		for {
			choice, ok := t.cfg.Rules.Choose(role, left)
			if !ok {
				why := "no series"
				if len(cands) == 0 {
					why = "no image series in the study"
				} else if choice.Reason != "" {
					why = choice.Reason
				}
				if len(skipped) > 0 {
					why += "; " + strings.Join(skipped, "; ")
				}
				for uid, e := range unreadable {
					why += fmt.Sprintf("; series %s unreadable: %s", uid, e)
				}
				rs.Missing = why
				return rs
			}
			uid := choice.Series.SeriesInstanceUID
			if full {
				s, err := series.LoadSeries(t.files(c.images[uid]), t.cfg.Tolerances)
				if err != nil {
					skipped = append(skipped, fmt.Sprintf("series %s (%s) cannot be assembled: %v", uid, describe(choice.Series), err))
					left = without(left, uid)
					continue
				}
				loaded = s
			}
			rs.SeriesUID, rs.SeriesReason = uid, choice.Reason
			if len(skipped) > 0 {
				rs.SeriesReason += "; skipped " + strings.Join(skipped, "; ")
			}
			break
		}
	}

	// 2. The region: a SEG or RTSTRUCT that references the series and,
	// with full, rasterises on it.
	regions := regionsOf[rs.SeriesUID]
	if len(regions) == 0 {
		rs.Missing = fmt.Sprintf("no SEG or RTSTRUCT in the study references series %s", rs.SeriesUID)
		if len(regionProblems) > 0 {
			rs.Missing += "; " + strings.Join(regionProblems, "; ")
		}
		return rs
	}
	if !full {
		r := regions[0]
		rs.RegionSOPInstanceUID, rs.RegionFile = r.SOPInstanceUID, r.Path
		rs.RegionReason = "references the series; checked after the quiet period"
		return rs
	}
	var problems []string
	for _, r := range regions {
		reg, err := series.LoadMask(t.abs(r), loaded, t.cfg.RegionLabels, t.cfg.Tolerances)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", className(r.SOPClassUID), r.SOPInstanceUID, err))
			continue
		}
		rs.RegionSOPInstanceUID, rs.RegionFile, rs.RegionLabel = r.SOPInstanceUID, r.Path, reg.Label
		rs.RegionReason = fmt.Sprintf("%s %s, label %q: %s", className(r.SOPClassUID), r.SOPInstanceUID, reg.Label, reg.Reason)
		if len(problems) > 0 {
			rs.RegionReason += "; skipped " + strings.Join(problems, "; ")
		}
		return rs
	}
	rs.Missing = fmt.Sprintf("no usable region on series %s: %s", rs.SeriesUID, strings.Join(problems, "; "))
	return rs
}

func without(list []series.SeriesInfo, uid string) []series.SeriesInfo {
	out := list[:0:0]
	for _, s := range list {
		if s.SeriesInstanceUID != uid {
			out = append(out, s)
		}
	}
	return out
}

func describe(s series.SeriesInfo) string {
	d := s.SeriesDescription
	if d == "" {
		d = s.ProtocolName
	}
	return fmt.Sprintf("#%d %s %q", s.SeriesNumber, s.Modality, d)
}

func className(uid string) string {
	if uid == scp.SegmentationStorage {
		return "SEG"
	}
	return "RTSTRUCT"
}

// job builds the job of a complete study.
func (t *Tracker) job(c *contents, roles []store.RoleStatus) *pipeline.Job {
	job := &pipeline.Job{CallingAE: c.newest.CallingAE}
	for _, r := range roles {
		job.Roles = append(job.Roles, pipeline.RoleInput{
			Role:        r.Role,
			SeriesUID:   r.SeriesUID,
			Files:       t.files(c.images[r.SeriesUID]),
			RegionFile:  filepath.Join(t.st.Dir(), r.RegionFile),
			RegionLabel: r.RegionLabel,
			Reason:      r.SeriesReason + "; region: " + r.RegionReason,
		})
	}
	return job
}

// assignment is the content of a file in AssignDir.
type assignment struct {
	StudyUID  string    `json:"study_uid"`
	SeriesUID string    `json:"series_uid"`
	Role      string    `json:"role"`
	Time      time.Time `json:"time"`
	User      string    `json:"user,omitempty"`
}

// WriteAssignment leaves an assignment in dataDir/AssignDir for a running
// tracker to apply, and returns the file's path.
func WriteAssignment(dataDir, studyUID, seriesUID, role, user string, now time.Time) (string, error) {
	dir := filepath.Join(dataDir, AssignDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	data, err := json.Marshal(assignment{StudyUID: studyUID, SeriesUID: seriesUID, Role: role, Time: now.UTC(), User: user})
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "assign-*.tmp")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	final := strings.TrimSuffix(f.Name(), ".tmp") + ".json"
	if err := os.Rename(f.Name(), final); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return final, nil
}

// takeAssignments applies the assignments left in AssignDir and reports
// whether there were any.
func (t *Tracker) takeAssignments(now time.Time) bool {
	dir := filepath.Join(t.st.Dir(), AssignDir)
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		return false
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		var a assignment
		err = json.Unmarshal(data, &a)
		if err == nil {
			err = t.st.AssignRole(a.StudyUID, a.SeriesUID, a.Role, now)
		}
		t.auditAssignment(a.StudyUID, a.SeriesUID, a.Role, a.User, err)
		if err != nil {
			t.log.Warn("role assignment refused", "file", name, "err", err)
			os.Rename(name, strings.TrimSuffix(name, ".json")+".refused")
			continue
		}
		t.log.Info("role assigned", "study", a.StudyUID, "series", a.SeriesUID, "role", a.Role)
		os.Remove(name)
	}
	return true
}

func (t *Tracker) auditAssignment(study, seriesUID, role, user string, err error) {
	if t.cfg.Audit == nil {
		return
	}
	t.cfg.Audit(AssignmentEvent(study, seriesUID, role, user, err, t.cfg.Now()))
}

// AssignmentEvent is the audit event of a role assignment; err is the
// reason it was refused, nil when it was recorded.
func AssignmentEvent(study, seriesUID, role, user string, err error, now time.Time) audit.Event {
	e := audit.Event{
		Time: now.UTC(), Type: AuditRoleAssigned, Outcome: audit.Success, StudyInstanceUID: study,
		Detail: fmt.Sprintf("role %s: series %s, %s", role, seriesUID, store.AssignedReason),
	}
	if user != "" {
		e.Detail += " (" + user + ")"
	}
	if err != nil {
		e.Outcome = audit.MinorFailure
		e.Detail += ": refused: " + err.Error()
	}
	return e
}

// writeSnapshot rewrites store.StatesSnapshotFile when the statuses changed,
// at most every two seconds unless force.
func (t *Tracker) writeSnapshot(force bool) {
	now := time.Now()
	seq := t.st.StatusChanges()
	if !force && (now.Sub(t.lastSnap) < 2*time.Second || seq == t.snapSeq) {
		return
	}
	t.lastSnap, t.snapSeq = now, seq
	statuses, err := t.st.StudyStatuses()
	if err != nil {
		return
	}
	data, err := json.Marshal(statuses)
	if err != nil || string(data) == string(t.written) {
		return
	}
	if err := store.WriteStatesSnapshot(t.st.Dir(), statuses, now); err != nil {
		t.log.Warn("study states snapshot not written", "err", err)
		return
	}
	t.written = data
}
