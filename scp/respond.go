package scp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// CancelChecker is implemented by the Responder that the server passes to
// Operation.Finish. A service that sends pending responses (C-FIND, C-MOVE,
// C-GET) type-asserts its Responder to CancelChecker and calls Canceled
// before each response or sub-operation.
type CancelChecker interface {
	// Canceled reports whether the peer sent a C-CANCEL-RQ for the request
	// being answered (PS3.7 sections 9.1.2.1.4 and 9.3.2.3), or whether the
	// association ended, after which no response can be sent. The service
	// then stops matching and sends its final response, Cancel (FE00) for a
	// C-CANCEL-RQ.
	//
	// Canceled does not wait for the peer: it processes the PDUs already
	// received, and waits up to CancelPollWait for the connection to deliver
	// more (when nothing is buffered, at most once per CancelPollInterval).
	// A PDU whose header has arrived is read in full, bounded by
	// Config.DIMSETimeout. An A-ABORT ends the association. An
	// A-RELEASE-RQ or another request during the operation aborts it as a
	// protocol error.
	Canceled() bool
}

// SubStorer is implemented by the Responder that the server passes to
// Operation.Finish. A C-GET service type-asserts its Responder to SubStorer
// to send its C-STORE sub-operations on the association of the C-GET-RQ
// (PS3.4 C.4.3). The node acts as the Storage SCU there, on the
// presentation contexts of the storage SOP classes for which the requestor
// proposed, and was granted, the SCP role (PS3.7 D.3.3.4). The server grants
// it only while a C-GET service is registered.
type SubStorer interface {
	// SubStore sends a C-STORE-RQ with the data set read from dataSet until
	// EOF, which must be encoded in transferSyntax without File Meta
	// Information, and waits for the C-STORE-RSP. It returns the status of
	// the response, which the service counts as completed, warning or
	// failed.
	//
	// The context is the accepted one with the lowest ID for sopClass and
	// transferSyntax on which the node may send. Without one, SubStore
	// returns an error wrapping ErrNoContext. ctx is checked before the
	// request is sent, and its error is returned wrapped. In both cases
	// nothing was sent and the association continues. The wait for the
	// response is bounded by Config.DIMSETimeout, and Server.Close and
	// Server.Shutdown end it.
	//
	// A C-CANCEL-RQ that arrives meanwhile is recorded for Canceled. Any
	// other error means the association ended, and no further response can
	// be sent. SubStore itself aborts it when dataSet fails after part of
	// the data set was sent, or when the C-STORE-RSP has no status.
	SubStore(ctx context.Context, sopClass, sopInstance, transferSyntax string, dataSet io.Reader) (status uint16, err error)
	// SubStoreTransferSyntaxes returns the transfer syntaxes of the
	// contexts on which SubStore can send instances of sopClass, in context
	// ID order, or nil when there are none.
	SubStoreTransferSyntaxes(sopClass string) []string
}

// Timing of the peer polling by CancelChecker.Canceled. A poll that finds
// nothing costs its wait, so a service that calls Canceled before each of
// many responses spends at most CancelPollWait per CancelPollInterval.
const (
	CancelPollInterval = 10 * time.Millisecond
	CancelPollWait     = 200 * time.Microsecond
)

// ErrNotAnswering is returned by SubStore when it is called outside
// Operation.Finish.
var ErrNotAnswering = errors.New("scp: responder used outside Operation.Finish")

// activeOperation is the request whose Operation.Finish is running.
type activeOperation struct {
	field     dimse.CommandField
	messageID uint16
	canceled  bool // a C-CANCEL-RQ for messageID arrived
}

// responder sends responses on the context of the request. It implements
// Responder, CancelChecker and SubStorer.
type responder struct {
	a   *association
	ctx byte
}

func (r responder) Respond(cmd *dimse.Command, dataSet io.Reader) error {
	if dataSet != nil {
		cmd.SetUint16(dimse.TagCommandDataSetType, dimse.DataSetPresent)
	}
	return r.a.sendMessage(r.ctx, cmd, dataSet)
}

// Canceled implements CancelChecker.
func (r responder) Canceled() bool {
	a := r.a
	if a.active == nil {
		return a.fsm.State() != Sta6
	}
	for a.fsm.State() == Sta6 && !a.active.canceled && a.pduArrived() {
		a.step()
	}
	return a.active.canceled || a.fsm.State() != Sta6
}

// SubStore implements SubStorer.
func (r responder) SubStore(ctx context.Context, sopClass, sopInstance, transferSyntax string, dataSet io.Reader) (uint16, error) {
	return r.a.subStore(ctx, sopClass, sopInstance, transferSyntax, dataSet)
}

// SubStoreTransferSyntaxes implements SubStorer.
func (r responder) SubStoreTransferSyntaxes(sopClass string) []string {
	var out []string
	for id := 1; id < 256; id += 2 {
		if pc := r.a.contexts[byte(id)]; pc != nil && pc.sendStore && pc.abstractSyntax == sopClass {
			out = append(out, pc.transferSyntax)
		}
	}
	return out
}

