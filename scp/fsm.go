package scp

import (
	"errors"
	"fmt"

	"github.com/mdm2node/mdm2node/scp/pdu"
)

// State is a state of the upper layer protocol machine (PS3.8 Table 9-10).
type State uint8

// States of PS3.8 section 9.2.
const (
	Sta1  State = 1  // Idle
	Sta2  State = 2  // Transport connection open (awaiting A-ASSOCIATE-RQ PDU)
	Sta3  State = 3  // Awaiting local A-ASSOCIATE response primitive
	Sta4  State = 4  // Awaiting transport connection opening to complete
	Sta5  State = 5  // Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU
	Sta6  State = 6  // Association established and ready for data transfer
	Sta7  State = 7  // Awaiting A-RELEASE-RP PDU
	Sta8  State = 8  // Awaiting local A-RELEASE response primitive
	Sta9  State = 9  // Release collision requestor side; awaiting A-RELEASE response
	Sta10 State = 10 // Release collision acceptor side; awaiting A-RELEASE-RP PDU
	Sta11 State = 11 // Release collision requestor side; awaiting A-RELEASE-RP PDU
	Sta12 State = 12 // Release collision acceptor side; awaiting A-RELEASE response primitive
	Sta13 State = 13 // Awaiting transport connection close indication
)

// States lists every state, for tests and documentation.
var States = []State{Sta1, Sta2, Sta3, Sta4, Sta5, Sta6, Sta7, Sta8, Sta9, Sta10, Sta11, Sta12, Sta13}

func (s State) String() string { return fmt.Sprintf("Sta%d", uint8(s)) }

// Event is an event of the upper layer protocol machine (PS3.8 Table 9-10).
type Event uint8

// Events of PS3.8 section 9.2.
const (
	Evt1  Event = 1  // A-ASSOCIATE request (local user)
	Evt2  Event = 2  // Transport connection confirm (local transport service)
	Evt3  Event = 3  // A-ASSOCIATE-AC PDU (received on transport connection)
	Evt4  Event = 4  // A-ASSOCIATE-RJ PDU (received on transport connection)
	Evt5  Event = 5  // Transport connection indication (local transport service)
	Evt6  Event = 6  // A-ASSOCIATE-RQ PDU (received on transport connection)
	Evt7  Event = 7  // A-ASSOCIATE response primitive (accept)
	Evt8  Event = 8  // A-ASSOCIATE response primitive (reject)
	Evt9  Event = 9  // P-DATA request primitive
	Evt10 Event = 10 // P-DATA-TF PDU
	Evt11 Event = 11 // A-RELEASE request primitive
	Evt12 Event = 12 // A-RELEASE-RQ PDU
	Evt13 Event = 13 // A-RELEASE-RP PDU
	Evt14 Event = 14 // A-RELEASE response primitive
	Evt15 Event = 15 // A-ABORT request primitive
	Evt16 Event = 16 // A-ABORT PDU
	Evt17 Event = 17 // Transport connection closed indication
	Evt18 Event = 18 // ARTIM timer expired
	Evt19 Event = 19 // Unrecognized or invalid PDU received
)

// Events lists every event, for tests and documentation.
var Events = []Event{Evt1, Evt2, Evt3, Evt4, Evt5, Evt6, Evt7, Evt8, Evt9, Evt10, Evt11, Evt12, Evt13, Evt14, Evt15, Evt16, Evt17, Evt18, Evt19}

func (e Event) String() string { return fmt.Sprintf("Evt%d", uint8(e)) }

// Action is an action of the upper layer protocol machine (PS3.8 section
// 9.2.2, Tables 9-6 to 9-9).
type Action uint8

// Actions, numbered explicitly.
const (
	AE1  Action = 1
	AE2  Action = 2
	AE3  Action = 3
	AE4  Action = 4
	AE5  Action = 5
	AE6  Action = 6
	AE7  Action = 7
	AE8  Action = 8
	DT1  Action = 11
	DT2  Action = 12
	AR1  Action = 21
	AR2  Action = 22
	AR3  Action = 23
	AR4  Action = 24
	AR5  Action = 25
	AR6  Action = 26
	AR7  Action = 27
	AR8  Action = 28
	AR9  Action = 29
	AR10 Action = 30
	AA1  Action = 41
	AA2  Action = 42
	AA3  Action = 43
	AA4  Action = 44
	AA5  Action = 45
	AA6  Action = 46
	AA7  Action = 47
	AA8  Action = 48
)

