// Package segwrite writes a binary DICOM Segmentation (SEG) instance for one
// region mask drawn on the grid of a single-frame CT or MR series.
//
// The object follows the Segmentation IOD of PS3.3 section A.51. The Patient
// and General Study modules are copied from a source instance. The
// Segmentation Image module (C.8.20.2) contains one Segment Sequence item
// with a coded category and type (CID 7150 and CID 7151). The Multi-frame
// Functional Groups module (C.7.6.16) gives every frame its Pixel Measures,
// Plane Orientation and Plane Position, a Derivation Image item that
// references the source slice, and the Segment Identification. The Common
// Instance Reference module (C.12.2) lists the source instances.
//
// Pixel data is 1 bit per pixel with the frames packed one after the other
// without padding between frames, as PS3.5 section 8.1.1 requires for Bits
// Allocated 1. The file is written in Part 10 format (PS3.10) with the
// Explicit VR Little Endian transfer syntax.
package segwrite
