package scp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// Errors that end an association, passed to Observer.AssociationAborted.
var (
	// ErrPeerAborted is the cause when the peer sent an A-ABORT.
	ErrPeerAborted = errors.New("scp: association aborted by the peer")
	// ErrConnectionLost is the cause when the transport closed without a
	// release or abort.
	ErrConnectionLost = errors.New("scp: connection closed without release")
	// ErrTimeout is the cause when the idle, DIMSE or ACSE timer expired.
	ErrTimeout = errors.New("scp: timeout")
	// ErrProtocol is the cause when the peer broke PS3.7 or PS3.8.
	ErrProtocol = errors.New("scp: protocol error")
	// ErrShuttingDown is the cause when the server aborted the association
	// to shut down.
	ErrShuttingDown = errors.New("scp: server shutting down")
)

// sendCap bounds the PDUs this side sends when the peer announced no
// maximum length (0 means unlimited in PS3.8 Annex D.1).
const sendCap = 1 << 20

// presContext is a negotiated presentation context.
type presContext struct {
	id             byte
	abstractSyntax string
	transferSyntax string
	accepted       bool
	// sendStore is set on the acceptor's contexts of the storage SOP
	// classes for which the requestor was granted the SCP role: the node
	// may send C-STORE-RQ on them (C-GET sub-operations).
	sendStore bool
}

// timeouts are the timers of an association; see Config.
type timeouts struct {
	artim, acse, dimse, idle time.Duration
}

// association is one association, either side. One goroutine owns it and
// its Machine; only requestAbort may be called from other goroutines.
type association struct {
	srv       *Server // nil on the requestor (SCU) side
	requestor bool
	conn      net.Conn
	br        *bufio.Reader // the buffer under r, peeked by pduArrived
	r         *pdu.Reader
	w         *pdu.Writer
	fsm       *Machine
	log       *slog.Logger
	t         timeouts
	info      AssociationInfo

	artimDeadline  time.Time
	abortRequested atomic.Bool
	desync         bool  // the byte stream lost PDU framing; only wait for close
	sendErr        error // first write failure
	closed         bool

	// Negotiated.
	contexts  map[byte]*presContext
	maxSend   uint32 // largest P-DATA-TF PDU-length the peer accepts
	accepted  bool
	ac        *pdu.AssociateAC
	rj        *pdu.AssociateRJ
	callingAE string
	sendBuf   []byte
	msg       message
	// pending are the PDVs of the last P-DATA-TF not processed yet, from
	// pendingNext on. They alias r's buffer, so they are processed before r
	// reads the next PDU (see processPDVs).
	pending     []pdu.PDV
	pendingNext int
	// active is the request whose Operation.Finish is running, nil
	// otherwise.
	active *activeOperation
	// lastPoll is when pduArrived last waited on the connection. nextMsgID
	// is the Message ID of the last request the acceptor sent.
	lastPoll   time.Time
	nextMsgID  uint16
	released   bool
	abortCause error
	stats      AssociationStats

	// Requestor side: the contexts proposed, and the response being
	// waited for.
	proposed    map[byte]ProposedContext
	awaitingRsp bool
	rsp         *received
}

// message holds the DIMSE message being reassembled from PDVs.
type message struct {
	cmdBuf     []byte
	cmdCtx     byte // context of the command fragments so far; 0 = none
	expectData bool
	dataCtx    byte
	op         Operation
	opFailed   bool
	// opField and opMessageID identify the request of op.
	opField     dimse.CommandField
	opMessageID uint16
}

func (m *message) inProgress() bool { return m.cmdCtx != 0 || m.expectData }

// received is a response received by the requestor.
type received struct {
	cmd *dimse.Command
}

func newAcceptorAssociation(s *Server, conn net.Conn) *association {
	a := &association{
		srv:  s,
		conn: conn,
		t: timeouts{
			artim: s.cfg.ARTIMTimeout, acse: s.cfg.ACSETimeout,
			dimse: s.cfg.DIMSETimeout, idle: s.cfg.IdleTimeout,
		},
		info: AssociationInfo{
			ID:       s.newAssociationID(),
			CalledAE: s.cfg.AETitle,
			PeerAddr: conn.RemoteAddr().String(),
			Started:  time.Now(),
		},
		contexts: map[byte]*presContext{},
	}
	a.br = bufio.NewReaderSize(conn, 64<<10)
	a.r = pdu.NewReader(a.br, s.cfg.MaxPDULength, MaxAssociatePDULength)
	a.w = pdu.NewWriter(conn)
	a.fsm = NewMachine(a, false)
	a.log = s.log.With("assoc", a.info.ID, "peer", a.info.PeerAddr)
	a.stats.StoredByStudy = map[string]int{}
	return a
}