func (a Action) String() string {
	switch {
	case a >= AE1 && a <= AE8:
		return fmt.Sprintf("AE-%d", a-AE1+1)
	case a >= DT1 && a <= DT2:
		return fmt.Sprintf("DT-%d", a-DT1+1)
	case a >= AR1 && a <= AR10:
		return fmt.Sprintf("AR-%d", a-AR1+1)
	case a >= AA1 && a <= AA8:
		return fmt.Sprintf("AA-%d", a-AA1+1)
	}
	return fmt.Sprintf("action %d", uint8(a))
}

// transitionKey indexes the transition table.
type transitionKey struct {
	state State
	event Event
}

// transitions is PS3.8 Table 9-10: the action for each (state, event) pair
// the standard defines. A pair missing from the table cannot happen in a
// correct implementation (a local primitive in the wrong state) and is
// reported by Machine.Handle as ErrNoTransition.
var transitions = map[transitionKey]Action{
	{Sta1, Evt1}: AE1,
	{Sta4, Evt2}: AE2,

	{Sta2, Evt3}: AA1, {Sta3, Evt3}: AA8, {Sta5, Evt3}: AE3, {Sta6, Evt3}: AA8,
	{Sta7, Evt3}: AA8, {Sta8, Evt3}: AA8, {Sta9, Evt3}: AA8, {Sta10, Evt3}: AA8,
	{Sta11, Evt3}: AA8, {Sta12, Evt3}: AA8, {Sta13, Evt3}: AA6,

	{Sta2, Evt4}: AA1, {Sta3, Evt4}: AA8, {Sta5, Evt4}: AE4, {Sta6, Evt4}: AA8,
	{Sta7, Evt4}: AA8, {Sta8, Evt4}: AA8, {Sta9, Evt4}: AA8, {Sta10, Evt4}: AA8,
	{Sta11, Evt4}: AA8, {Sta12, Evt4}: AA8, {Sta13, Evt4}: AA6,

	{Sta1, Evt5}: AE5,

	{Sta2, Evt6}: AE6, {Sta3, Evt6}: AA8, {Sta5, Evt6}: AA8, {Sta6, Evt6}: AA8,
	{Sta7, Evt6}: AA8, {Sta8, Evt6}: AA8, {Sta9, Evt6}: AA8, {Sta10, Evt6}: AA8,
	{Sta11, Evt6}: AA8, {Sta12, Evt6}: AA8, {Sta13, Evt6}: AA7,

	{Sta3, Evt7}: AE7,
	{Sta3, Evt8}: AE8,

	{Sta6, Evt9}: DT1, {Sta8, Evt9}: AR7,

	{Sta2, Evt10}: AA1, {Sta3, Evt10}: AA8, {Sta5, Evt10}: AA8, {Sta6, Evt10}: DT2,
	{Sta7, Evt10}: AR6, {Sta8, Evt10}: AA8, {Sta9, Evt10}: AA8, {Sta10, Evt10}: AA8,
	{Sta11, Evt10}: AA8, {Sta12, Evt10}: AA8, {Sta13, Evt10}: AA6,

	{Sta6, Evt11}: AR1,

	{Sta2, Evt12}: AA1, {Sta3, Evt12}: AA8, {Sta5, Evt12}: AA8, {Sta6, Evt12}: AR2,
	{Sta7, Evt12}: AR8, {Sta8, Evt12}: AA8, {Sta9, Evt12}: AA8, {Sta10, Evt12}: AA8,
	{Sta11, Evt12}: AA8, {Sta12, Evt12}: AA8, {Sta13, Evt12}: AA6,

	{Sta2, Evt13}: AA1, {Sta3, Evt13}: AA8, {Sta5, Evt13}: AA8, {Sta6, Evt13}: AA8,
	{Sta7, Evt13}: AR3, {Sta8, Evt13}: AA8, {Sta9, Evt13}: AA8, {Sta10, Evt13}: AR10,
	{Sta11, Evt13}: AR3, {Sta12, Evt13}: AA8, {Sta13, Evt13}: AA6,

	{Sta8, Evt14}: AR4, {Sta9, Evt14}: AR9, {Sta12, Evt14}: AR4,

	{Sta3, Evt15}: AA1, {Sta4, Evt15}: AA2, {Sta5, Evt15}: AA1, {Sta6, Evt15}: AA1,
	{Sta7, Evt15}: AA1, {Sta8, Evt15}: AA1, {Sta9, Evt15}: AA1, {Sta10, Evt15}: AA1,
	{Sta11, Evt15}: AA1, {Sta12, Evt15}: AA1,

	{Sta2, Evt16}: AA2, {Sta3, Evt16}: AA3, {Sta5, Evt16}: AA3, {Sta6, Evt16}: AA3,
	{Sta7, Evt16}: AA3, {Sta8, Evt16}: AA3, {Sta9, Evt16}: AA3, {Sta10, Evt16}: AA3,
	{Sta11, Evt16}: AA3, {Sta12, Evt16}: AA3, {Sta13, Evt16}: AA2,

	{Sta2, Evt17}: AA5, {Sta3, Evt17}: AA4, {Sta4, Evt17}: AA4, {Sta5, Evt17}: AA4,
	{Sta6, Evt17}: AA4, {Sta7, Evt17}: AA4, {Sta8, Evt17}: AA4, {Sta9, Evt17}: AA4,
	{Sta10, Evt17}: AA4, {Sta11, Evt17}: AA4, {Sta12, Evt17}: AA4, {Sta13, Evt17}: AR5,

	{Sta2, Evt18}: AA2, {Sta13, Evt18}: AA2,

	{Sta2, Evt19}: AA1, {Sta3, Evt19}: AA8, {Sta5, Evt19}: AA8, {Sta6, Evt19}: AA8,
	{Sta7, Evt19}: AA8, {Sta8, Evt19}: AA8, {Sta9, Evt19}: AA8, {Sta10, Evt19}: AA8,
	{Sta11, Evt19}: AA8, {Sta12, Evt19}: AA8, {Sta13, Evt19}: AA7,
}

