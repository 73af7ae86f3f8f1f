// Package listener holds the end-to-end checks of the DICOM listener: the
// tests build the real mdm2node binary, run `mdm2node serve` on a free
// loopback port and talk to it with DCMTK (echoscu, storescu) as an
// independent peer. A recording proxy between storescu and the node keeps
// the bytes storescu sent, so that each stored data set can be compared
// byte for byte with what went over the wire.
package listener
