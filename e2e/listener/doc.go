// Package listener holds the end-to-end checks of the DICOM listener: the
// tests build the real mdm2node binary, run `mdm2node serve` on a free
// loopback port and talk to it with DCMTK (echoscu, storescu) as an
// independent peer. A recording proxy between storescu and the node keeps
// the bytes storescu sent, so that each stored data set can be compared
// byte for byte with what went over the wire.
//
// MDM2NODE_E2E_RACE=1 builds the binary with the race detector; a data race
// then makes the node exit non-zero and the test that stops it fail.
package listener
