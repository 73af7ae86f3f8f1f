package scp

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/scp/pdu"
)

// table9_10 is PS3.8 Table 9-10 transcribed in the standard's layout: one
// row per event, one column per state, "." where the standard has no
// entry. The test compares it with the machine's transition table.
const table9_10 = `
       Sta1 Sta2 Sta3 Sta4 Sta5 Sta6 Sta7 Sta8 Sta9 Sta10 Sta11 Sta12 Sta13
Evt1   AE-1 .    .    .    .    .    .    .    .    .     .     .     .
Evt2   .    .    .    AE-2 .    .    .    .    .    .     .     .     .
Evt3   .    AA-1 AA-8 .    AE-3 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt4   .    AA-1 AA-8 .    AE-4 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt5   AE-5 .    .    .    .    .    .    .    .    .     .     .     .
Evt6   .    AE-6 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
Evt7   .    .    AE-7 .    .    .    .    .    .    .     .     .     .
Evt8   .    .    AE-8 .    .    .    .    .    .    .     .     .     .
Evt9   .    .    .    .    .    DT-1 .    AR-7 .    .     .     .     .
Evt10  .    AA-1 AA-8 .    AA-8 DT-2 AR-6 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt11  .    .    .    .    .    AR-1 .    .    .    .     .     .     .
Evt12  .    AA-1 AA-8 .    AA-8 AR-2 AR-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
Evt13  .    AA-1 AA-8 .    AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3  AA-8  AA-6
Evt14  .    .    .    .    .    .    .    AR-4 AR-9 .     .     AR-4  .
Evt15  .    .    AA-1 AA-2 AA-1 AA-1 AA-1 AA-1 AA-1 AA-1  AA-1  AA-1  .
Evt16  .    AA-2 AA-3 .    AA-3 AA-3 AA-3 AA-3 AA-3 AA-3  AA-3  AA-3  AA-2
Evt17  .    AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4  AA-4  AA-4  AR-5
Evt18  .    AA-2 .    .    .    .    .    .    .    .     .     .     AA-2
Evt19  .    AA-1 AA-8 .    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
`

// effects are the side effects PS3.8 Tables 9-6 to 9-9 give each action, as
// the recorder below writes them, and the state each action leads to.
var effects = map[Action]struct {
	next State
	does string
}{
	AE1:  {Sta4, "connect"},
	AE2:  {Sta5, "send A-ASSOCIATE-RQ"},
	AE3:  {Sta6, "indicate associate-accept"},
	AE4:  {Sta1, "indicate associate-reject; close"},
	AE5:  {Sta2, "start ARTIM"},
	AE6:  {Sta3, "stop ARTIM; indicate associate"}, // when acceptable
	AE7:  {Sta6, "send A-ASSOCIATE-AC"},
	AE8:  {Sta13, "send A-ASSOCIATE-RJ; start ARTIM"},
	DT1:  {Sta6, "send P-DATA-TF"},
	DT2:  {Sta6, "indicate p-data"},
	AR1:  {Sta7, "send A-RELEASE-RQ"},
	AR2:  {Sta8, "indicate release"},
	AR3:  {Sta1, "indicate release-confirm; close"},
	AR4:  {Sta13, "send A-RELEASE-RP; start ARTIM"},
	AR5:  {Sta1, "stop ARTIM"},
	AR6:  {Sta7, "indicate p-data"},
	AR7:  {Sta8, "send P-DATA-TF"},
	AR8:  {Sta10, "indicate release-collision"}, // acceptor side; Sta9 for the requestor
	AR9:  {Sta11, "send A-RELEASE-RP"},
	AR10: {Sta12, "indicate release-confirm"},
	AA1:  {Sta13, "send A-ABORT; start ARTIM"},
	AA2:  {Sta1, "stop ARTIM; close"},
	AA3:  {Sta1, "indicate abort; close"}, // the input is a service-user A-ABORT
	AA4:  {Sta1, "indicate p-abort"},
	AA5:  {Sta1, "stop ARTIM"},
	AA6:  {Sta13, ""},
	AA7:  {Sta13, "send A-ABORT"},
	AA8:  {Sta13, "send A-ABORT; indicate p-abort; start ARTIM"},
}

// recorder is a Host that writes down what the actions do.
type recorderHost struct {
	log    []string
	reject bool // Acceptable answers with an A-ASSOCIATE-RJ
}

func (r *recorderHost) Connect()        { r.log = append(r.log, "connect") }
func (r *recorderHost) Send(p pdu.PDU)  { r.log = append(r.log, "send "+p.Type().String()) }
func (r *recorderHost) StartARTIM()     { r.log = append(r.log, "start ARTIM") }
func (r *recorderHost) StopARTIM()      { r.log = append(r.log, "stop ARTIM") }
func (r *recorderHost) CloseTransport() { r.log = append(r.log, "close") }
func (r *recorderHost) Acceptable(*pdu.AssociateRQ) *pdu.AssociateRJ {
	if r.reject {
		return &pdu.AssociateRJ{Result: 1, Source: 2, Reason: 2}
	}
	return nil
}

var indicationNames = map[Indication]string{
	IndAssociate: "associate", IndAssociateAccept: "associate-accept", IndAssociateReject: "associate-reject",
	IndPData: "p-data", IndRelease: "release", IndReleaseCollision: "release-collision",
	IndReleaseConfirm: "release-confirm", IndAbort: "abort", IndPAbort: "p-abort",
}

func (r *recorderHost) Indicate(ind Indication, in Input) {
	r.log = append(r.log, "indicate "+indicationNames[ind])
}