// Transition returns the action PS3.8 Table 9-10 assigns to (s, e), and
// false when the table has no entry for the pair.
func Transition(s State, e Event) (Action, bool) {
	a, ok := transitions[transitionKey{s, e}]
	return a, ok
}

// nextStates gives the state each action leads to (PS3.8 Tables 9-6 to 9-9).
// AE-6 and AR-8 choose between two states and are resolved when they run.
var nextStates = map[Action]State{
	AE1: Sta4, AE2: Sta5, AE3: Sta6, AE4: Sta1, AE5: Sta2, AE7: Sta6, AE8: Sta13,
	DT1: Sta6, DT2: Sta6,
	AR1: Sta7, AR2: Sta8, AR3: Sta1, AR4: Sta13, AR5: Sta1, AR6: Sta7, AR7: Sta8,
	AR9: Sta11, AR10: Sta12,
	AA1: Sta13, AA2: Sta1, AA3: Sta1, AA4: Sta1, AA5: Sta1, AA6: Sta13, AA7: Sta13, AA8: Sta13,
}

// ErrNoTransition is returned by Machine.Handle for a (state, event) pair
// that PS3.8 Table 9-10 does not define; the state is left unchanged.
var ErrNoTransition = errors.New("scp: event not allowed in this state")

// Indication is a primitive the machine issues to its service user.
type Indication uint8

// Indications and confirmations issued by the actions.
const (
	IndAssociate        Indication = 1 // AE-6: A-ASSOCIATE indication
	IndAssociateAccept  Indication = 2 // AE-3: A-ASSOCIATE confirmation (accept)
	IndAssociateReject  Indication = 3 // AE-4: A-ASSOCIATE confirmation (reject)
	IndPData            Indication = 4 // DT-2, AR-6: P-DATA indication
	IndRelease          Indication = 5 // AR-2: A-RELEASE indication
	IndReleaseCollision Indication = 6 // AR-8: A-RELEASE indication (collision)
	IndReleaseConfirm   Indication = 7 // AR-3, AR-10: A-RELEASE confirmation
	IndAbort            Indication = 8 // AA-3: A-ABORT indication (service-user abort)
	IndPAbort           Indication = 9 // AA-3, AA-4, AA-8: A-P-ABORT indication
)

// Input carries what came with an event: the PDU received or to send, and
// for aborts the source and reason to put in the A-ABORT PDU.
type Input struct {
	PDU pdu.PDU
	// AbortSource and AbortReason fill the A-ABORT PDU sent by AA-1, AA-7
	// and AA-8 (PS3.8 Table 9-26).
	AbortSource byte
	AbortReason byte
	// Err describes an Evt19 (unrecognized or invalid PDU) or an Evt17.
	Err error
}

