package results

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// maxBatch is the most deliveries sent to one destination on one
// association; more wait for the next association.
const maxBatch = 64

// resendPollInterval is the longest time between two looks at the resend
// requests that `mdm2node resend` leaves while the server runs.
const resendPollInterval = 2 * time.Second

// Auditor receives one event per delivery attempt. *audit.Log implements it.
type Auditor interface {
	Write(e audit.Event) error
}

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	// Results is the results section: destinations, retry policy,
	// timeouts and calling AE title.
	Results config.Results
	// NodeAE is the calling AE title when Results.CallingAE is empty.
	NodeAE string
	// Audit receives every attempt; nil writes none.
	Audit Auditor
	// Log receives the application log; nil discards it.
	Log *slog.Logger
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// Worker sends the deliveries queued in a store. Each destination has its
// own goroutine while it has deliveries due, and one association at a time,
// so a destination that hangs (bounded by the timeouts) or rejects never
// delays another. The queue is in the store's index, and the worker keeps
// only which destinations are busy in memory, so a restarted worker picks up
// where the last one stopped. While it runs it rewrites the store's delivery
// snapshot after each change and performs the resend requests that
// `mdm2node resend` leaves in the data folder.
type Worker struct {
	st  *store.Store
	cfg WorkerConfig
	log *slog.Logger

	wake chan struct{}

	mu   sync.Mutex
	busy map[string]bool // destination AE title -> a goroutine is sending

	// changed is set when the queue changed since the last snapshot.
	changed atomic.Bool
}

// NewWorker returns a worker for the queue of st. Call Run to start it.
func NewWorker(st *store.Store, cfg WorkerConfig) *Worker {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{
		st:   st,
		cfg:  cfg,
		log:  cfg.Log.With("component", "delivery"),
		wake: make(chan struct{}, 1),
		busy: map[string]bool{},
	}
}

// callingAE returns the calling AE title of delivery associations.
func (w *Worker) callingAE() string {
	if w.cfg.Results.CallingAE != "" {
		return w.cfg.Results.CallingAE
	}
	if w.cfg.NodeAE != "" {
		return w.cfg.NodeAE
	}
	return config.DefaultAETitle
}

// Destinations returns the AE titles a result of a study sent by senderAE
// goes to: results.default_destinations, plus senderAE when send_to_sender
// is set and senderAE is in results.destinations.
func (w *Worker) Destinations(senderAE string) []string {
	out := append([]string(nil), w.cfg.Results.DefaultDestinations...)
	if w.cfg.Results.SendToSender && senderAE != "" {
		if _, ok := w.cfg.Results.Destination(senderAE); ok && !contains(out, senderAE) {
			out = append(out, senderAE)
		}
	}
	return out
}

// Enqueue queues the stored instance sopInstanceUID for each destination
// and wakes the worker. Every destination must be in results.destinations
// (ErrUnknownDestination otherwise, and nothing is queued); the instance
// must be stored (an error wrapping store.ErrNotFound otherwise).
func (w *Worker) Enqueue(sopInstanceUID string, destinations []string) ([]store.Delivery, error) {
	for _, ae := range destinations {
		if _, ok := w.cfg.Results.Destination(ae); !ok {
			return nil, fmt.Errorf("%w: %q is not in results.destinations", ErrUnknownDestination, ae)
		}
	}
	ds, err := w.st.EnqueueDeliveries(sopInstanceUID, destinations, w.cfg.Now())
	if err != nil {
		return nil, err
	}
	w.changed.Store(true)
	for _, d := range ds {
		w.log.Info("delivery queued", "delivery", d.ID, "destination", d.Destination, "sop_instance_uid", d.SOPInstanceUID)
	}
	w.Wake()
	return ds, nil
}

