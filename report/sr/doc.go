// Package sr writes the result of one scored study as a DICOM Structured
// Report: an Imaging Measurement Report (PS3.16 TID 1500) in a Comprehensive
// SR object (PS3.3 A.35.3, SOP Class 1.2.840.10008.5.1.4.1.1.88.33), stored
// as a PS3.10 file in Explicit VR Little Endian.
//
// The report carries the likelihood of MDM2 amplification of a fatty
// soft-tissue tumour as a NUM in [0, 1] with the UCUM unit "1". It also
// carries the predicted class (lipoma or well-differentiated liposarcoma, as
// SNOMED CT codes), the decision threshold, the contributing model and the
// algorithm identification (PS3.16 TID 4019). Concepts without a standard code use the private coding
// scheme "99MDM2", declared in the Coding Scheme Identification Sequence
// (0008,0110). The content tree and every code are listed in docs/SR.md.
//
// The patient and study modules are copied from the source study, so the SR
// joins the same study in a new series. The Current Requested Procedure
// Evidence Sequence (0040,A375) lists every source image and segmentation,
// and a previous report of the same study goes in the Predecessor Documents
// Sequence (0040,A360).
//
// The data set is built as github.com/suyashkumar/dicom elements and written
// with dicom.Write (v1.1.0). That writer keeps elements in the order it is
// given, so this package sorts every data set and sequence item by tag. It
// writes sequences and items with undefined length and delimitation items,
// which PS3.5 section 7.5 allows.
package sr
