// Package results delivers the node's results: it sends stored instances,
// the Structured Reports above all, to DICOM destinations with the Storage
// service class as SCU (PS3.4 Annex B, PS3.7 section 9.1.1), and runs the
// delivery worker that drains the queue kept in the store's index.
//
// Files:
//
//	instance.go  reading a file (Part 10 or bare data set) as an Instance
//	send.go      one association that stores a list of instances (C-STORE SCU)
//	convert.go   re-encoding between Explicit and Implicit VR Little Endian
//	              (PS3.5 section 7.1 and Annex A.1, A.2) when the peer accepts
//	              only the other one
//	backoff.go   the retry schedule: exponential back-off up to a maximum age
//	worker.go    the delivery worker: one goroutine per destination, so a
//	              destination that hangs or rejects never delays the others;
//	              every attempt is written to the audit log
//
// The queue itself lives in package store (store/delivery.go), in the same
// bbolt database as the index, so it survives restarts: the worker computes
// its timers from the stored next-attempt times.
package results
