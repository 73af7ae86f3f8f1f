// Package dimse encodes and decodes DIMSE command sets (PS3.7 section 6.3 and
// section 9.3, Annex E): the group 0000 elements that head every DIMSE message,
// always in Implicit VR Little Endian with the Command Group Length (0000,0000)
// first, whatever transfer syntax the data set uses.
//
// A Command is a list of elements kept in tag order; typed accessors read and
// write the fields of PS3.7 Annex E. Decode never panics on input: every
// length is checked against the bytes that remain before it is used.
package dimse
