// Package pdu encodes and decodes the protocol data units of the DICOM upper
// layer (PS3.8 section 9.3): the seven PDU types A-ASSOCIATE-RQ/AC/RJ,
// P-DATA-TF, A-RELEASE-RQ/RP and A-ABORT, and the items of the associate
// PDUs, including the User Information sub-items of PS3.7 Annex D.3.3
// (Maximum Length, Implementation Class UID and Version Name, Asynchronous
// Operations Window, SCP/SCU Role Selection, SOP Class Extended and Common
// Extended Negotiation, User Identity).
//
// Every PDU starts with a 6-byte header (PS3.8 Table 9-11 and following):
//
//	offset 0  PDU-type          1 byte
//	offset 1  reserved          1 byte
//	offset 2  PDU-length        4 bytes, big endian, length of what follows
//
// A Reader reads PDUs from a connection and checks the declared length
// against its limits before it allocates anything, so a peer that declares a
// PDU of gigabytes gets ErrTooLong, never an allocation. Decoders never panic
// on input; items of unknown type are skipped (and kept as raw items so that a
// decoded PDU encodes back to the same bytes).
package pdu
