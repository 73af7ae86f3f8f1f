// Package results holds the integration tests of result delivery and
// retrieval: the delivery queue and worker sending to DCMTK storescp and
// Orthanc (PS3.4 Annex B, Storage SCU), `mdm2node push`, `deliveries` and
// `resend`, and the C-MOVE and C-GET SCP (PS3.4 Annex C) driven by DCMTK
// movescu and getscu. Every server listens on 127.0.0.1 on a free port and
// is stopped when its test ends.
package results