// Host is what the actions act on: the transport connection, the ARTIM
// timer and the service user that receives indications. It is implemented
// by an association; tests implement it with a recorder.
type Host interface {
	// Connect issues a TRANSPORT CONNECT request (AE-1); the confirmation
	// arrives later as Evt2.
	Connect()
	// Send writes one PDU to the peer. A failure closes the transport,
	// which the driver sees as Evt17.
	Send(p pdu.PDU)
	// StartARTIM starts or restarts the ARTIM timer; StopARTIM stops it.
	StartARTIM()
	StopARTIM()
	// CloseTransport closes the transport connection.
	CloseTransport()
	// Acceptable is AE-6's check by the service provider: nil when the
	// A-ASSOCIATE-RQ is acceptable, else the A-ASSOCIATE-RJ to send.
	Acceptable(rq *pdu.AssociateRQ) *pdu.AssociateRJ
	// Indicate issues a primitive to the service user. The machine is
	// already in the action's next state, so the user may respond at once
	// by calling Machine.Handle with a local event.
	Indicate(ind Indication, in Input)
}

// Machine is the upper layer protocol machine of one association (PS3.8
// section 9.2). It is not safe for concurrent use: one goroutine owns it.
type Machine struct {
	state     State
	requestor bool
	host      Host
	// LastAction is the action of the most recent transition, for tests.
	LastAction Action
}

// NewMachine returns a machine in Sta1. requestor tells which side of the
// association it is, which decides the release collision states of AR-8.
func NewMachine(host Host, requestor bool) *Machine {
	return &Machine{state: Sta1, requestor: requestor, host: host}
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Handle applies event e: it looks up (state, e) in PS3.8 Table 9-10, moves
// to the action's next state and runs the action. It returns
// ErrNoTransition, leaving the state unchanged, when the table has no entry.
func (m *Machine) Handle(e Event, in Input) error {
	a, ok := transitions[transitionKey{m.state, e}]
	if !ok {
		return fmt.Errorf("%w: %v in %v", ErrNoTransition, e, m.state)
	}
	m.LastAction = a
	if next, ok := nextStates[a]; ok {
		m.state = next
	}
	m.run(a, e, in)
	return nil
}

// run performs the side effects of action a (PS3.8 Tables 9-6 to 9-9).
func (m *Machine) run(a Action, e Event, in Input) {
	h := m.host
	switch a {
	case AE1:
		h.Connect()
	case AE2:
		h.Send(in.PDU)
	case AE3:
		h.Indicate(IndAssociateAccept, in)
	case AE4:
		h.Indicate(IndAssociateReject, in)
		h.CloseTransport()
	case AE5:
		h.StartARTIM()
	case AE6:
		h.StopARTIM()
		rq, _ := in.PDU.(*pdu.AssociateRQ)
		var rj *pdu.AssociateRJ
		if rq == nil {
			rj = &pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceProviderACSE, Reason: pdu.RejectReasonNoReason}
		} else {
			rj = h.Acceptable(rq)
		}
		if rj == nil {
			m.state = Sta3
			h.Indicate(IndAssociate, in)
			return
		}
		m.state = Sta13
		h.Send(rj)
		h.StartARTIM()
	case AE7, DT1, AR7:
		h.Send(in.PDU)
	case AE8:
		h.Send(in.PDU)
		h.StartARTIM()
	case AR1:
		h.Send(&pdu.ReleaseRQ{})
	case AR9:
		h.Send(&pdu.ReleaseRP{})
	case DT2, AR6:
		h.Indicate(IndPData, in)
	case AR2:
		h.Indicate(IndRelease, in)
	case AR3:
		h.Indicate(IndReleaseConfirm, in)
		h.CloseTransport()
	case AR4:
		h.Send(&pdu.ReleaseRP{})
		h.StartARTIM()
	case AR5:
		h.StopARTIM()
	case AR8:
		if m.requestor {
			m.state = Sta9
		} else {
			m.state = Sta10
		}
		h.Indicate(IndReleaseCollision, in)
	case AR10:
		h.Indicate(IndReleaseConfirm, in)
	case AA1:
		h.Send(&pdu.Abort{Source: in.AbortSource, Reason: in.AbortReason})
		h.StartARTIM()
	case AA2:
		h.StopARTIM()
		h.CloseTransport()
	case AA3:
		if ab, ok := in.PDU.(*pdu.Abort); ok && ab.Source != pdu.AbortSourceServiceProvider {
			h.Indicate(IndAbort, in)
		} else {
			h.Indicate(IndPAbort, in)
		}
		h.CloseTransport()
	case AA4:
		h.Indicate(IndPAbort, in)
	case AA5:
		h.StopARTIM()
	case AA6:
		// Ignore the PDU.
	case AA7:
		h.Send(&pdu.Abort{Source: pdu.AbortSourceServiceProvider, Reason: in.AbortReason})
	case AA8:
		h.Send(&pdu.Abort{Source: pdu.AbortSourceServiceProvider, Reason: in.AbortReason})
		h.Indicate(IndPAbort, in)
		h.StartARTIM()
	}
}
