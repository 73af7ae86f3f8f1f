// Package synth generates synthetic phantom studies for the demonstration
// model and the end-to-end tests. Each study has a contrast-enhanced CT, an
// axial T1-weighted MR and an axial fat-suppressed T2-weighted MR series of
// single-frame instances (PS3.3 A.3 CT Image IOD and A.4 MR Image IOD). The
// files are Part 10 files (PS3.10) in Explicit VR Little Endian. Each series
// gets a DICOM Segmentation of the tumour, and a manifest CSV lists the
// label and the clinical variables.
//
// The phantom is a body cross-section (thigh, trunk wall or abdomen) with
// skin, subcutaneous fat, muscle, bone and vessels, and a fatty tumour that
// follows the radiology of the two entities. A lipoma is homogeneous fat
// with few thin septa. A well-differentiated liposarcoma is larger and more
// often deep, with thick irregular septa and nodular non-fatty components
// that enhance on CT and are bright on T2 with fat suppression. One latent
// severity score per study drives these features with noise, so that the
// classes overlap. Nothing here is patient data: names, identifiers, dates
// and images are all generated.
//
// Everything is a function of the seed: the same seed gives byte-identical
// files, UIDs included (they are derived from the seed under the 2.25 root).
package synth