// pduArrived reports whether the peer has sent something that step should
// process now: the header of a PDU, the end of the connection, or a read
// error; or whether the server asked to abort. It waits on the connection
// for at most CancelPollWait, and not at all when it did so less than
// CancelPollInterval ago and nothing is buffered.
func (a *association) pduArrived() bool {
	if a.pendingNext < len(a.pending) || a.abortRequested.Load() {
		return true
	}
	buffered := a.br.Buffered()
	if buffered >= pdu.HeaderLength {
		return true
	}
	if buffered == 0 && time.Since(a.lastPoll) < CancelPollInterval {
		return false
	}
	a.lastPoll = time.Now()
	_ = a.conn.SetReadDeadline(a.lastPoll.Add(CancelPollWait))
	if a.abortRequested.Load() {
		return true
	}
	// Peek keeps what it read in the buffer, also when the deadline expires
	// in the middle of the header.
	_, err := a.br.Peek(pdu.HeaderLength)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true
}

// onCancel records a C-CANCEL-RQ (PS3.7 section 9.3.2.3), which has no
// response. One for a request that is not being answered (it may have just
// completed) is ignored.
func (a *association) onCancel(pc *presContext, cmd *dimse.Command) {
	id, ok := cmd.Uint16(dimse.TagMessageIDBeingRespondedTo)
	switch {
	case a.active != nil && ok && id == a.active.messageID:
		a.active.canceled = true
		a.log.Info("operation canceled by the peer", "command", a.active.field, "message_id", id)
	default:
		a.log.Info("C-CANCEL-RQ for no outstanding request ignored", "message_id", id)
	}
	if cmd.HasDataSet() {
		// Not allowed by PS3.7, and harmless: read and dropped.
		a.msg.op = discard{}
		a.msg.expectData = true
		a.msg.dataCtx = pc.id
	}
}

// storeContext returns the context with the lowest ID on which the node may
// send a C-STORE-RQ for sopClass in transferSyntax, or nil.
func (a *association) storeContext(sopClass, transferSyntax string) *presContext {
	for id := 1; id < 256; id += 2 {
		pc := a.contexts[byte(id)]
		if pc != nil && pc.accepted && pc.sendStore && pc.abstractSyntax == sopClass && pc.transferSyntax == transferSyntax {
			return pc
		}
	}
	return nil
}

// subStore sends one C-STORE sub-operation; see SubStorer.SubStore.
func (a *association) subStore(ctx context.Context, sopClass, sopInstance, transferSyntax string, dataSet io.Reader) (uint16, error) {
	// 1. Whether the request can be sent, and on which context.
	if a.active == nil {
		return 0, ErrNotAnswering
	}
	if a.fsm.State() != Sta6 {
		return 0, ErrAssociationEnded
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("scp: C-STORE sub-operation not sent: %w", err)
	}
	pc := a.storeContext(sopClass, transferSyntax)
	if pc == nil {
		return 0, fmt.Errorf("%w to send %s in %s", ErrNoContext, sopClass, transferSyntax)
	}

	// 2. The request. A data set that fails after its first fragment
	// leaves the peer with a partial message: only an abort ends it.
	a.nextMsgID++
	id := a.nextMsgID
	a.rsp = nil
	a.awaitingRsp = true
	defer func() { a.awaitingRsp = false }()
	if err := a.sendMessage(pc.id, dimse.NewCStoreRQ(id, sopClass, sopInstance, dimse.PriorityMedium), dataSet); err != nil {
		if a.fsm.State() == Sta6 {
			a.setCause(err)
			a.log.Warn("aborting association", "cause", err)
			a.handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser})
		}
		return 0, err
	}

	// 3. The response. step hands a response to onResponse and a
	// C-CANCEL-RQ to onCancel while awaitingRsp is set.
	for {
		for (a.rsp == nil || a.msg.inProgress()) && a.fsm.State() == Sta6 {
			a.step()
		}
		if a.rsp == nil {
			cause := a.abortCause
			if cause == nil {
				cause = ErrConnectionLost
			}
			return 0, fmt.Errorf("%w: %w", ErrAssociationEnded, cause)
		}
		rsp := a.rsp.cmd
		a.rsp = nil
		field, _ := rsp.Field()
		got, _ := rsp.Uint16(dimse.TagMessageIDBeingRespondedTo)
		if field != dimse.CStoreRSP || got != id {
			a.log.Warn("unexpected response ignored", "command", field, "message_id", got, "want_message_id", id)
			continue
		}
		st, ok := rsp.Status()
		if !ok {
			a.protocolError("C-STORE-RSP without status (0000,0900)")
			return 0, fmt.Errorf("%w: C-STORE-RSP without status", ErrProtocol)
		}
		return st, nil
	}
}
