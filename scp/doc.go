// Package scp is the node's DICOM network protocol: the upper layer of PS3.8
// (association state machine, presentation-context negotiation, P-DATA
// reassembly and fragmentation, release and abort, timers) and the DIMSE
// services of PS3.7 that the node offers: C-ECHO and C-STORE as SCP, and
// C-ECHO and C-STORE as SCU for result delivery. Query/Retrieve services
// (C-FIND, C-MOVE, C-GET) are Services registered with Server.Handle.
//
// Layers and files:
//
//	scp/pdu      PDU codec (PS3.8 section 9.3), with length limits checked
//	             before any allocation
//	scp/dimse    DIMSE command-set codec (PS3.7 section 6.3, Annex E)
//	fsm.go       the state machine of PS3.8 section 9.2 as one table keyed
//	             by (state, event), in the standard's vocabulary
//	association.go  the driver of one association: reads PDUs, maps them
//	             to events, implements the actions' side effects (Host)
//	negotiate.go A-ASSOCIATE-RJ reasons and presentation-context results
//	pdata.go     PDV reassembly into command and data set streams
//	service.go   the Service/Operation interface that C-ECHO and C-STORE
//	             implement, and that C-FIND, C-MOVE and C-GET implement
//	respond.go   the Responder passed to Operation.Finish, with what
//	             multi-response services need: CancelChecker (C-CANCEL-RQ)
//	             and SubStorer (C-STORE sub-operations of C-GET)
//	server.go    Server: Serve, Shutdown, Close
//	client.go    Client: the SCU side (Dial, Echo, Store, Release, Abort)
//
// One goroutine owns each association and its state machine. The ARTIM
// timer and the ACSE, DIMSE and idle timeouts are implemented as read
// deadlines on the connection: in every state where one of them runs, the
// goroutine is waiting for the peer. Data set fragments go from the read
// buffer straight to the StoreSink, so an instance is never held in memory;
// each PDU is written with one Write call, and Nagle's algorithm is off.
//
// Operation.Finish runs on the association's goroutine too, so while a
// service streams pending responses nothing else reads the connection. The
// Responder's Canceled and SubStore methods read the PDUs that arrive
// meanwhile on that goroutine; no goroutine is added per operation.
package scp