// serve runs the acceptor side from the transport connection indication
// (Evt5) to Sta1, then reports the outcome.
func (a *association) serve() {
	defer a.conn.Close()
	a.handle(Evt5, Input{})
	for a.fsm.State() != Sta1 {
		a.step()
	}
	a.finish()
}

// finish aborts an unfinished operation and tells the observer how the
// association ended.
func (a *association) finish() {
	if a.msg.op != nil {
		a.msg.op.Abort()
		a.msg.op = nil
		a.stats.Failed++
	}
	if a.srv == nil || !a.accepted {
		return
	}
	if a.released {
		a.log.Info("association released", "stored", storedCount(a.stats), "failed", a.stats.Failed)
		a.srv.obs.AssociationReleased(a.info, a.stats)
		return
	}
	cause := a.abortCause
	if cause == nil {
		cause = ErrConnectionLost
	}
	a.log.Warn("association aborted", "cause", cause, "stored", storedCount(a.stats), "failed", a.stats.Failed)
	a.srv.obs.AssociationAborted(a.info, a.stats, cause)
}

func storedCount(s AssociationStats) int {
	n := 0
	for _, v := range s.StoredByStudy {
		n += v
	}
	return n
}

// requestAbort asks the owning goroutine to abort the association: it wakes
// a blocked read, and the next step issues an A-ABORT. Safe for concurrent use.
func (a *association) requestAbort() {
	a.abortRequested.Store(true)
	_ = a.conn.SetReadDeadline(time.Now())
}

// handle feeds an event to the machine. A missing transition here is a bug
// in the driver, logged and turned into a local abort where possible.
func (a *association) handle(e Event, in Input) {
	if err := a.fsm.Handle(e, in); err != nil {
		a.log.Error("state machine", "err", err)
		if e != Evt15 {
			_ = a.fsm.Handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceProvider})
		}
	}
}

// deadline returns the read deadline for the current state.
func (a *association) deadline() time.Time {
	if !a.artimDeadline.IsZero() {
		return a.artimDeadline
	}
	now := time.Now()
	switch a.fsm.State() {
	case Sta5, Sta7, Sta10, Sta11:
		return now.Add(a.t.acse)
	case Sta6:
		if a.msg.inProgress() || a.awaitingRsp || a.active != nil {
			return now.Add(a.t.dimse)
		}
		return now.Add(a.t.idle)
	}
	return time.Time{}
}

// step reads one PDU (or a timeout, or the end of the connection) and feeds
// the resulting event to the machine.
func (a *association) step() {
	if a.closed {
		// The transport is gone: the only event left is its closing.
		a.handle(Evt17, Input{Err: a.sendErr})
		return
	}
	_ = a.conn.SetReadDeadline(a.deadline())
	if a.abortRequested.Load() {
		a.timerExpired(ErrShuttingDown)
		return
	}
	if a.desync {
		a.drain()
		return
	}
	if a.pendingNext < len(a.pending) {
		// PDVs left by a P-DATA-TF whose processing ran an operation that
		// read further PDUs: process them before reading more.
		a.processPDVs()
		return
	}
	p, err := a.r.Next()
	if err != nil {
		a.readFailed(err)
		return
	}
	var e Event
	switch p.(type) {
	case *pdu.AssociateAC:
		e = Evt3
	case *pdu.AssociateRJ:
		e = Evt4
	case *pdu.AssociateRQ:
		e = Evt6
	case *pdu.PDataTF:
		e = Evt10
	case *pdu.ReleaseRQ:
		e = Evt12
	case *pdu.ReleaseRP:
		e = Evt13
	case *pdu.Abort:
		e = Evt16
	}
	in := Input{PDU: p, AbortSource: pdu.AbortSourceServiceProvider, AbortReason: pdu.AbortReasonUnexpectedPDU}
	if a.fsm.State() == Sta2 && e != Evt6 && e != Evt16 {
		a.securityAlert(fmt.Sprintf("%v before A-ASSOCIATE-RQ", p.Type()))
		a.setCause(fmt.Errorf("%w: %v before association", ErrProtocol, p.Type()))
	}
	if e == Evt16 {
		ab := p.(*pdu.Abort)
		a.setCause(fmt.Errorf("%w (source %d, reason %d)", ErrPeerAborted, ab.Source, ab.Reason))
	}
	a.handle(e, in)
}

