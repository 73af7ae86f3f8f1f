// Package worker runs the pipeline on a study that is ready. It loads the
// image series and tumour region of each role (CT, T1WI, T2FS) and computes
// the radiomics and deep features of each region. It scores them with the
// model bundle, writes a DICOM Structured Report, stores the report as an
// ordinary instance of the study and hands it to delivery.
//
// Feature names follow the feature table of package cohort: the modality of
// the role (CT, T1WI or T2FS), an underscore and the extractor's own name,
// for example CT_original_firstorder_Mean or T1WI_deep_resnet50_0000. The
// same Features value computes the training table (CohortTable) and the
// features of a study in the node (Process), so a bundle trained on the
// table sees the same names and the same preprocessing at scoring time.
//
// Run consumes a pipeline.JobQueue: it takes a job with Next, processes it
// and records the outcome with Complete, or the reason of a failure with
// Fail, which leaves the study in the failed state.
package worker
