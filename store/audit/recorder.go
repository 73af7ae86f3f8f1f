package audit

import (
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/mdm2node/mdm2node/scp"
)

// AssociationCounter returns the instances stored on an association per
// Study Instance UID and clears them. store.Store implements it.
type AssociationCounter interface {
	TakeAssociationCounts(assocID string) map[string]int
}

// Recorder turns association and store events into audit events. It
// implements scp.Observer and store.Events.
type Recorder struct {
	log     *Log
	app     *slog.Logger
	counter AssociationCounter
}

// NewRecorder returns a Recorder writing to log. counter, when not nil,
// supplies the per-study counts of DICOMInstancesTransferred. Write failures
// go to app.
func NewRecorder(log *Log, counter AssociationCounter, app *slog.Logger) *Recorder {
	if app == nil {
		app = slog.New(slog.DiscardHandler)
	}
	return &Recorder{log: log, app: app, counter: counter}
}

// SetCounter sets the source of the per-study counts of
// DICOMInstancesTransferred. Call it before the first association event.
func (r *Recorder) SetCounter(c AssociationCounter) { r.counter = c }

func (r *Recorder) write(e Event) {
	if err := r.log.Write(e); err != nil {
		r.app.Error("audit event lost", "type", string(e.Type), "err", err)
	}
}

// ApplicationStarted records ApplicationActivity start.
func (r *Recorder) ApplicationStarted(aeTitle, listen string) {
	r.write(Event{Type: ApplicationActivity, Action: ActionStart, Outcome: Success,
		Application: "mdm2node", AETitle: aeTitle, Listen: listen, PID: os.Getpid()})
}

// ApplicationStopped records ApplicationActivity stop with the reason in
// detail.
func (r *Recorder) ApplicationStopped(aeTitle, detail string, outcome Outcome) {
	r.write(Event{Type: ApplicationActivity, Action: ActionStop, Outcome: outcome,
		Application: "mdm2node", AETitle: aeTitle, PID: os.Getpid(), Detail: detail})
}

// AssociationAccepted implements scp.Observer.
func (r *Recorder) AssociationAccepted(a scp.AssociationInfo) {
	e := assocEvent(AssociationAccepted, a)
	r.write(e)
}

// AssociationRejected implements scp.Observer. The server reports the
// SecurityAlert of a rejected AE title itself, through SecurityAlert.
func (r *Recorder) AssociationRejected(a scp.AssociationInfo, result, source, reason byte) {
	e := assocEvent(AssociationRejected, a)
	e.Outcome = MinorFailure
	res, src, rsn := int(result), int(source), int(reason)
	e.RejectResult, e.RejectSource, e.RejectReason = &res, &src, &rsn
	e.Detail = RejectReasonText(source, reason)
	r.write(e)
}

// AssociationReleased implements scp.Observer.
func (r *Recorder) AssociationReleased(a scp.AssociationInfo, stats scp.AssociationStats) {
	r.finish(AssociationReleased, a, stats, nil)
}

// AssociationAborted implements scp.Observer.
func (r *Recorder) AssociationAborted(a scp.AssociationInfo, stats scp.AssociationStats, cause error) {
	r.finish(AssociationAborted, a, stats, cause)
}

// finish writes DICOMInstancesTransferred when instances were stored, then
// the release or abort event.
func (r *Recorder) finish(t Type, a scp.AssociationInfo, stats scp.AssociationStats, cause error) {
	counts := stats.StoredByStudy
	if r.counter != nil {
		// The store has the study of every instance it stored, so its
		// counts replace the server's.
		if c := r.counter.TakeAssociationCounts(a.ID); len(c) > 0 {
			counts = c
		}
	}
	studies, stored := studyCounts(counts)
	if stored > 0 || stats.Failed > 0 {
		e := assocEvent(DICOMInstancesTransferred, a)
		e.Studies, e.Stored, e.Failed = studies, stored, stats.Failed
		if stats.Failed > 0 {
			e.Outcome = MinorFailure
		}
		r.write(e)
	}
	e := assocEvent(t, a)
	e.Stored, e.Failed = stored, stats.Failed
	if !a.Started.IsZero() {
		e.Duration = time.Since(a.Started).Seconds()
	}
	if cause != nil {
		e.Outcome = MinorFailure
		e.Detail = cause.Error()
	}
	r.write(e)
}

// SecurityAlert implements scp.Observer.
func (r *Recorder) SecurityAlert(peerAddr, callingAE, detail string) {
	r.write(Event{Type: SecurityAlert, Outcome: MinorFailure, PeerAddr: peerAddr, CallingAE: callingAE, Detail: detail})
}

// DuplicateInstance implements store.Events.
func (r *Recorder) DuplicateInstance(req *scp.StoreRequest, studyUID string, kept bool) {
	e := requestEvent(DuplicateInstance, req)
	e.StudyInstanceUID = studyUID
	e.Kept = &kept
	if kept {
		e.Detail = "SOP instance already stored; the stored one was kept"
	} else {
		e.Detail = "SOP instance already stored; replaced by the new one"
	}
	r.write(e)
}

// StoreRejected implements store.Events: a data set that does not match its
// command, names an invalid UID or cannot be parsed is malformed input, a
// SecurityAlert.
func (r *Recorder) StoreRejected(req *scp.StoreRequest, status uint16, err error) {
	e := requestEvent(SecurityAlert, req)
	e.Outcome = MinorFailure
	e.Status = fmt.Sprintf("%04X", status)
	e.Detail = "C-STORE rejected: " + err.Error()
	r.write(e)
}

func assocEvent(t Type, a scp.AssociationInfo) Event {
	return Event{Type: t, Outcome: Success, Association: a.ID, CallingAE: a.CallingAE, CalledAE: a.CalledAE, PeerAddr: a.PeerAddr}
}

func requestEvent(t Type, req *scp.StoreRequest) Event {
	return Event{Type: t, Outcome: MinorFailure, Association: req.AssociationID, CallingAE: req.CallingAE,
		CalledAE: req.CalledAE, PeerAddr: req.PeerAddr, SOPClassUID: req.SOPClassUID, SOPInstanceUID: req.SOPInstanceUID}
}

// studyCounts sorts counts by study UID and sums them.
func studyCounts(counts map[string]int) ([]StudyCount, int) {
	var out []StudyCount
	total := 0
	for uid, n := range counts {
		if n <= 0 {
			continue
		}
		out = append(out, StudyCount{StudyInstanceUID: uid, Instances: n})
		total += n
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StudyInstanceUID < out[j].StudyInstanceUID })
	return out, total
}

// RejectReasonText names an A-ASSOCIATE-RJ source and reason (PS3.8 Table
// 9-21).
func RejectReasonText(source, reason byte) string {
	switch source {
	case 1:
		switch reason {
		case 1:
			return "no reason given (service user)"
		case 2:
			return "application context name not supported"
		case 3:
			return "calling AE title not recognized"
		case 7:
			return "called AE title not recognized"
		}
	case 2:
		switch reason {
		case 1:
			return "no reason given (service provider, ACSE)"
		case 2:
			return "protocol version not supported"
		}
	case 3:
		switch reason {
		case 1:
			return "temporary congestion"
		case 2:
			return "local limit exceeded"
		}
	}
	return fmt.Sprintf("source %d reason %d", source, reason)
}
