package scp

import (
	"fmt"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// onPData is the P-DATA indication: it reassembles the PDVs into command
// sets and streams the data set fragments to the current operation (PS3.8
// Annex E: a message is its command set's fragments, the last one flagged,
// then, when the command says so, its data set's fragments on the same
// presentation context).
func (a *association) onPData(p *pdu.PDataTF) {
	a.pending = append(a.pending[:0], p.PDVs...)
	a.pendingNext = 0
	a.processPDVs()
}

// processPDVs processes the pending PDVs in order. An operation finished on
// the way may read further PDUs (Responder.Canceled, SubStore); step first
// processes the PDVs still pending then, so the order of the peer's messages
// is kept and no PDV is used after r reused its buffer.
func (a *association) processPDVs() {
	for a.pendingNext < len(a.pending) {
		// A protocol error below aborts the association; stop there.
		if st := a.fsm.State(); st != Sta6 && st != Sta7 {
			a.pending, a.pendingNext = a.pending[:0], 0
			return
		}
		v := a.pending[a.pendingNext]
		a.pendingNext++
		pc := a.contexts[v.ContextID]
		if pc == nil || !pc.accepted {
			a.protocolError(fmt.Sprintf("PDV on presentation context %d, which was not accepted", v.ContextID))
			continue
		}
		if v.IsCommand() {
			a.onCommandFragment(pc, v)
		} else {
			a.onDataFragment(pc, v)
		}
	}
	a.pending, a.pendingNext = a.pending[:0], 0
}

// protocolError aborts the association (A-ABORT, service-user source)
// because the peer broke PS3.7 or PS3.8 at the DIMSE level.
func (a *association) protocolError(detail string) {
	a.log.Warn("protocol error", "detail", detail)
	a.securityAlert(detail)
	a.setCause(fmt.Errorf("%w: %s", ErrProtocol, detail))
	a.handle(Evt15, Input{AbortSource: pdu.AbortSourceServiceUser})
}

func (a *association) onCommandFragment(pc *presContext, v pdu.PDV) {
	m := &a.msg
	switch {
	case m.expectData:
		a.protocolError("command fragment while a data set is expected")
		return
	case m.cmdCtx != 0 && m.cmdCtx != pc.id:
		a.protocolError("command fragments on two presentation contexts")
		return
	case len(m.cmdBuf)+len(v.Data) > MaxCommandLength:
		a.protocolError(fmt.Sprintf("command set longer than %d bytes", MaxCommandLength))
		return
	}
	m.cmdCtx = pc.id
	m.cmdBuf = append(m.cmdBuf, v.Data...)
	if !v.IsLast() {
		return
	}
	cmd, err := dimse.Decode(m.cmdBuf)
	m.cmdBuf = m.cmdBuf[:0]
	m.cmdCtx = 0
	if err != nil {
		a.protocolError(err.Error())
		return
	}
	if _, ok := cmd.Field(); !ok {
		a.protocolError("command set without command field (0000,0100)")
		return
	}
	if a.requestor {
		a.onResponse(pc, cmd)
	} else {
		a.onRequest(pc, cmd)
	}
}

// onRequest starts the operation for a request received by the acceptor.
// While an operation is being answered, it takes the response the node
// waits for (SubStore) and a C-CANCEL-RQ; any other request then breaks the
// one-operation-at-a-time rule of PS3.7 section 8.1 (the node never
// negotiates more) and aborts the association.
func (a *association) onRequest(pc *presContext, cmd *dimse.Command) {
	field, _ := cmd.Field()
	switch {
	case field.IsResponse() && a.awaitingRsp:
		a.onResponse(pc, cmd)
		return
	case field == dimse.CCancelRQ:
		a.onCancel(pc, cmd)
		return
	case a.active != nil && !field.IsResponse():
		a.protocolError(fmt.Sprintf("%v while %v is outstanding", field, a.active.field))
		return
	}
	req := &Request{
		Association:    a.info,
		ContextID:      pc.id,
		AbstractSyntax: pc.abstractSyntax,
		TransferSyntax: pc.transferSyntax,
		Command:        cmd,
	}
	var op Operation
	switch svc := a.srv.services[field]; {
	case field.IsResponse():
		// A response to nothing: the acceptor issues no requests. Its data
		// set, if any, is read and dropped.
		a.log.Warn("unexpected response", "command", field)
		op = discard{}
	case !cmd.Has(dimse.TagMessageID):
		op = refuse(req, dimse.StatusCannotUnderstand, "no message ID")
	case svc == nil:
		a.log.Info("unrecognized operation", "command", field)
		op = refuse(req, dimse.StatusUnrecognizedOperation, "")
	default:
		op = svc.Begin(req)
	}
	a.msg.op = op
	a.msg.opFailed = false
	a.msg.opField = field
	a.msg.opMessageID, _ = cmd.MessageID()
	if cmd.HasDataSet() {
		a.msg.expectData = true
		a.msg.dataCtx = pc.id
		return
	}
	a.finishOperation(pc)
}

func (a *association) onDataFragment(pc *presContext, v pdu.PDV) {
	m := &a.msg
	switch {
	case !m.expectData:
		a.protocolError("data set fragment without a command that announced one")
		return
	case pc.id != m.dataCtx:
		a.protocolError("data set fragment on another presentation context than its command")
		return
	}
	if m.op != nil && !m.opFailed {
		if _, err := m.op.Write(v.Data); err != nil {
			a.log.Warn("data set not stored", "err", err)
			m.opFailed = true
		}
	}
	if v.IsLast() {
		m.expectData = false
		a.finishOperation(pc)
	}
}

// finishOperation lets the current operation answer and counts the outcome.
func (a *association) finishOperation(pc *presContext) {
	op := a.msg.op
	a.msg.op = nil
	if op == nil {
		return
	}
	if _, ok := op.(discard); ok {
		return
	}
	a.active = &activeOperation{field: a.msg.opField, messageID: a.msg.opMessageID}
	op.Finish(responder{a: a, ctx: pc.id})
	a.active = nil
	if so, ok := op.(*storeOperation); ok {
		if isSuccessOrWarning(so.status) {
			a.stats.StoredByStudy[so.study]++
		} else {
			a.stats.Failed++
			a.log.Info("store failed", "status", fmt.Sprintf("%04X", so.status), "sop_class", so.req.AbstractSyntax)
		}
	}
}

// onResponse records a response received by the requestor.
func (a *association) onResponse(pc *presContext, cmd *dimse.Command) {
	a.rsp = &received{cmd: cmd}
	if cmd.HasDataSet() {
		a.msg.op = discard{}
		a.msg.expectData = true
		a.msg.dataCtx = pc.id
	}
}

// discard is an operation that drops its data set and answers nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Finish(Responder)            {}
func (discard) Abort()                      {}