// readFailed turns a read error into Evt17, Evt18 or Evt19.
func (a *association) readFailed(err error) {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		if a.abortRequested.Load() {
			a.timerExpired(ErrShuttingDown)
		} else {
			a.timerExpired(fmt.Errorf("%w in %v", ErrTimeout, a.fsm.State()))
		}
	case errors.Is(err, pdu.ErrUnknownType), errors.Is(err, pdu.ErrTooLong), errors.Is(err, pdu.ErrMalformed):
		reason := pdu.AbortReasonInvalidPDUParamValue
		if errors.Is(err, pdu.ErrUnknownType) {
			reason = pdu.AbortReasonUnrecognizedPDU
		}
		a.log.Warn("invalid PDU", "err", err)
		a.securityAlert(err.Error())
		a.setCause(fmt.Errorf("%w: %w", ErrProtocol, err))
		// The rest of the stream cannot be trusted to be framed.
		a.desync = true
		a.handle(Evt19, Input{Err: err, AbortSource: pdu.AbortSourceServiceProvider, AbortReason: reason})
	default:
		if errors.Is(err, io.ErrUnexpectedEOF) {
			a.securityAlert("connection closed inside a PDU")
		}
		a.setCause(fmt.Errorf("%w: %w", ErrConnectionLost, err))
		a.closed = true
		a.handle(Evt17, Input{Err: err})
	}
}

// timerExpired handles an expired read deadline: the ARTIM timer (Evt18) in
// Sta2 and Sta13, else a local A-ABORT request (Evt15) for the idle, DIMSE
// or ACSE timeout or a shutdown.
func (a *association) timerExpired(cause error) {
	st := a.fsm.State()
	if st == Sta2 || st == Sta13 {
		if a.fsm.State() == Sta2 {
			a.setCause(cause)
		}
		a.handle(Evt18, Input{})
		return
	}
	a.setCause(cause)
	a.log.Warn("aborting association", "cause", cause)
	a.handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser})
}

// drain discards bytes after framing was lost, until the peer closes the
// connection (Evt17) or the ARTIM timer expires (Evt18).
func (a *association) drain() {
	var buf [4096]byte
	for {
		_, err := a.conn.Read(buf[:])
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			a.handle(Evt18, Input{})
		} else {
			a.closed = true
			a.handle(Evt17, Input{Err: err})
		}
		return
	}
}

func (a *association) setCause(err error) {
	if a.abortCause == nil {
		a.abortCause = err
	}
}

func (a *association) securityAlert(detail string) {
	if a.srv != nil {
		a.srv.obs.SecurityAlert(a.info.PeerAddr, a.callingAE, detail)
	}
}

// Connect implements Host. The requestor dials before driving the machine,
// so AE-1 has nothing left to do.
func (a *association) Connect() {}

// Send implements Host: one PDU, one Write call.
func (a *association) Send(p pdu.PDU) {
	if a.closed || a.sendErr != nil {
		return
	}
	_ = a.conn.SetWriteDeadline(time.Now().Add(a.t.dimse))
	if err := a.w.Write(p); err != nil {
		a.sendErr = err
		a.log.Warn("write failed", "pdu", p.Type(), "err", err)
		a.setCause(fmt.Errorf("%w: %w", ErrConnectionLost, err))
		a.conn.Close()
		a.closed = true
		return
	}
	if rj, ok := p.(*pdu.AssociateRJ); ok && a.srv != nil {
		a.srv.obs.AssociationRejected(a.info, rj.Result, rj.Source, rj.Reason)
	}
}

// StartARTIM implements Host.
func (a *association) StartARTIM() { a.artimDeadline = time.Now().Add(a.t.artim) }

// StopARTIM implements Host.
func (a *association) StopARTIM() { a.artimDeadline = time.Time{} }

// CloseTransport implements Host.
func (a *association) CloseTransport() {
	a.conn.Close()
	a.closed = true
}

// Acceptable implements Host: the service provider's part of AE-6.
func (a *association) Acceptable(rq *pdu.AssociateRQ) *pdu.AssociateRJ {
	if rq.ProtocolVersion&pdu.ProtocolVersion == 0 {
		return &pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceProviderACSE, Reason: pdu.RejectReasonProtocolVersionNotSupported}
	}
	if a.srv != nil && a.srv.ActiveAssociations() > a.srv.cfg.MaxAssociations {
		a.log.Warn("association limit reached", "limit", a.srv.cfg.MaxAssociations)
		return &pdu.AssociateRJ{Result: pdu.RejectTransient, Source: pdu.RejectSourceServiceProviderPresentation, Reason: pdu.RejectReasonLocalLimitExceeded}
	}
	return nil
}

