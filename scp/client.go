package scp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// ClientConfig configures an association requested by this node (SCU).
// Zero values take the server defaults.
type ClientConfig struct {
	// CallingAE is this node's AE title; CalledAE the peer's.
	CallingAE string
	CalledAE  string
	// MaxPDULength is the Maximum Length announced: the largest P-DATA-TF
	// the peer may send us. Default DefaultMaxPDULength.
	MaxPDULength uint32
	// Timeouts; see Config. ACSETimeout also bounds the TCP connect.
	ARTIMTimeout, ACSETimeout, DIMSETimeout time.Duration
	// Log may be nil.
	Log *slog.Logger
}

// ProposedContext is a presentation context to propose: one abstract
// syntax and the transfer syntaxes the SCU can send, in preference order.
type ProposedContext struct {
	AbstractSyntax   string
	TransferSyntaxes []string
}

// RejectError is returned by Dial when the peer rejects the association.
type RejectError struct {
	Result, Source, Reason byte
}

func (e *RejectError) Error() string {
	result := "permanent"
	if e.Result == 2 {
		result = "transient"
	}
	return fmt.Sprintf("scp: association rejected, %s: %s (result %d, source %d, reason %d)",
		result, rejectReasonText(e.Source, e.Reason), e.Result, e.Source, e.Reason)
}

// rejectReasonText names an A-ASSOCIATE-RJ reason of PS3.8 Table 9-21,
// whose meaning depends on the source.
func rejectReasonText(source, reason byte) string {
	switch {
	case source == pdu.RejectSourceServiceUser && reason == pdu.RejectReasonNoReason:
		return "no reason given"
	case source == pdu.RejectSourceServiceUser && reason == pdu.RejectReasonAppContextNotSupported:
		return "application context name not supported"
	case source == pdu.RejectSourceServiceUser && reason == pdu.RejectReasonCallingAENotRecognized:
		return "calling AE title not recognized"
	case source == pdu.RejectSourceServiceUser && reason == pdu.RejectReasonCalledAENotRecognized:
		return "called AE title not recognized"
	case source == pdu.RejectSourceServiceProviderACSE && reason == pdu.RejectReasonProtocolVersionNotSupported:
		return "protocol version not supported"
	case source == pdu.RejectSourceServiceProviderPresentation && reason == pdu.RejectReasonTemporaryCongestion:
		return "temporary congestion"
	case source == pdu.RejectSourceServiceProviderPresentation && reason == pdu.RejectReasonLocalLimitExceeded:
		return "local limit exceeded"
	}
	return "unknown reason"
}

// ErrNoContext is returned by Client.Store and Client.Echo when no accepted
// presentation context fits the request.
var ErrNoContext = errors.New("scp: no accepted presentation context")

// ErrAssociationEnded is returned by Client methods after the association
// was aborted or released.
var ErrAssociationEnded = errors.New("scp: association ended")

// Client is an association requested by this node, on which it sends
// C-ECHO and C-STORE requests one at a time. It is not safe for concurrent
// use.
type Client struct {
	a     *association
	msgID uint16
}

