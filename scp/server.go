package scp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("scp: server closed")

// Server accepts associations and serves C-ECHO and C-STORE as SCP, and the
// services registered with Handle.
//
// One goroutine owns each association: it reads the PDUs, drives the
// association's state machine and calls the StoreHandler and the Observer.
type Server struct {
	cfg      Config
	store    StoreHandler
	obs      Observer
	log      *slog.Logger
	services map[dimse.CommandField]Service

	idPrefix string
	nextID   atomic.Uint64
	active   atomic.Int64 // associations (connections) being served

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	assocs    map[*association]struct{}
	closing   bool
	wg        sync.WaitGroup
}

// NewServer returns a server for cfg that hands the data sets of C-STORE
// requests to store and reports association events to obs (which may be
// nil). log may be nil, which discards the log.
func NewServer(cfg Config, store StoreHandler, obs Observer, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: no StoreHandler", ErrConfig)
	}
	if obs == nil {
		obs = nopObserver{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &Server{
		cfg:       cfg,
		store:     store,
		obs:       obs,
		log:       log,
		idPrefix:  hex.EncodeToString(b[:]),
		listeners: map[net.Listener]struct{}{},
		assocs:    map[*association]struct{}{},
	}
	s.services = map[dimse.CommandField]Service{
		dimse.CEchoRQ:  echoService{},
		dimse.CStoreRQ: &storeService{handler: store},
	}
	return s, nil
}

// Handle registers svc for the requests with command field f, replacing the
// service registered before (C-ECHO and C-STORE are registered by
// NewServer). It must be called before Serve.
//
// Registering C-FIND-RQ, C-MOVE-RQ or C-GET-RQ adds the Patient Root and
// Study Root SOP classes of that service to Config.AcceptedSOPClasses, which
// never accepts a Query/Retrieve SOP class without a service. Registering
// C-GET-RQ also makes the server grant the SCP role that a requestor proposes
// for a storage SOP class (PS3.7 D.3.3.4), so that the service can send
// C-STORE sub-operations on the association; see SubStorer.
func (s *Server) Handle(f dimse.CommandField, svc Service) {
	s.services[f] = svc
	for _, uid := range QueryRetrieveSOPClasses {
		if field, _ := queryRetrieveField(uid); field == f && !contains(s.cfg.AcceptedSOPClasses, uid) {
			s.cfg.AcceptedSOPClasses = append(s.cfg.AcceptedSOPClasses, uid)
		}
	}
}

// Config returns the server's configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Serve accepts connections on l and serves each in its own goroutine
// until l fails or the server is shut down; it then returns
// ErrServerClosed after Shutdown or Close, and the Accept error otherwise.
// Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()

	var delay time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Back off on transient accept errors, as net/http does.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if s.active.Load() >= int64(s.connectionCap()) {
			// Past the associations the server answers with a transient
			// A-ASSOCIATE-RJ, connections are closed unread, so that a flood
			// of connections cannot make it hold a goroutine and a request
			// buffer each.
			s.log.Warn("connection refused: too many open connections", "peer", conn.RemoteAddr().String(), "limit", s.connectionCap())
			s.obs.SecurityAlert(conn.RemoteAddr().String(), "", "connection refused: too many open connections")
			conn.Close()
			continue
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			// Nagle's algorithm delays the small C-STORE-RSP PDUs by up to
			// 40 ms (with the peer's delayed ACK); each PDU is written in
			// one call, so it gains nothing.
			_ = tc.SetNoDelay(true)
		}
		a := newAcceptorAssociation(s, conn)
		if !s.track(a) {
			conn.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.untrack(a)
			a.serve()
		}()
	}
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("scp: %w", err)
	}
	return s.Serve(l)
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) track(a *association) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.assocs[a] = struct{}{}
	s.active.Add(1)
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(a *association) {
	s.mu.Lock()
	delete(s.assocs, a)
	s.mu.Unlock()
	s.active.Add(-1)
	s.wg.Done()
}

// connectionCap is the number of open connections past which new ones are
// closed at once: the association limit, plus as many again (and 16) for
// connections that are being rejected with local-limit-exceeded or are
// closing.
func (s *Server) connectionCap() int { return 2*s.cfg.MaxAssociations + 16 }

// ActiveAssociations returns the number of connections being served.
func (s *Server) ActiveAssociations() int { return int(s.active.Load()) }

// Shutdown stops accepting connections and waits for the open associations
// to end by themselves (released by their peers, or timed out). When ctx is
// done first, it aborts the remaining associations (A-ABORT), waits for
// their goroutines, and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopListening()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.abortAll()
	<-done
	return ctx.Err()
}

// Close stops accepting connections, aborts every open association
// (A-ABORT) and waits for their goroutines to end. A goroutine blocked in
// the StoreHandler finishes that call first.
func (s *Server) Close() error {
	s.stopListening()
	s.abortAll()
	s.wg.Wait()
	return nil
}

func (s *Server) stopListening() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
}

func (s *Server) abortAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for a := range s.assocs {
		a.requestAbort()
	}
}

// newAssociationID returns an identifier unique within this process.
func (s *Server) newAssociationID() string {
	return fmt.Sprintf("%s-%d", s.idPrefix, s.nextID.Add(1))
}

// nopObserver is the Observer used when none is given.
type nopObserver struct{}

func (nopObserver) AssociationAccepted(AssociationInfo)                         {}
func (nopObserver) AssociationRejected(AssociationInfo, byte, byte, byte)       {}
func (nopObserver) AssociationReleased(AssociationInfo, AssociationStats)       {}
func (nopObserver) AssociationAborted(AssociationInfo, AssociationStats, error) {}
func (nopObserver) SecurityAlert(string, string, string)                        {}