// Indicate implements Host: the service user's side of the primitives.
func (a *association) Indicate(ind Indication, in Input) {
	switch ind {
	case IndAssociate:
		a.onAssociateRQ(in.PDU.(*pdu.AssociateRQ))
	case IndAssociateAccept:
		a.onAssociateAC(in.PDU.(*pdu.AssociateAC))
	case IndAssociateReject:
		a.rj, _ = in.PDU.(*pdu.AssociateRJ)
	case IndPData:
		a.onPData(in.PDU.(*pdu.PDataTF))
	case IndRelease:
		if a.msg.inProgress() || a.awaitingRsp || a.active != nil {
			// PS3.7 forbids releasing with an operation outstanding; a data
			// set being received is incomplete, so nothing of it is kept.
			a.securityAlert("A-RELEASE-RQ with a DIMSE operation outstanding")
			a.setCause(fmt.Errorf("%w: A-RELEASE-RQ with a DIMSE operation outstanding", ErrProtocol))
			a.handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser})
			return
		}
		a.released = true
		a.handle(Evt14, Input{})
	case IndReleaseCollision:
		if a.fsm.State() == Sta9 {
			a.handle(Evt14, Input{})
		}
	case IndReleaseConfirm:
		a.released = true
		if a.fsm.State() == Sta12 {
			a.handle(Evt14, Input{})
		}
	case IndAbort:
		a.setCause(ErrPeerAborted)
	case IndPAbort:
		if in.Err != nil {
			a.setCause(in.Err)
		} else {
			a.setCause(fmt.Errorf("%w: unexpected PDU", ErrProtocol))
		}
	}
}

// maxFragment returns the largest PDV value this side may send in one
// P-DATA-TF PDU.
func (a *association) maxFragment() int {
	n := a.maxSend
	if n == 0 || n > sendCap {
		n = sendCap
	}
	if n < pdu.PDVHeaderLength+1 {
		n = pdu.PDVHeaderLength + 1
	}
	return int(n) - pdu.PDVHeaderLength
}

// sendPData sends one PDV as one P-DATA-TF PDU (Evt9).
func (a *association) sendPData(ctx byte, control byte, data []byte) error {
	st := a.fsm.State()
	if st != Sta6 && st != Sta8 {
		return fmt.Errorf("%w: cannot send P-DATA in %v", ErrNoTransition, st)
	}
	a.handle(Evt9, Input{PDU: &pdu.PDataTF{PDVs: []pdu.PDV{{ContextID: ctx, Control: control, Data: data}}}})
	if a.sendErr != nil {
		return a.sendErr
	}
	return nil
}

// sendMessage sends a DIMSE message: the command set and, when data is not
// nil, the data set read from data until EOF, fragmented to the peer's
// maximum length.
func (a *association) sendMessage(ctx byte, cmd *dimse.Command, data io.Reader) error {
	// 1. The command set, in as many fragments as the peer's limit needs.
	b := cmd.Encode()
	max := a.maxFragment()
	for len(b) > 0 {
		n := min(len(b), max)
		ctl := pdu.FlagCommand
		if n == len(b) {
			ctl |= pdu.FlagLast
		}
		if err := a.sendPData(ctx, ctl, b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	if data == nil {
		return nil
	}

	// 2. The data set. A fragment is the last one when the reader has
	// nothing after it, which a one-byte peek tells.
	if cap(a.sendBuf) < max {
		a.sendBuf = make([]byte, max)
	}
	buf := a.sendBuf[:max]
	br := bufio.NewReaderSize(data, 64<<10)
	sentAny := false
	for {
		n, err := io.ReadFull(br, buf)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return fmt.Errorf("scp: reading data set: %w", err)
		}
		last := err != nil
		if !last {
			if _, perr := br.Peek(1); perr == io.EOF {
				last = true
			} else if perr != nil {
				return fmt.Errorf("scp: reading data set: %w", perr)
			}
		}
		if n == 0 && sentAny && last {
			// Cannot happen: the previous fragment would have been last.
			return nil
		}
		ctl := byte(0)
		if last {
			ctl = pdu.FlagLast
		}
		if err := a.sendPData(ctx, ctl, buf[:n]); err != nil {
			return err
		}
		sentAny = true
		if last {
			return nil
		}
	}
}
