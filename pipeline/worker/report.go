package worker

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/suyashkumar/dicom"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
	"github.com/mdm2node/mdm2node/report/sr"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// InstanceStore is the part of store.Store the worker writes reports with.
type InstanceStore interface {
	BeginStore(req *scp.StoreRequest) (scp.StoreSink, error)
	Instance(sopInstanceUID string) (store.InstanceRecord, error)
	Dir() string
}

// explicitVRLittleEndian is the transfer syntax sr.Encode writes.
const explicitVRLittleEndian = "1.2.840.10008.1.2.1"

// AlgorithmName identifies the node's pipeline in the report.
const AlgorithmName = "mdm2node MDM2 amplification pipeline"

// TrainingStatement describes the training data of b for the report's
// disclaimer: the cohort size and classes and the dataset digest. A
// non-empty override (the pipeline.training_data configuration key) is used
// as it is.
func TrainingStatement(b *bundle.Bundle, override string) string {
	if s := strings.TrimSpace(override); s != "" {
		return s
	}
	t := b.Training
	digest := t.DatasetSHA256
	if len(digest) > 12 {
		digest = digest[:12]
	}
	return fmt.Sprintf("a cohort of %d studies (%d lipoma, %d WDLPS) listed in %s, dataset SHA-256 %s",
		t.Samples, t.Lipoma, t.WDLPS, t.ManifestFile, digest)
}

// buildReport encodes the SR of one scored job.
func buildReport(job *pipeline.Job, d Deps, kind sr.ModelKind, likelihood, threshold float64) ([]byte, sr.Written, error) {
	// 1. Source attributes and references from the study's own instances.
	var paths []string
	for _, r := range job.Roles {
		paths = append(paths, r.Files...)
		if r.RegionFile != "" {
			paths = append(paths, r.RegionFile)
		}
	}
	datasets := make([]*dicom.Dataset, 0, len(paths))
	for _, p := range paths {
		ds, err := dicom.ParseFile(p, nil, dicom.SkipPixelData())
		if err != nil {
			return nil, sr.Written{}, fmt.Errorf("%w: %s: %w", ErrReport, p, err)
		}
		datasets = append(datasets, &ds)
	}
	src, err := sr.SourceFromDatasets(datasets)
	if err != nil {
		return nil, sr.Written{}, fmt.Errorf("%w: %w", ErrReport, err)
	}
	if p := job.Previous; p != nil {
		src.Predecessor = &sr.Instance{StudyInstanceUID: p.StudyUID, SeriesInstanceUID: p.SeriesUID,
			SOPClassUID: p.SOPClassUID, SOPInstanceUID: p.SOPInstanceUID}
	}

	// 2. The result.
	class := sr.ClassLipoma
	if likelihood >= threshold {
		class = sr.ClassWellDifferentiatedLiposarcoma
	}
	b := d.Bundle
	id := d.BundleID
	if id == "" {
		id = b.Primary + " " + b.Created.UTC().Format("20060102T150405Z")
	}
	version := b.Software
	if version == "" {
		version = "unknown"
	}
	res := &sr.Result{
		Likelihood: likelihood, Threshold: threshold, Class: class, Model: kind,
		AlgorithmName: AlgorithmName, AlgorithmVersion: truncate(version, 64),
		AlgorithmParameters: []string{"primary model: " + b.Primary},
		BundleID:            truncate(id, 64), BundleSHA256: d.BundleSHA256,
		TrainingData: d.TrainingData,
	}
	opts := d.SR
	if opts.SeriesNumber == 0 {
		opts.SeriesNumber = 9000 + job.Version
	}
	file, w, err := sr.Encode(res, src, opts)
	if err != nil {
		return nil, sr.Written{}, fmt.Errorf("%w: %w", ErrReport, err)
	}
	return file, w, nil
}

// storeReport stores the PS3.10 file through the same path as a received
// instance and returns the stored file's absolute path.
func storeReport(st InstanceStore, file []byte, ref pipeline.SRRef) (string, error) {
	ts, offset, err := store.SplitPart10(file)
	if err != nil {
		return "", fmt.Errorf("%w: encoded report: %w", ErrReport, err)
	}
	if ts == "" {
		ts = explicitVRLittleEndian
	}
	req := &scp.StoreRequest{
		AssociationID: "pipeline", SOPClassUID: ref.SOPClassUID, SOPInstanceUID: ref.SOPInstanceUID,
		TransferSyntaxUID: ts,
	}
	sink, err := st.BeginStore(req)
	if err != nil {
		return "", fmt.Errorf("%w: store report %s: %w", ErrReport, ref.SOPInstanceUID, err)
	}
	if _, err := bytes.NewReader(file[offset:]).WriteTo(sink); err != nil {
		sink.Abort()
		return "", fmt.Errorf("%w: store report %s: %w", ErrReport, ref.SOPInstanceUID, err)
	}
	status, err := sink.Commit()
	if err != nil || status != store.StatusSuccess {
		return "", fmt.Errorf("%w: store report %s: status %04X: %v", ErrReport, ref.SOPInstanceUID, status, err)
	}
	rec, err := st.Instance(ref.SOPInstanceUID)
	if err != nil {
		return "", fmt.Errorf("%w: stored report %s: %w", ErrReport, ref.SOPInstanceUID, err)
	}
	return filepath.Join(st.Dir(), rec.Path), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// DeviceUID derives a stable Device Observer UID from a name that is
// constant for one installation, for example the AE title and the absolute
// data folder. The UID is the first 128 bits of the name's SHA-256, written
// as a decimal integer under the 2.25 root (PS3.5 Annex B.2).
func DeviceUID(name string) string {
	sum := sha256.Sum256([]byte("mdm2node device\x00" + name))
	n := new(big.Int).SetBytes(sum[:16])
	return "2.25." + n.String()
}