// inputFor returns a plausible input for an event: the PDU received or to
// be sent.
func inputFor(e Event) Input {
	var p pdu.PDU
	switch e {
	case Evt2, Evt6:
		p = &pdu.AssociateRQ{ProtocolVersion: 1}
	case Evt3, Evt7:
		p = &pdu.AssociateAC{}
	case Evt4, Evt8:
		p = &pdu.AssociateRJ{}
	case Evt9, Evt10:
		p = &pdu.PDataTF{}
	case Evt11, Evt12:
		p = &pdu.ReleaseRQ{}
	case Evt13:
		p = &pdu.ReleaseRP{}
	case Evt16:
		p = &pdu.Abort{Source: pdu.AbortSourceServiceUser}
	}
	return Input{PDU: p}
}

// parseTable reads table9_10 into a map.
func parseTable(t *testing.T) map[transitionKey]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(table9_10), "\n")
	header := strings.Fields(lines[0])
	out := map[transitionKey]string{}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) != len(header)+1 {
			t.Fatalf("row %q has %d cells, want %d", f[0], len(f)-1, len(header))
		}
		var e Event
		fmt.Sscanf(f[0], "Evt%d", &e)
		for i, cell := range f[1:] {
			var s State
			fmt.Sscanf(header[i], "Sta%d", &s)
			if cell != "." {
				out[transitionKey{s, e}] = cell
			}
		}
	}
	return out
}

// TestStateMachineEveryPair runs every (state, event) pair of PS3.8 Table
// 9-10, 13 states by 19 events, and checks the action taken, its side
// effects and the next state; pairs without an entry must be refused with
// the state unchanged.
func TestStateMachineEveryPair(t *testing.T) {
	want := parseTable(t)
	if len(want) != len(transitions) {
		t.Errorf("transcribed table has %d entries, the machine %d", len(want), len(transitions))
	}
	pairs := 0
	for _, s := range States {
		for _, e := range Events {
			pairs++
			name := fmt.Sprintf("%v/%v", s, e)
			rec := &recorderHost{}
			m := NewMachine(rec, false)
			m.state = s
			err := m.Handle(e, inputFor(e))
			cell, defined := want[transitionKey{s, e}]
			if !defined {
				if !errors.Is(err, ErrNoTransition) || m.State() != s || len(rec.log) != 0 {
					t.Errorf("%s: undefined pair gave err=%v state=%v effects=%v", name, err, m.State(), rec.log)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if m.LastAction.String() != cell {
				t.Errorf("%s: action %v, want %s", name, m.LastAction, cell)
				continue
			}
			eff := effects[m.LastAction]
			if got := strings.Join(rec.log, "; "); got != eff.does {
				t.Errorf("%s (%v): effects %q, want %q", name, m.LastAction, got, eff.does)
			}
			if m.State() != eff.next {
				t.Errorf("%s (%v): next state %v, want %v", name, m.LastAction, m.State(), eff.next)
			}
		}
	}
	if pairs != 13*19 {
		t.Errorf("covered %d pairs", pairs)
	}
}

// TestStateMachineAlternatives covers the actions whose outcome depends on
// more than the pair: AE-6 rejecting, AR-8 on the requestor side, AA-3 with
// a provider abort.
func TestStateMachineAlternatives(t *testing.T) {
	rec := &recorderHost{reject: true}
	m := NewMachine(rec, false)
	m.state = Sta2
	_ = m.Handle(Evt6, inputFor(Evt6))
	if m.State() != Sta13 || strings.Join(rec.log, "; ") != "stop ARTIM; send A-ASSOCIATE-RJ; start ARTIM" {
		t.Errorf("AE-6 reject: %v %v", m.State(), rec.log)
	}

	rec = &recorderHost{}
	m = NewMachine(rec, true)
	m.state = Sta7
	_ = m.Handle(Evt12, inputFor(Evt12))
	if m.State() != Sta9 {
		t.Errorf("AR-8 requestor: %v", m.State())
	}

	rec = &recorderHost{}
	m = NewMachine(rec, false)
	m.state = Sta6
	_ = m.Handle(Evt16, Input{PDU: &pdu.Abort{Source: pdu.AbortSourceServiceProvider}})
	if strings.Join(rec.log, "; ") != "indicate p-abort; close" {
		t.Errorf("AA-3 provider abort: %v", rec.log)
	}
}

// TestReleaseCollision walks both sides of a release collision through the
// machine (PS3.8 section 9.2, Sta9 to Sta12).
func TestReleaseCollision(t *testing.T) {
	req := NewMachine(&recorderHost{}, true)
	acc := NewMachine(&recorderHost{}, false)
	req.state, acc.state = Sta6, Sta6
	steps := []struct {
		m    *Machine
		e    Event
		want State
	}{
		{req, Evt11, Sta7},  // requestor sends A-RELEASE-RQ
		{acc, Evt11, Sta7},  // acceptor sends A-RELEASE-RQ at the same time
		{req, Evt12, Sta9},  // each receives the other's request
		{acc, Evt12, Sta10}, //
		{req, Evt14, Sta11}, // requestor answers first (AR-9)
		{acc, Evt13, Sta12}, // acceptor receives it (AR-10)
		{acc, Evt14, Sta13}, // acceptor answers (AR-4)
		{req, Evt13, Sta1},  // requestor receives it and closes (AR-3)
		{acc, Evt17, Sta1},  // acceptor sees the close (AR-5)
	}
	for i, s := range steps {
		if err := s.m.Handle(s.e, inputFor(s.e)); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if s.m.State() != s.want {
			t.Fatalf("step %d (%v): state %v, want %v", i, s.e, s.m.State(), s.want)
		}
	}
}
