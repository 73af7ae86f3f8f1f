package scp

import (
	"fmt"

	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// onAssociateRQ is the acceptor's answer to an A-ASSOCIATE indication: it
// issues the A-ASSOCIATE response primitive, accept (Evt7) or reject (Evt8).
func (a *association) onAssociateRQ(rq *pdu.AssociateRQ) {
	a.callingAE = rq.CallingAE
	a.info.CallingAE = rq.CallingAE
	a.info.CalledAE = rq.CalledAE
	a.log = a.log.With("calling_ae", rq.CallingAE)

	if rj := a.srv.checkAssociateRQ(rq); rj != nil {
		a.log.Info("association rejected", "called_ae", rq.CalledAE, "result", rj.Result, "source", rj.Source, "reason", rj.Reason)
		if rj.Source == pdu.RejectSourceServiceUser && (rj.Reason == pdu.RejectReasonCalledAENotRecognized || rj.Reason == pdu.RejectReasonCallingAENotRecognized) {
			a.securityAlert(fmt.Sprintf("association rejected: called AE %q, calling AE %q not recognized", rq.CalledAE, rq.CallingAE))
		}
		a.handle(Evt8, Input{PDU: rj})
		return
	}

	ac, contexts := a.srv.negotiate(rq)
	a.contexts = contexts
	a.maxSend = rq.UserInfo.MaxLength
	a.accepted = true
	a.handle(Evt7, Input{PDU: ac})
	if a.fsm.State() != Sta6 {
		return
	}
	n := 0
	for _, pc := range contexts {
		if pc.accepted {
			n++
		}
	}
	a.log.Info("association accepted", "contexts", len(contexts), "accepted_contexts", n, "peer_max_pdu", a.maxSend,
		"peer_impl", rq.UserInfo.ImplementationClassUID, "peer_version", rq.UserInfo.ImplementationVersionName)
	a.srv.obs.AssociationAccepted(a.info)
}

// checkAssociateRQ returns the A-ASSOCIATE-RJ for a request the service
// user rejects as a whole (PS3.8 Table 9-21), or nil.
func (s *Server) checkAssociateRQ(rq *pdu.AssociateRQ) *pdu.AssociateRJ {
	reject := func(reason byte) *pdu.AssociateRJ {
		return &pdu.AssociateRJ{Result: pdu.RejectPermanent, Source: pdu.RejectSourceServiceUser, Reason: reason}
	}
	if rq.ApplicationContext != ApplicationContextName {
		return reject(pdu.RejectReasonAppContextNotSupported)
	}
	if rq.CalledAE != s.cfg.AETitle {
		return reject(pdu.RejectReasonCalledAENotRecognized)
	}
	if len(s.cfg.AllowedCallingAEs) > 0 && !contains(s.cfg.AllowedCallingAEs, rq.CallingAE) {
		return reject(pdu.RejectReasonCallingAENotRecognized)
	}
	return nil
}

// transferSyntaxesFor returns the transfer syntaxes accepted for an
// abstract syntax, in order of preference, or nil when the abstract syntax
// is not accepted. storeSCP is set when the requestor was granted the SCP
// role for the abstract syntax. It accepts a storage SOP class even when
// Config.AcceptedSOPClasses does not list it, because the node sends on that
// context and does not receive.
func (s *Server) transferSyntaxesFor(abstract string, storeSCP bool) []string {
	if field, ok := queryRetrieveField(abstract); ok {
		if s.services[field] == nil || !contains(s.cfg.AcceptedSOPClasses, abstract) {
			return nil
		}
		return QueryRetrieveTransferSyntaxes
	}
	if !storeSCP && !contains(s.cfg.AcceptedSOPClasses, abstract) {
		return nil
	}
	switch {
	case abstract == VerificationSOPClass:
		return VerificationTransferSyntaxes
	case isImageStorage(abstract):
		return s.cfg.ImageTransferSyntaxes
	default:
		return s.cfg.OtherTransferSyntaxes
	}
}

// storeSCPRoles returns the storage SOP classes for which the server grants
// the requestor's proposal to act as SCP (PS3.7 D.3.3.4): all of
// StorageSOPClasses that it proposes with SCP=1, when a C-GET service is
// registered, and none otherwise. On the contexts of these classes the node
// sends the C-STORE sub-operations of C-GET (PS3.4 C.4.3).
func (s *Server) storeSCPRoles(rq *pdu.AssociateRQ) map[string]bool {
	roles := map[string]bool{}
	if s.services[dimse.CGetRQ] == nil {
		return roles
	}
	for _, r := range rq.UserInfo.RoleSelections {
		if r.SCP && contains(StorageSOPClasses, r.SOPClassUID) {
			roles[r.SOPClassUID] = true
		}
	}
	return roles
}

// negotiate builds the A-ASSOCIATE-AC for an acceptable request: a result
// for every proposed presentation context (PS3.8 section 9.3.3.2), the
// answers to the role selection and asynchronous operations window
// sub-items, and nothing for the negotiations the node does not support
// (extended negotiation, user identity), which PS3.7 Annex D.3.3 lets an
// acceptor leave unanswered.
func (s *Server) negotiate(rq *pdu.AssociateRQ) (*pdu.AssociateAC, map[byte]*presContext) {
	ac := &pdu.AssociateAC{
		ProtocolVersion:    pdu.ProtocolVersion,
		CalledAE:           rq.CalledAE,
		CallingAE:          rq.CallingAE,
		ApplicationContext: ApplicationContextName,
		UserInfo: pdu.UserInfo{
			MaxLength:                 s.cfg.MaxPDULength,
			HasMaxLength:              true,
			ImplementationClassUID:    ImplementationClassUID,
			ImplementationVersionName: ImplementationVersionName,
		},
	}
	storeSCP := s.storeSCPRoles(rq)
	contexts := map[byte]*presContext{}
	acceptedAbstract := map[string]bool{}
	for _, pc := range rq.PresentationContexts {
		res := pdu.PresentationContextAC{ID: pc.ID, Result: pdu.ResultNoReason, TransferSyntax: pc.TransferSyntaxes[0]}
		_, dup := contexts[pc.ID]
		switch ts := s.transferSyntaxesFor(pc.AbstractSyntax, storeSCP[pc.AbstractSyntax]); {
		case pc.ID%2 == 0 || dup:
			// PS3.8 9.3.2.2: IDs are odd and unique; an invalid one is
			// rejected without reason and never used.
		case ts == nil:
			res.Result = pdu.ResultAbstractSyntaxNotSupported
		default:
			res.Result = pdu.ResultTransferSyntaxesNotSupported
			for _, want := range ts {
				if contains(pc.TransferSyntaxes, want) {
					res.Result = pdu.ResultAcceptance
					res.TransferSyntax = want
					break
				}
			}
		}
		ac.PresentationContexts = append(ac.PresentationContexts, res)
		if pc.ID%2 == 0 || dup {
			continue
		}
		contexts[pc.ID] = &presContext{
			id:             pc.ID,
			abstractSyntax: pc.AbstractSyntax,
			transferSyntax: res.TransferSyntax,
			accepted:       res.Result == pdu.ResultAcceptance,
			sendStore:      res.Result == pdu.ResultAcceptance && storeSCP[pc.AbstractSyntax],
		}
		if res.Result == pdu.ResultAcceptance {
			acceptedAbstract[pc.AbstractSyntax] = true
		}
	}

	// SCP/SCU role selection (PS3.7 D.3.3.4): the requestor may be SCU of
	// what we accepted. It may be SCP only of the storage SOP classes that
	// storeSCPRoles granted, which the node sends as C-GET sub-operations.
	// On an association it accepted, the node acts as SCU of nothing else.
	for _, r := range rq.UserInfo.RoleSelections {
		if acceptedAbstract[r.SOPClassUID] {
			ac.UserInfo.RoleSelections = append(ac.UserInfo.RoleSelections, pdu.RoleSelection{SOPClassUID: r.SOPClassUID, SCU: r.SCU, SCP: storeSCP[r.SOPClassUID]})
		}
	}
	// Asynchronous operations (PS3.7 D.3.3.3): one at a time each way.
	if rq.UserInfo.AsyncOperationsWindow != nil {
		ac.UserInfo.AsyncOperationsWindow = &pdu.AsyncOperationsWindow{MaxInvoked: 1, MaxPerformed: 1}
	}
	return ac, contexts
}
