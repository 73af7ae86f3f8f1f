package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/pipeline"
)

func TestStudyStateValuesAndNames(t *testing.T) {
	want := map[StudyState]string{1: "receiving", 2: "waiting-for-series", 3: "waiting-for-regions", 4: "ready",
		5: "processing", 6: "reported", 7: "failed", 8: "incomplete"}
	for v, name := range want {
		if v.String() != name {
			t.Errorf("%d is %q, want %q", v, v.String(), name)
		}
		b, _ := json.Marshal(v)
		var back StudyState
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Errorf("%s: JSON round trip %s -> %v, %v", name, b, back, err)
		}
	}
}

func TestTransitions(t *testing.T) {
	st := &StudyStatus{StudyInstanceUID: "1.2", Version: 1}
	now := time.Unix(0, 0)
	steps := []StudyState{StateReceiving, StateWaitingForSeries, StateReceiving, StateReady, StateProcessing, StateReported, StateReceiving}
	for _, s := range steps {
		if err := changeState(st, s, "step", now); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.History) != len(steps) {
		t.Fatalf("history %d entries", len(st.History))
	}
	for _, bad := range []StudyState{StateProcessing, StateReported, StateFailed} {
		if err := changeState(st, bad, "", now); !errors.Is(err, ErrStateTransition) {
			t.Errorf("receiving -> %v: %v", bad, err)
		}
	}
	if err := changeState(st, StateReceiving, "new reason", now); err != nil || st.Reason != "new reason" || len(st.History) != len(steps) {
		t.Errorf("same state: %v, %q, %d", err, st.Reason, len(st.History))
	}
}

func TestQueueOrderAndStates(t *testing.T) {
	s, _ := openTestStore(t, Options{})
	now := time.Now()
	q, err := NewJobQueue(s.Index, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"1.2.2", "1.2.1"} {
		ev := Evaluation{State: StateReady, Reason: "ready", Job: &pipeline.Job{CallingAE: "X"}}
		if _, changed, err := s.ApplyEvaluation(uid, ev, now); err != nil || !changed {
			t.Fatal(changed, err)
		}
	}
	ctx := context.Background()
	first, err := q.Next(ctx)
	if err != nil || first.StudyUID != "1.2.2" || first.Version != 1 {
		t.Fatalf("first job %+v, %v", first, err)
	}
	if st, _ := s.StudyStatus("1.2.2"); st.State != StateProcessing {
		t.Fatalf("state %v", st.State)
	}
	// An evaluation cannot touch a study being processed.
	if _, changed, _ := s.ApplyEvaluation("1.2.2", Evaluation{State: StateReceiving}, now); changed {
		t.Fatal("evaluation changed a processing study")
	}
	if err := q.Fail(first.ID, "boom"); err != nil {
		t.Fatal(err)
	}
	if err := q.Fail(first.ID, "again"); !errors.Is(err, ErrJobState) {
		t.Fatalf("second Fail: %v", err)
	}
	second, err := q.Next(ctx)
	if err != nil || second.StudyUID != "1.2.1" {
		t.Fatalf("second job %+v, %v", second, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := q.Next(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("empty queue: %v", err)
	}
	if pending, _ := s.PendingJobs(); len(pending) != 1 || pending[0].Status != JobTaken {
		t.Fatalf("pending %+v", pending)
	}
}
