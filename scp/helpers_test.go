package scp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fileHandler is a StoreHandler for tests: each data set goes to a file in
// dir named after a counter (never after a UID from the wire), renamed into
// place on Commit.
type fileHandler struct {
	dir string

	mu        sync.Mutex
	n         int
	requests  []StoreRequest
	committed map[string][]byte // SOP Instance UID -> data set bytes
	aborted   int
	// refuse, when set, is returned by BeginStore.
	refuse error
}

func newFileHandler(t *testing.T) *fileHandler {
	return &fileHandler{dir: t.TempDir(), committed: map[string][]byte{}}
}

func (h *fileHandler) BeginStore(req *StoreRequest) (StoreSink, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, *req)
	if h.refuse != nil {
		return nil, h.refuse
	}
	h.n++
	f, err := os.Create(filepath.Join(h.dir, fmt.Sprintf("%d.part", h.n)))
	if err != nil {
		return nil, err
	}
	return &fileSink{h: h, f: f, uid: req.SOPInstanceUID}, nil
}

func (h *fileHandler) snapshot() (committed map[string][]byte, aborted int, requests []StoreRequest) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := map[string][]byte{}
	for k, v := range h.committed {
		c[k] = v
	}
	return c, h.aborted, append([]StoreRequest(nil), h.requests...)
}

type fileSink struct {
	h   *fileHandler
	f   *os.File
	uid string
}

func (s *fileSink) Write(p []byte) (int, error) { return s.f.Write(p) }

func (s *fileSink) Commit() (uint16, error) {
	name := s.f.Name()
	if err := s.f.Close(); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	final := name[:len(name)-len(".part")] + ".dcm"
	if err := os.Rename(name, final); err != nil {
		return 0, err
	}
	s.h.mu.Lock()
	s.h.committed[s.uid] = b
	s.h.mu.Unlock()
	return StatusSuccess, nil
}

func (s *fileSink) Abort() {
	s.f.Close()
	os.Remove(s.f.Name())
	s.h.mu.Lock()
	s.h.aborted++
	s.h.mu.Unlock()
}

// recorder is an Observer that keeps what it was told.
type recorder struct {
	mu       sync.Mutex
	accepted []AssociationInfo
	rejected [][3]byte
	released []AssociationStats
	aborted  []error
	alerts   []string
}

func (r *recorder) AssociationAccepted(a AssociationInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted = append(r.accepted, a)
}
func (r *recorder) AssociationRejected(a AssociationInfo, result, source, reason byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected = append(r.rejected, [3]byte{result, source, reason})
}
func (r *recorder) AssociationReleased(a AssociationInfo, s AssociationStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.released = append(r.released, s)
}
func (r *recorder) AssociationAborted(a AssociationInfo, s AssociationStats, cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.aborted = append(r.aborted, cause)
}
func (r *recorder) SecurityAlert(peer, calling, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, detail)
}

func (r *recorder) counts() (acc, rej, rel, ab, alerts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.accepted), len(r.rejected), len(r.released), len(r.aborted), len(r.alerts)
}

// testServer is a Server listening on 127.0.0.1.
type testServer struct {
	*Server
	addr string
	port int
	h    *fileHandler
	obs  *recorder
	done chan error
}

func testConfig() Config {
	return Config{
		AETitle:      "MDM2NODE",
		ARTIMTimeout: 2 * time.Second,
		ACSETimeout:  5 * time.Second,
		DIMSETimeout: 10 * time.Second,
		IdleTimeout:  10 * time.Second,
	}
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	h := newFileHandler(t)
	obs := &recorder{}
	var logOut bytes.Buffer
	_ = logOut
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := NewServer(cfg, h, obs, log)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: s, addr: l.Addr().String(), port: l.Addr().(*net.TCPAddr).Port, h: h, obs: obs, done: make(chan error, 1)}
	go func() { ts.done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("serve returned %v", err)
		}
	})
	return ts
}

// testWriter sends the server log to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
