package synth

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ManifestName is the file name of the manifest in the output folder.
const ManifestName = "manifest.csv"

// manifestHeader lists the manifest's columns. mdm2_amplified is 1 for
// WDLPS and 0 for lipoma, and the *_voxels columns count the mask voxels of
// each series' SEG.
var manifestHeader = []string{
	"study_id", "folder", "study_uid", "patient_id", "label", "mdm2_amplified", "cohort",
	"age", "sex", "ldh", "location", "deep", "longest_mm", "septa", "nodules",
	"ct_voxels", "t1wi_voxels", "t2fs_voxels",
}

// Generate renders and writes p.N studies numbered from p.First and the
// manifest p.Out/manifest.csv, which it overwrites. progress, when not nil,
// is called after each study. It returns the manifest records.
func Generate(p Params, progress func(done, total int, r Record)) ([]Record, error) {
	p = p.withDefaults()
	if p.Out == "" {
		return nil, fmt.Errorf("%w: empty output folder", ErrParams)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(p.Out, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	var records []Record
	for i := 0; i < p.N; i++ {
		st, err := Render(p, p.First+i)
		if err != nil {
			return nil, err
		}
		rec, err := st.Write(p.Out, p.Cohort)
		if err != nil {
			return nil, err
		}
		records = append(records, rec)
		if progress != nil {
			progress(i+1, p.N, rec)
		}
	}
	if err := WriteManifest(filepath.Join(p.Out, ManifestName), records); err != nil {
		return nil, err
	}
	return records, nil
}

// WriteManifest writes records as CSV with a header row.
func WriteManifest(path string, records []Record) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWrite, err)
	}
	w := csv.NewWriter(f)
	w.Write(manifestHeader)
	for _, r := range records {
		amplified := "0"
		if r.Label == LabelWDLPS {
			amplified = "1"
		}
		w.Write([]string{
			r.StudyID, r.Folder, r.StudyUID, r.PatientID, r.Label, amplified, r.Cohort,
			strconv.Itoa(r.Age), r.Sex, strconv.FormatFloat(r.LDH, 'f', -1, 64), r.Location,
			strconv.FormatBool(r.Deep), strconv.FormatFloat(r.LongestMM, 'f', -1, 64),
			strconv.Itoa(r.Septa), strconv.Itoa(r.Nodules),
			strconv.Itoa(r.Voxels[RoleCT]), strconv.Itoa(r.Voxels[RoleT1WI]), strconv.Itoa(r.Voxels[RoleT2FS]),
		})
	}
	w.Flush()
	err = w.Error()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: manifest %s: %v", ErrWrite, path, err)
	}
	return nil
}
