package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
	bolt "go.etcd.io/bbolt"
)

// Study states (readiness of a study for the pipeline) live in the same
// bbolt database as the index, in buckets of their own that are created
// lazily by the transactions that first write them:
//
//	study_states   study UID -> StudyStatus
//	role_assign    study UID -> map of role -> RoleAssignment
//	jobs           job ID (8 bytes, big endian) -> JobRecord
//	jobs_pending   job ID -> empty, for the jobs not yet taken or taken
//	               but not finished
//
// A reader (mdm2node studies, the C-FIND SCP) treats a missing bucket as
// empty.
var (
	bucketStudyStates = []byte("study_states")
	bucketAssignments = []byte("role_assign")
	bucketJobs        = []byte("jobs")
	bucketJobsPending = []byte("jobs_pending")
)

// ErrStateTransition is returned when a change of study state is not one
// that the state machine allows.
var ErrStateTransition = errors.New("store: study state change not allowed")

// StudyState is the readiness state of a study. The values are stored in
// the index; they are explicit so that they never change meaning.
type StudyState uint8

// Study states. Receiving, the two waiting states and ready are evaluated
// again as data arrives; processing belongs to the pipeline worker;
// reported, failed and incomplete are final until new data arrives for the
// study, which opens it again (a new version after a report).
const (
	StateUnknown StudyState = 0
	// StateReceiving: an instance of the study arrived within the quiet
	// period; nothing is decided before it has passed.
	StateReceiving StudyState = 1
	// StateWaitingForSeries: at least one role has no series that fills it.
	StateWaitingForSeries StudyState = 2
	// StateWaitingForRegions: every role has a series, but at least one has
	// no usable SEG or RTSTRUCT region on it.
	StateWaitingForRegions StudyState = 3
	// StateReady: every role has a series and a region, the quiet period has
	// passed and a job is in the queue.
	StateReady StudyState = 4
	// StateProcessing: the pipeline worker took the job.
	StateProcessing StudyState = 5
	// StateReported: the worker completed the job; Outcome holds the SR.
	StateReported StudyState = 6
	// StateFailed: the worker failed the job; Reason says why.
	StateFailed StudyState = 7
	// StateIncomplete: the maximum wait passed before the study was
	// complete; Reason says what is missing.
	StateIncomplete StudyState = 8
)

var stateNames = map[StudyState]string{
	StateUnknown:           "unknown",
	StateReceiving:         "receiving",
	StateWaitingForSeries:  "waiting-for-series",
	StateWaitingForRegions: "waiting-for-regions",
	StateReady:             "ready",
	StateProcessing:        "processing",
	StateReported:          "reported",
	StateFailed:            "failed",
	StateIncomplete:        "incomplete",
}

// String returns the state's name as `mdm2node studies` prints it.
func (s StudyState) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// ParseStudyState returns the state named name.
func ParseStudyState(name string) (StudyState, error) {
	for s, n := range stateNames {
		if n == name {
			return s, nil
		}
	}
	return StateUnknown, fmt.Errorf("store: unknown study state %q", name)
}

