package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/scp"
)

func readAll(t *testing.T, path string) []Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Event
	err = Scan(f, func(e Event) { out = append(out, e) }, func(line string, err error) {
		t.Errorf("bad line %q: %v", line, err)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConcurrentWritesKeepLinesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 300
	detail := strings.Repeat("x", 5000) // longer than a pipe buffer's atomic size
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := l.Write(Event{Type: SecurityAlert, Association: string(rune('a' + w)), Stored: i, Detail: detail}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(Event{Type: SecurityAlert}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	events := readAll(t, path)
	if len(events) != writers*each {
		t.Fatalf("%d events, want %d", len(events), writers*each)
	}
	for _, e := range events {
		if e.Detail != detail || e.Time.IsZero() {
			t.Fatalf("damaged event %+v", e)
		}
	}
}

// counter is a fixed AssociationCounter.
type counter map[string]map[string]int

func (c counter) TakeAssociationCounts(id string) map[string]int { return c[id] }

func TestRecorderEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(l, counter{"a1": {"1.2.3": 2, "1.2.4": 1}}, nil)
	a := scp.AssociationInfo{ID: "a1", CallingAE: "SCU", CalledAE: "MDM2NODE", PeerAddr: "127.0.0.1:4000", Started: time.Now()}

	r.ApplicationStarted("MDM2NODE", "127.0.0.1:11112")
	r.AssociationAccepted(a)
	r.AssociationRejected(scp.AssociationInfo{ID: "a2", CallingAE: "EVIL"}, 1, 1, 3)
	r.AssociationRejected(scp.AssociationInfo{ID: "a3"}, 2, 3, 2)
	r.AssociationReleased(a, scp.AssociationStats{StoredByStudy: map[string]int{"": 3}})
	r.AssociationAborted(scp.AssociationInfo{ID: "a4"}, scp.AssociationStats{}, errors.New("peer aborted"))
	r.DuplicateInstance(&scp.StoreRequest{AssociationID: "a1", SOPInstanceUID: "1.2.3.4"}, "1.2.3", true)
	r.StoreRejected(&scp.StoreRequest{AssociationID: "a1"}, 0xA900, errors.New("mismatch"))
	r.ApplicationStopped("MDM2NODE", "signal", Success)
	l.Close()

	var types []string
	var transferred Event
	for _, e := range readAll(t, path) {
		types = append(types, string(e.Type))
		if e.Type == DICOMInstancesTransferred {
			transferred = e
		}
		if line := Format(e); !strings.Contains(line, string(e.Type)) {
			t.Errorf("Format lacks the type: %s", line)
		}
	}
	want := "ApplicationActivity AssociationAccepted AssociationRejected AssociationRejected " +
		"DICOMInstancesTransferred AssociationReleased AssociationAborted DuplicateInstance SecurityAlert ApplicationActivity"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if transferred.Stored != 3 || len(transferred.Studies) != 2 || transferred.Studies[0] != (StudyCount{"1.2.3", 2}) {
		t.Errorf("DICOMInstancesTransferred %+v", transferred)
	}
}

func TestFollowSeesAppendedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Write(Event{Type: AssociationAccepted, Association: "old"})
	st, _ := os.Stat(path)

	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan Event, 4)
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, path, st.Size(), func(e Event) { got <- e }) }()
	l.Write(Event{Type: AssociationReleased, Association: "new"})
	if e := <-got; e.Association != "new" {
		t.Errorf("followed %+v, want the new event", e)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestScanSkipsBadLines(t *testing.T) {
	in := bytes.NewBufferString("{\"type\":\"SecurityAlert\"}\nnot json\n\n{\"type\":\"AssociationAccepted\"}\n")
	var n, bad int
	Scan(in, func(Event) { n++ }, func(string, error) { bad++ })
	if n != 2 || bad != 1 {
		t.Errorf("events %d, bad lines %d", n, bad)
	}
}