// Wake makes the worker look at the queue now, for example after a resend.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends, then waits for the associations
// in progress, which their timeouts bound, and returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	done := make(chan struct{}, 1)
	w.log.Info("delivery worker started", "destinations", len(w.cfg.Results.Destinations))
	defer w.log.Info("delivery worker stopped")
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	w.changed.Store(true)
	defer w.writeSnapshot()
	var next time.Time // earliest next attempt; zero when none is waiting
	rescan := true
	for {
		// 1. Requeue what `mdm2node resend` requested, and dispatch what is
		// due. The queue is read again only when something changed or the
		// next attempt time came.
		if w.takeResendRequests() > 0 {
			rescan = true
		}
		if rescan || (!next.IsZero() && !w.cfg.Now().Before(next)) {
			var err error
			next, err = w.dispatch(ctx, &wg, done)
			if err != nil {
				w.log.Error("reading the delivery queue", "err", err)
				next = w.cfg.Now().Add(w.cfg.Results.Retry.InitialBackoff)
			}
			rescan = false
		}
		w.writeSnapshot()

		// 2. Sleep until the next attempt, a wake-up, a finished batch, the
		// next look at the resend requests, or the end.
		wait := resendPollInterval
		if !next.IsZero() {
			wait = min(max(next.Sub(w.cfg.Now()), time.Millisecond), resendPollInterval)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			wg.Wait()
			w.changed.Store(true)
			return ctx.Err()
		case <-w.wake:
			rescan = true
		case <-done:
			rescan = true
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// takeResendRequests requeues the deliveries named by resend requests in
// the data folder, removes the requests and returns how many it requeued.
// A request for a delivery that is pending or unknown is removed with a
// warning.
func (w *Worker) takeResendRequests() int {
	ids, err := store.ResendRequests(w.st.Dir())
	if err != nil {
		w.log.Warn("reading resend requests", "err", err)
		return 0
	}
	n := 0
	for _, id := range ids {
		d, err := w.st.ResendDelivery(id, w.cfg.Now())
		if err != nil {
			w.log.Warn("resend request not performed", "delivery", id, "err", err)
		} else {
			n++
			w.changed.Store(true)
			w.log.Info("delivery queued again", "delivery", id, "destination", d.Destination, "sop_instance_uid", d.SOPInstanceUID)
		}
		if err := store.RemoveResendRequest(w.st.Dir(), id); err != nil {
			w.log.Warn("removing a resend request", "delivery", id, "err", err)
		}
	}
	return n
}

// writeSnapshot rewrites the store's delivery snapshot when the queue
// changed since the last one.
func (w *Worker) writeSnapshot() {
	if !w.changed.Swap(false) {
		return
	}
	if err := w.st.WriteDeliveriesSnapshot(); err != nil {
		w.log.Warn("writing the delivery snapshot", "err", err)
	}
}

// dispatch starts one goroutine per idle destination with due deliveries
// and returns the earliest next attempt among the deliveries left waiting
// (zero when none).
func (w *Worker) dispatch(ctx context.Context, wg *sync.WaitGroup, done chan<- struct{}) (time.Time, error) {
	pending, err := w.st.PendingDeliveries()
	if err != nil {
		return time.Time{}, err
	}
	now := w.cfg.Now()
	due := map[string][]store.Delivery{}
	var next time.Time
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range pending {
		if w.busy[d.Destination] {
			continue
		}
		if d.NextAttempt.After(now) {
			if next.IsZero() || d.NextAttempt.Before(next) {
				next = d.NextAttempt
			}
			continue
		}
		if len(due[d.Destination]) < maxBatch {
			due[d.Destination] = append(due[d.Destination], d)
		} else if next.IsZero() || now.Before(next) {
			next = now
		}
	}
	for ae, batch := range due {
		w.busy[ae] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.deliver(ctx, ae, batch)
			w.mu.Lock()
			delete(w.busy, ae)
			w.mu.Unlock()
			select {
			case done <- struct{}{}:
			default:
			}
		}()
	}
	return next, nil
}

// deliver sends a batch of deliveries to one destination on one
// association and records each outcome.
func (w *Worker) deliver(ctx context.Context, ae string, batch []store.Delivery) {
	// 1. Deliveries that can never succeed fail at once: an unknown
	// destination or a missing file.
	peer, known := w.cfg.Results.Destination(ae)
	var send []store.Delivery
	var instances []Instance
	for _, d := range batch {
		path := filepath.Join(w.st.Dir(), d.Path)
		switch _, err := os.Stat(path); {
		case !known:
			w.giveUp(d, fmt.Errorf("%w: %q is no longer in results.destinations", ErrUnknownDestination, ae))
			continue
		case err != nil:
			w.giveUp(d, fmt.Errorf("results: stored file of the instance: %w", err))
			continue
		}
		send = append(send, d)
		instances = append(instances, Instance{
			Path:              path,
			DataSetOffset:     d.DataSetOffset,
			SOPClassUID:       d.SOPClassUID,
			SOPInstanceUID:    d.SOPInstanceUID,
			TransferSyntaxUID: d.TransferSyntaxUID,
		})
	}
	if len(send) == 0 {
		return
	}

	// 2. One association for the rest.
	started := w.cfg.Now()
	results, _ := Send(ctx, peer.Address(), SendConfig{
		CallingAE:      w.callingAE(),
		CalledAE:       ae,
		ConnectTimeout: w.cfg.Results.Timeouts.Connect,
		DIMSETimeout:   w.cfg.Results.Timeouts.DIMSE,
		Log:            w.log,
	}, instances)

	// 3. The outcome of each delivery.
	for i, d := range send {
		w.record(d, peer, results[i], started)
	}
}

// record stores the outcome of one attempt and writes it to the audit log.
func (w *Worker) record(d store.Delivery, peer config.Peer, r Result, started time.Time) {
	now := w.cfg.Now()
	var (
		outcome = audit.Success
		next    time.Time
		retry   bool
	)
	if !r.Stored() {
		next, retry = NextAttempt(w.cfg.Results.Retry, d.Queued, now, d.Attempts+1)
		outcome = audit.MinorFailure
		if !retry {
			outcome = audit.SeriousFailure
		}
	}
	updated, err := w.st.UpdateDelivery(d.ID, func(u *store.Delivery) error {
		u.Attempts++
		u.LastAttempt = now
		u.LastStatus = ""
		if r.Responded {
			u.LastStatus = fmt.Sprintf("%04X", r.Status)
		}
		switch {
		case r.Stored():
			u.State = store.DeliveryDelivered
			u.Delivered = now
			u.LastError = ""
		case retry:
			u.NextAttempt = next
			u.LastError = r.Err.Error()
		default:
			u.State = store.DeliveryFailed
			u.LastError = fmt.Sprintf("gave up after %d attempts over %v: %v", u.Attempts, now.Sub(u.Queued).Round(time.Millisecond), r.Err)
		}
		return nil
	})
	w.changed.Store(true)
	if err != nil {
		w.log.Error("recording a delivery attempt", "delivery", d.ID, "err", err)
		return
	}

	attrs := []any{"delivery", d.ID, "destination", d.Destination, "sop_instance_uid", d.SOPInstanceUID, "attempt", updated.Attempts}
	switch updated.State {
	case store.DeliveryDelivered:
		w.log.Info("delivered", append(attrs, "status", updated.LastStatus, "duration", now.Sub(started))...)
	case store.DeliveryPending:
		w.log.Warn("delivery failed, will retry", append(attrs, "next_attempt", updated.NextAttempt, "err", r.Err)...)
	default:
		w.log.Error("delivery given up", append(attrs, "err", updated.LastError)...)
	}
	w.audit(updated, peer, outcome)
}

// giveUp marks a delivery failed without an attempt.
func (w *Worker) giveUp(d store.Delivery, cause error) {
	updated, err := w.st.UpdateDelivery(d.ID, func(u *store.Delivery) error {
		u.State = store.DeliveryFailed
		u.LastAttempt = w.cfg.Now()
		u.LastError = cause.Error()
		return nil
	})
	w.changed.Store(true)
	if err != nil {
		w.log.Error("recording a failed delivery", "delivery", d.ID, "err", err)
		return
	}
	w.log.Error("delivery given up", "delivery", d.ID, "destination", d.Destination, "err", cause)
	peer, _ := w.cfg.Results.Destination(d.Destination)
	w.audit(updated, peer, audit.SeriousFailure)
}

// audit writes one DICOMInstancesTransferred event for an attempt.
func (w *Worker) audit(d store.Delivery, peer config.Peer, outcome audit.Outcome) {
	if w.cfg.Audit == nil {
		return
	}
	detail := fmt.Sprintf("delivery %d attempt %d: %s", d.ID, d.Attempts, d.State)
	if d.LastError != "" {
		detail += ": " + d.LastError
	}
	if d.State == store.DeliveryPending {
		detail += "; next attempt " + d.NextAttempt.UTC().Format(time.RFC3339Nano)
	}
	e := audit.Event{
		Type:             audit.DICOMInstancesTransferred,
		Outcome:          outcome,
		CallingAE:        w.callingAE(),
		CalledAE:         d.Destination,
		SOPClassUID:      d.SOPClassUID,
		SOPInstanceUID:   d.SOPInstanceUID,
		StudyInstanceUID: d.StudyInstanceUID,
		Status:           d.LastStatus,
		Detail:           detail,
	}
	if peer.Host != "" {
		e.PeerAddr = peer.Address()
	}
	if err := w.cfg.Audit.Write(e); err != nil && !errors.Is(err, audit.ErrClosed) {
		w.log.Error("writing the audit log", "err", err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
