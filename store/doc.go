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
//  1. parse the data set's header (up to group 0020) in the negotiated
//     transfer syntax and check that its SOP Class and SOP Instance UIDs are
//     those of the command (A900 otherwise, C000 when it cannot be parsed);
//  2. check that the Study, Series and SOP Instance UIDs are valid UIDs
//     (PS3.5 9.1) before any of them becomes part of a path (A900);
//  3. fsync the file, rename it into place and fsync its folder;
//  4. write its metadata to the index in one bbolt transaction.
//
// Any failure removes the temporary file, so no partial file exists and
// nothing is indexed. The data set bytes in the stored file are exactly the
// bytes received.
//
// Sub-package audit writes the audit log.
package store