// Dial connects to addr, requests an association proposing contexts (at
// most 128) and waits for the answer. A rejection returns a *RejectError.
func Dial(ctx context.Context, addr string, cfg ClientConfig, contexts []ProposedContext) (*Client, error) {
	if cfg.MaxPDULength == 0 {
		cfg.MaxPDULength = DefaultMaxPDULength
	}
	if cfg.ARTIMTimeout == 0 {
		cfg.ARTIMTimeout = DefaultARTIMTimeout
	}
	if cfg.ACSETimeout == 0 {
		cfg.ACSETimeout = DefaultACSETimeout
	}
	if cfg.DIMSETimeout == 0 {
		cfg.DIMSETimeout = DefaultDIMSETimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if len(contexts) == 0 || len(contexts) > 128 {
		return nil, fmt.Errorf("scp: %d presentation contexts proposed, want 1 to 128", len(contexts))
	}
	for _, ae := range []string{cfg.CallingAE, cfg.CalledAE} {
		if err := checkAE(ae); err != nil {
			return nil, fmt.Errorf("scp: %w", err)
		}
	}

	// 1. The A-ASSOCIATE-RQ: context IDs 1, 3, 5, ...
	rq := &pdu.AssociateRQ{
		ProtocolVersion:    pdu.ProtocolVersion,
		CalledAE:           cfg.CalledAE,
		CallingAE:          cfg.CallingAE,
		ApplicationContext: ApplicationContextName,
		UserInfo: pdu.UserInfo{
			MaxLength:                 cfg.MaxPDULength,
			HasMaxLength:              true,
			ImplementationClassUID:    ImplementationClassUID,
			ImplementationVersionName: ImplementationVersionName,
		},
	}
	proposed := map[byte]ProposedContext{}
	for i, pc := range contexts {
		id := byte(2*i + 1)
		proposed[id] = pc
		rq.PresentationContexts = append(rq.PresentationContexts, pdu.PresentationContextRQ{ID: id, AbstractSyntax: pc.AbstractSyntax, TransferSyntaxes: pc.TransferSyntaxes})
	}

	// 2. The transport connection (AE-1, then Evt2 sends the request).
	d := net.Dialer{Timeout: cfg.ACSETimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("scp: %w", err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	a := &association{
		requestor: true,
		conn:      conn,
		t:         timeouts{artim: cfg.ARTIMTimeout, acse: cfg.ACSETimeout, dimse: cfg.DIMSETimeout, idle: cfg.DIMSETimeout},
		info:      AssociationInfo{CallingAE: cfg.CallingAE, CalledAE: cfg.CalledAE, PeerAddr: addr, Started: time.Now()},
		contexts:  map[byte]*presContext{},
		proposed:  proposed,
		callingAE: cfg.CallingAE,
	}
	a.br = bufio.NewReaderSize(conn, 64<<10)
	a.r = pdu.NewReader(a.br, cfg.MaxPDULength, MaxAssociatePDULength)
	a.w = pdu.NewWriter(conn)
	a.fsm = NewMachine(a, true)
	a.log = cfg.Log.With("peer", addr, "called_ae", cfg.CalledAE)
	a.stats.StoredByStudy = map[string]int{}
	a.handle(Evt1, Input{})
	a.handle(Evt2, Input{PDU: rq})

	// 3. Wait for A-ASSOCIATE-AC or -RJ.
	for a.fsm.State() == Sta5 {
		a.step()
	}
	if a.fsm.State() == Sta6 {
		return &Client{a: a}, nil
	}
	c := &Client{a: a}
	c.wait(func() bool { return false })
	conn.Close()
	if a.rj != nil {
		return nil, &RejectError{Result: a.rj.Result, Source: a.rj.Source, Reason: a.rj.Reason}
	}
	return nil, fmt.Errorf("scp: association not established: %w", c.cause())
}

// onAssociateAC records the contexts the acceptor accepted.
func (a *association) onAssociateAC(ac *pdu.AssociateAC) {
	a.ac = ac
	a.accepted = true
	a.maxSend = ac.UserInfo.MaxLength
	for _, r := range ac.PresentationContexts {
		p, ok := a.proposed[r.ID]
		if !ok {
			continue
		}
		accepted := r.Result == pdu.ResultAcceptance && contains(p.TransferSyntaxes, r.TransferSyntax)
		a.contexts[r.ID] = &presContext{id: r.ID, abstractSyntax: p.AbstractSyntax, transferSyntax: r.TransferSyntax, accepted: accepted}
	}
}

// AcceptedTransferSyntaxes returns the transfer syntaxes the peer accepted
// for an abstract syntax, one per accepted context.
func (c *Client) AcceptedTransferSyntaxes(abstract string) []string {
	var out []string
	for id := byte(1); id != 0 && int(id) < 256; id += 2 {
		if pc := c.a.contexts[id]; pc != nil && pc.accepted && pc.abstractSyntax == abstract {
			out = append(out, pc.transferSyntax)
		}
		if id == 255 {
			break
		}
	}
	return out
}

// PeerMaxPDULength returns the Maximum Length the peer announced (0: none).
func (c *Client) PeerMaxPDULength() uint32 { return c.a.maxSend }

func (c *Client) findContext(abstract, ts string) *presContext {
	for id := 1; id < 256; id += 2 {
		pc := c.a.contexts[byte(id)]
		if pc != nil && pc.accepted && pc.abstractSyntax == abstract && (ts == "" || pc.transferSyntax == ts) {
			return pc
		}
	}
	return nil
}

// Echo sends a C-ECHO-RQ and returns the response's status.
func (c *Client) Echo() (uint16, error) {
	pc := c.findContext(VerificationSOPClass, "")
	if pc == nil {
		return 0, ErrNoContext
	}
	c.msgID++
	rsp, err := c.request(pc, dimse.NewCEchoRQ(c.msgID), nil)
	if err != nil {
		return 0, err
	}
	st, _ := rsp.Status()
	return st, nil
}

// Store sends a C-STORE-RQ with the data set read from dataSet until EOF,
// which must be encoded in transferSyntax (without File Meta Information),
// on a context accepted for sopClass with that transfer syntax. It returns
// the response's status; the caller decides what a failure status means.
func (c *Client) Store(sopClass, sopInstance, transferSyntax string, dataSet io.Reader) (uint16, error) {
	pc := c.findContext(sopClass, transferSyntax)
	if pc == nil {
		return 0, fmt.Errorf("%w for %s in %s", ErrNoContext, sopClass, transferSyntax)
	}
	c.msgID++
	rsp, err := c.request(pc, dimse.NewCStoreRQ(c.msgID, sopClass, sopInstance, dimse.PriorityMedium), dataSet)
	if err != nil {
		return 0, err
	}
	st, _ := rsp.Status()
	return st, nil
}

// MoveOriginator identifies the C-MOVE-RQ that a C-STORE sub-operation
// belongs to: the calling AE title of the C-MOVE requestor and the Message
// ID of its C-MOVE-RQ, sent as Move Originator Application Entity Title
// (0000,1030) and Move Originator Message ID (0000,1031) (PS3.7 section
// 9.3.1.1, PS3.4 C.4.2.3.1).
type MoveOriginator struct {
	AETitle   string
	MessageID uint16
}

// StoreForMove is Store for a C-STORE sub-operation of a C-MOVE: the
// C-STORE-RQ carries the Move Originator elements of orig.
func (c *Client) StoreForMove(sopClass, sopInstance, transferSyntax string, dataSet io.Reader, orig MoveOriginator) (uint16, error) {
	if err := checkAE(trimAE(orig.AETitle)); err != nil {
		return 0, fmt.Errorf("scp: move originator: %w", err)
	}
	pc := c.findContext(sopClass, transferSyntax)
	if pc == nil {
		return 0, fmt.Errorf("%w for %s in %s", ErrNoContext, sopClass, transferSyntax)
	}
	c.msgID++
	cmd := dimse.NewCStoreRQ(c.msgID, sopClass, sopInstance, dimse.PriorityMedium)
	cmd.SetString(dimse.TagMoveOriginatorApplicationEntity, trimAE(orig.AETitle))
	cmd.SetUint16(dimse.TagMoveOriginatorMessageID, orig.MessageID)
	rsp, err := c.request(pc, cmd, dataSet)
	if err != nil {
		return 0, err
	}
	st, _ := rsp.Status()
	return st, nil
}

// request sends one request and waits for its final response.
func (c *Client) request(pc *presContext, cmd *dimse.Command, data io.Reader) (*dimse.Command, error) {
	a := c.a
	if a.fsm.State() != Sta6 {
		return nil, ErrAssociationEnded
	}
	a.rsp = nil
	a.awaitingRsp = true
	defer func() { a.awaitingRsp = false }()
	if err := a.sendMessage(pc.id, cmd, data); err != nil {
		if a.fsm.State() == Sta6 {
			// The data set could not be read: abort, the peer holds a
			// partial message.
			a.setCause(err)
			a.handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser})
		}
		c.wait(func() bool { return false })
		return nil, err
	}
	want, _ := cmd.MessageID()
	for {
		c.wait(func() bool { return a.rsp != nil && !a.msg.inProgress() })
		if a.rsp == nil {
			return nil, fmt.Errorf("%w: %w", ErrAssociationEnded, c.cause())
		}
		rsp := a.rsp.cmd
		a.rsp = nil
		if id, _ := rsp.Uint16(dimse.TagMessageIDBeingRespondedTo); id != want {
			a.log.Warn("response to another message", "want", want, "got", id)
			continue
		}
		if st, _ := rsp.Status(); st == 0xFF00 || st == 0xFF01 {
			// Pending: keep waiting for the final response.
			continue
		}
		return rsp, nil
	}
}

// wait steps the machine until done reports true or the association ends.
func (c *Client) wait(done func() bool) {
	a := c.a
	for !done() && a.fsm.State() != Sta1 {
		if a.fsm.State() == Sta6 && !a.awaitingRsp && !a.msg.inProgress() {
			return
		}
		a.step()
	}
}

func (c *Client) cause() error {
	if c.a.abortCause != nil {
		return c.a.abortCause
	}
	return ErrConnectionLost
}

// Release releases the association (A-RELEASE) and closes the connection.
func (c *Client) Release() error {
	a := c.a
	defer a.conn.Close()
	if a.fsm.State() != Sta6 {
		return ErrAssociationEnded
	}
	a.handle(Evt11, Input{PDU: &pdu.ReleaseRQ{}})
	for a.fsm.State() != Sta1 {
		a.step()
	}
	if !a.released {
		return fmt.Errorf("scp: release failed: %w", c.cause())
	}
	return nil
}

// Abort aborts the association (A-ABORT) and closes the connection.
func (c *Client) Abort() error {
	a := c.a
	defer a.conn.Close()
	if a.fsm.State() == Sta1 {
		return nil
	}
	a.setCause(errors.New("scp: aborted by the local user"))
	if err := a.fsm.Handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser}); err != nil {
		return err
	}
	// Wait for the peer to close, at most the ARTIM timeout.
	for a.fsm.State() != Sta1 {
		a.step()
	}
	return nil
}

// Close releases the association if it is established and closes the
// connection.
func (c *Client) Close() error {
	if c.a.fsm.State() == Sta6 {
		return c.Release()
	}
	return c.a.conn.Close()
}