// MarshalText writes the state's name, so that stored records and JSON
// output are readable.
func (s StudyState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *StudyState) UnmarshalText(b []byte) error {
	v, err := ParseStudyState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Final reports whether the state waits for nothing but new data: reported,
// failed or incomplete.
func (s StudyState) Final() bool {
	return s == StateReported || s == StateFailed || s == StateIncomplete
}

// Open reports whether the tracker still evaluates the study: receiving,
// waiting for series or regions, or ready (a job queued but not taken).
func (s StudyState) Open() bool {
	return s == StateReceiving || s == StateWaitingForSeries || s == StateWaitingForRegions || s == StateReady
}

// transitions lists, for each state, the states it may change to. A change
// to the same state only updates the reason.
var transitions = map[StudyState][]StudyState{
	StateUnknown:           {StateReceiving, StateWaitingForSeries, StateWaitingForRegions, StateReady, StateIncomplete},
	StateReceiving:         {StateWaitingForSeries, StateWaitingForRegions, StateReady, StateIncomplete},
	StateWaitingForSeries:  {StateReceiving, StateWaitingForRegions, StateReady, StateIncomplete},
	StateWaitingForRegions: {StateReceiving, StateWaitingForSeries, StateReady, StateIncomplete},
	StateReady:             {StateProcessing, StateReceiving, StateWaitingForSeries, StateWaitingForRegions, StateIncomplete},
	StateProcessing:        {StateReported, StateFailed, StateReady},
	StateReported:          {StateReceiving},
	StateFailed:            {StateReceiving},
	StateIncomplete:        {StateReceiving},
}

// CanChange reports whether the state machine allows from -> to.
func CanChange(from, to StudyState) bool {
	if from == to {
		return from != StateUnknown
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// maxHistory bounds StudyStatus.History.
const maxHistory = 32

// StateChange is one entry of a study's state history.
type StateChange struct {
	Time    time.Time  `json:"time"`
	From    StudyState `json:"from"`
	To      StudyState `json:"to"`
	Version int        `json:"version"`
	Reason  string     `json:"reason,omitempty"`
}

// RoleStatus is what the tracker found for one role of a study.
type RoleStatus struct {
	Role string `json:"role"`
	// SeriesUID is the series chosen for the role, empty when none fits.
	SeriesUID    string `json:"series_uid,omitempty"`
	SeriesReason string `json:"series_reason,omitempty"`
	// Assigned is true when an administrator chose the series.
	Assigned bool `json:"assigned,omitempty"`
	// RegionSOPInstanceUID is the SEG or RTSTRUCT that holds the region on
	// the series, RegionFile its path relative to the data folder.
	RegionSOPInstanceUID string `json:"region_sop_instance_uid,omitempty"`
	RegionFile           string `json:"region_file,omitempty"`
	RegionLabel          string `json:"region_label,omitempty"`
	RegionReason         string `json:"region_reason,omitempty"`
	// Missing says what the role lacks; empty when it has a series and a
	// region.
	Missing string `json:"missing,omitempty"`
}

// Complete reports whether the role has a series and a region.
func (r RoleStatus) Complete() bool {
	return r.SeriesUID != "" && r.RegionSOPInstanceUID != "" && r.Missing == ""
}

// StudyStatus is the stored readiness of one study.
type StudyStatus struct {
	V                int        `json:"v"`
	StudyInstanceUID string     `json:"study_uid"`
	State            StudyState `json:"state"`
	Reason           string     `json:"reason,omitempty"`
	// Since is when State was entered.
	Since time.Time `json:"since"`
	// Version counts the times the study was made ready after a report:
	// 1 until the first report.
	Version int          `json:"version"`
	Roles   []RoleStatus `json:"roles,omitempty"`

	// The basis of the last evaluation: the study's instance count and the
	// receive time of its newest instance. Data that changes either is new
	// data for the study.
	Instances    int       `json:"instances"`
	LastReceived time.Time `json:"last_received"`
	Evaluated    time.Time `json:"evaluated"`
	// WaitStart is when the maximum wait of this version started: the
	// study's first instance, or the first data seen after a final state.
	WaitStart time.Time `json:"wait_start"`

	// JobID is the job of the version, once one was queued.
	JobID uint64 `json:"job_id,omitempty"`
	// Outcome is what the worker reported for the last completed job.
	Outcome *pipeline.Outcome `json:"outcome,omitempty"`
	// Previous is the SR of the previous version (nil for version 1).
	Previous *pipeline.SRRef `json:"previous,omitempty"`

	History []StateChange `json:"history,omitempty"`
}

// Role returns the status of role, and false when the study has none.
func (s *StudyStatus) Role(role string) (RoleStatus, bool) {
	for _, r := range s.Roles {
		if r.Role == role {
			return r, true
		}
	}
	return RoleStatus{}, false
}

// changeState is the one function that changes a study's state. It checks
// the transition, records it in the history and sets the reason. A change
// to the same state only replaces the reason.
func changeState(st *StudyStatus, to StudyState, reason string, now time.Time) error {
	from := st.State
	if !CanChange(from, to) {
		return fmt.Errorf("%w: study %s from %v to %v", ErrStateTransition, st.StudyInstanceUID, from, to)
	}
	st.Reason = reason
	if from == to {
		return nil
	}
	st.State = to
	st.Since = now
	st.History = append(st.History, StateChange{Time: now, From: from, To: to, Version: st.Version, Reason: reason})
	if n := len(st.History); n > maxHistory {
		st.History = append([]StateChange(nil), st.History[n-maxHistory:]...)
	}
	return nil
}

// getStatus reads the status of studyUID in tx; found is false when none is
// stored.
func getStatus(tx *bolt.Tx, studyUID string) (st StudyStatus, found bool, err error) {
	b := tx.Bucket(bucketStudyStates)
	if b == nil {
		return st, false, nil
	}
	found, err = getJSON(b, []byte(studyUID), &st)
	return st, found, err
}

// statusCounters holds, per open database, a counter that moves after each
// committed change of a study status, so that a snapshot writer can skip
// unchanged passes.
var statusCounters sync.Map // *bolt.DB -> *atomic.Int64

func (ix *Index) statusCounter() *atomic.Int64 {
	c, _ := statusCounters.LoadOrStore(ix.db, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// StatusChanges returns a counter that moves each time a study status is
// changed through this process.
func (ix *Index) StatusChanges() int64 { return ix.statusCounter().Load() }

func putStatus(tx *bolt.Tx, st *StudyStatus) error {
	b, err := tx.CreateBucketIfNotExists(bucketStudyStates)
	if err != nil {
		return err
	}
	st.V = RecordVersion
	return putJSON(b, []byte(st.StudyInstanceUID), st)
}

// StudyStatus returns the stored status of a study, or an error wrapping
// ErrNotFound when the tracker has not seen it yet.
func (ix *Index) StudyStatus(studyUID string) (StudyStatus, error) {
	var st StudyStatus
	err := ix.db.View(func(tx *bolt.Tx) error {
		var found bool
		var err error
		st, found, err = getStatus(tx, studyUID)
		if err == nil && !found {
			err = fmt.Errorf("%w: no state for study %s", ErrNotFound, studyUID)
		}
		return err
	})
	return st, err
}

// StudyStatuses returns the status of every study the tracker has seen, in
// Study Instance UID order.
func (ix *Index) StudyStatuses() ([]StudyStatus, error) {
	var out []StudyStatus
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStudyStates)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var st StudyStatus
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("store: decode study state %q: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

// Evaluation is what the tracker concluded about an open study.
type Evaluation struct {
	// State is receiving, waiting for series, waiting for regions, ready or
	// incomplete.
	State  StudyState
	Reason string
	Roles  []RoleStatus
	// Instances and LastReceived are the basis the evaluation saw.
	Instances    int
	LastReceived time.Time
	// WaitStart, when not zero and none is stored, starts the maximum wait.
	WaitStart time.Time
	// Job is required when State is StateReady: the roles and calling AE of
	// the job to queue. Its ID, StudyUID, Version, Enqueued and Previous are
	// filled in here.
	Job *pipeline.Job
}

// ApplyEvaluation stores the tracker's evaluation of an open (or not yet
// seen) study in one transaction. Changing to StateReady queues ev.Job;
// changing away from StateReady withdraws the job that was queued and not
// yet taken. A study that is processing or in a final state is left
// unchanged and returned with changed false: the worker owns the first, and
// the second must be opened with Reopen first.
func (ix *Index) ApplyEvaluation(studyUID string, ev Evaluation, now time.Time) (st StudyStatus, changed bool, err error) {
	if ev.State == StateReady && ev.Job == nil {
		return st, false, fmt.Errorf("store: ready evaluation of %s without a job", studyUID)
	}
	switch ev.State {
	case StateReceiving, StateWaitingForSeries, StateWaitingForRegions, StateReady, StateIncomplete:
	default:
		return st, false, fmt.Errorf("%w: an evaluation cannot set %v", ErrStateTransition, ev.State)
	}
	err = ix.db.Update(func(tx *bolt.Tx) error {
		cur, found, err := getStatus(tx, studyUID)
		if err != nil {
			return err
		}
		if !found {
			cur = StudyStatus{StudyInstanceUID: studyUID, Version: 1}
		}
		if found && !cur.State.Open() {
			st = cur
			return nil
		}
		wasReady := cur.State == StateReady
		if wasReady && ev.State == StateReady && cur.Instances == ev.Instances && cur.LastReceived.Equal(ev.LastReceived) && sameRoles(cur.Roles, ev.Roles) {
			// Nothing new: the queued job stands.
			cur.Evaluated = now
			st = cur
			return putStatus(tx, &cur)
		}
		if wasReady && cur.JobID != 0 {
			if err := withdrawJob(tx, cur.JobID, now); err != nil {
				return err
			}
			cur.JobID = 0
		}
		if err := changeState(&cur, ev.State, ev.Reason, now); err != nil {
			return err
		}
		cur.Roles = ev.Roles
		cur.Instances, cur.LastReceived, cur.Evaluated = ev.Instances, ev.LastReceived, now
		if cur.WaitStart.IsZero() {
			cur.WaitStart = ev.WaitStart
			if cur.WaitStart.IsZero() {
				cur.WaitStart = now
			}
		}
		if ev.State == StateReady {
			job := *ev.Job
			job.StudyUID = studyUID
			job.Version = cur.Version
			job.Previous = cur.Previous
			job.Enqueued = now
			id, err := enqueueJob(tx, &job)
			if err != nil {
				return err
			}
			cur.JobID = id
		}
		changed = true
		st = cur
		return putStatus(tx, &cur)
	})
	if err == nil {
		ix.statusCounter().Add(1)
	}
	if err == nil && changed && ev.State == StateReady {
		ix.notifyJobs()
	}
	return st, changed, err
}

func sameRoles(a, b []RoleStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Reopen opens a study in a final state again because new data arrived (or
// an administrator assigned a series): it goes back to receiving, with a new
// version when it had been reported, whose job will carry the report as
// Previous. The maximum wait starts again at waitStart. A study that is not
// final is returned unchanged.
func (ix *Index) Reopen(studyUID, reason string, waitStart, now time.Time) (StudyStatus, error) {
	var st StudyStatus
	err := ix.db.Update(func(tx *bolt.Tx) error {
		cur, found, err := getStatus(tx, studyUID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: no state for study %s", ErrNotFound, studyUID)
		}
		if !cur.State.Final() {
			st = cur
			return nil
		}
		if cur.State == StateReported {
			cur.Version++
			if cur.Outcome != nil {
				sr := cur.Outcome.SR
				cur.Previous = &sr
			}
		}
		cur.JobID = 0
		cur.WaitStart = waitStart
		if err := changeState(&cur, StateReceiving, reason, now); err != nil {
			return err
		}
		st = cur
		return putStatus(tx, &cur)
	})
	if err == nil {
		ix.statusCounter().Add(1)
	}
	return st, err
}

// RoleAssignment is an administrator's choice of the series for a role.
type RoleAssignment struct {
	SeriesUID string    `json:"series_uid"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
}

// AssignedReason is the reason recorded for a role chosen with `mdm2node
// assign`.
const AssignedReason = "assigned by administrator"

// AssignRole records that an administrator chose seriesUID for role in
// studyUID. The series must be stored in the study. The tracker picks the
// assignment up on its next pass; a study in a final state is opened again
// by it.
func (ix *Index) AssignRole(studyUID, seriesUID, role string, now time.Time) error {
	if !validRole(role) {
		return fmt.Errorf("store: unknown role %q (want %s)", role, strings.Join(roleNames(), ", "))
	}
	return ix.db.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketSeries)
		if sb == nil || sb.Get(seriesKey(studyUID, seriesUID)) == nil {
			if st := tx.Bucket(bucketStudies); st == nil || st.Get([]byte(studyUID)) == nil {
				return fmt.Errorf("%w: study %s", ErrNotFound, studyUID)
			}
			return fmt.Errorf("%w: series %s in study %s", ErrNotFound, seriesUID, studyUID)
		}
		b, err := tx.CreateBucketIfNotExists(bucketAssignments)
		if err != nil {
			return err
		}
		m := map[string]RoleAssignment{}
		if _, err := getJSON(b, []byte(studyUID), &m); err != nil {
			return err
		}
		m[role] = RoleAssignment{SeriesUID: seriesUID, Time: now, Reason: AssignedReason}
		return putJSON(b, []byte(studyUID), m)
	})
}

// Assignments returns the administrator's role assignments of a study,
// keyed by role.
func (ix *Index) Assignments(studyUID string) (map[string]RoleAssignment, error) {
	m := map[string]RoleAssignment{}
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAssignments)
		if b == nil {
			return nil
		}
		_, err := getJSON(b, []byte(studyUID), &m)
		return err
	})
	return m, err
}

func roleNames() []string { return []string{pipeline.RoleCT, pipeline.RoleT1WI, pipeline.RoleT2FS} }

func validRole(r string) bool {
	for _, n := range roleNames() {
		if n == r {
			return true
		}
	}
	return false
}
