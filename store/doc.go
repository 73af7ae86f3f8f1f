// Package store keeps what the node receives: each instance as a DICOM Part
// 10 file (PS3.10 7.1) under <data dir>/<study UID>/<series UID>/<SOP
// instance UID>.dcm, and its metadata in a bbolt index (<data dir>/index.db)
// with buckets for patients, studies, series and instances.
//
// Store implements scp.StoreHandler. A data set streams from the P-DATA
// fragments into a temporary file in <data dir>/tmp behind a File Meta
// Information group built from the C-STORE request, so an instance is never
// held whole in memory. Commit then runs these steps, and returns Success
// (0000) only after the last one:
//
//  1. check every value length up to the end of group 0020 against the bytes
//     received (walk.go), then parse that header with the codec in the
//     negotiated transfer syntax. Its SOP Class and SOP Instance UIDs must
//     be those of the command (A900 otherwise, C000 when it cannot be parsed);
//  2. check that the Study, Series and SOP Instance UIDs are valid UIDs
//     (PS3.5 9.1) before any of them becomes part of a path (A900);
//  3. fsync the file and rename it into place;
//  4. fsync its folder and, at the same time, write its metadata to the
//     index in one bbolt transaction. A committer goroutine does both for
//     all the instances waiting at that moment, so concurrent associations
//     share the fsyncs (commit.go).
//
// Any failure removes the temporary file, so no partial file exists and
// nothing is indexed. The data set bytes in the stored file are exactly the
// bytes received.
//
// Why Success means durable: the file is fsynced before its rename, so a
// file found under its final name after a crash holds all its bytes. Success
// waits for both the folder fsync, which makes the name durable, and the
// bbolt commit, so an acknowledged instance survives a crash with its file
// and its index entry. Their order does not matter for it. A crash before
// Success can leave a file without an index entry, which is never
// acknowledged and is replaced when the peer sends the instance again, or an
// index entry without a file. The second case comes only from the last group
// commit, because the committer starts a group after the folder fsyncs of
// the one before it ended. Its transaction lists the group's SOP Instance
// UIDs, and Open drops those of them whose file is missing and logs each.
//
// While it runs, the store rewrites studies.json, a listing of the index
// that readers use while the store holds the index's lock (snapshot.go).
//
// Sub-package audit writes the audit log.
package store
