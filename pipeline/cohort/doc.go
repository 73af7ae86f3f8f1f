// Package cohort reads and writes the two files a site prepares to train and
// validate the model: the manifest, which lists the studies with their label,
// cohort and clinical variables, and the feature table, which holds each
// study's radiomics and deep features per modality.
//
// # Manifest
//
// A CSV file (RFC 4180, comma separated, UTF-8) with a header row. Column
// names are matched without regard to case and surrounding spaces.
//
//	study    required  Study Instance UID or study folder name; the key of the
//	                   feature table; unique.
//	label    required  "lipoma" (label 0, MDM2 not amplified) or "WDLPS"
//	                   (label 1, amplified); case-insensitive; empty is
//	                   allowed only for cohort "validation" (unknown outcome).
//	cohort   required  "train" or "validation".
//	path     optional  folder of the study's DICOM files, relative to the
//	                   manifest's folder; used by `mdm2node extract`.
//	any other          a clinical variable, for example age (years) and ldh
//	                   (serum lactate dehydrogenase, U/L). A column whose
//	                   non-empty values all parse as numbers is numeric; an
//	                   empty cell is a missing value (NaN). Other columns are
//	                   kept as text and never enter a model.
//
// # Feature table
//
// A CSV file with a header row "study,<feature>,<feature>,...": one row per
// study, the study column matching the manifest. A feature name is the
// modality, an underscore and the feature's own name:
//
//	CT_original_firstorder_Mean          radiomics (PyRadiomics naming)
//	T2FS_wavelet-LLH_glcm_Contrast       radiomics
//	T1WI_deep_resnet50_0000              deep feature 0 of ResNet50
//
// The modality is CT, T1WI or T2FS. A name whose part after the modality
// starts with "deep_" is a deep feature; every other name is a radiomics
// feature. Values are decimal numbers; "NaN" or an empty cell is a missing
// value, which the reader keeps and training rejects.
package cohort
