package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mdm2node/mdm2node/series/segwrite"
	"github.com/suyashkumar/dicom"
)

// Record is one row of the manifest: the identity, label and clinical
// variables of a written study and a summary of its tumour.
type Record struct {
	StudyID   string
	Folder    string
	StudyUID  string
	PatientID string
	Label     string
	Cohort    string
	Age       int
	Sex       string
	LDH       float64
	Location  string
	Deep      bool
	LongestMM float64
	Septa     int
	Nodules   int
	// Voxels is the number of tumour voxels of each role's mask.
	Voxels map[string]int
}

// segSeriesNumbers are the series numbers of the SEG of each role.
var segSeriesNumbers = map[string]int{RoleCT: 103, RoleT1WI: 105, RoleT2FS: 106}

// Write writes the study under dir/<study id>/ with one folder per image
// series (CT, T1WI, T2FS) and one per SEG (SEG_CT, SEG_T1WI, SEG_T2FS), and
// returns its manifest record. cohort fills the record's cohort column.
func (st *Study) Write(dir, cohort string) (Record, error) {
	folder := filepath.Join(dir, st.Case.ID)
	rec := Record{
		StudyID: st.Case.ID, Folder: st.Case.ID, StudyUID: st.info.studyUID,
		PatientID: "SYNTH-" + st.Case.ID, Label: st.Case.Label, Cohort: cohort,
		Age: st.Case.Age, Sex: st.Case.Sex, LDH: st.Case.LDH,
		Location: st.Case.Location, Deep: st.Case.Deep,
		LongestMM: st.morph.LongestMM, Septa: st.morph.Septa, Nodules: st.morph.Nodules,
		Voxels: map[string]int{},
	}
	for _, role := range Roles {
		se := st.Series[role]
		if se.Mask.Count() == 0 {
			return Record{}, fmt.Errorf("%w: the tumour of %s covers no voxel centre of the %s grid; use a larger matrix or more slices", ErrParams, st.Case.ID, role)
		}
		header, err := st.writeSeries(filepath.Join(folder, role), se)
		if err != nil {
			return Record{}, err
		}
		if err := st.writeSEG(filepath.Join(folder, "SEG_"+role), se, header); err != nil {
			return Record{}, err
		}
		rec.Voxels[role] = se.Mask.Count()
	}
	return rec, nil
}

// writeSeries writes one file per slice and returns the data set of the
// first slice, from which the SEG copies patient and study attributes.
func (st *Study) writeSeries(dir string, se *Series) (*dicom.Dataset, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrite, err)
	}
	var first *dicom.Dataset
	for k := 0; k < se.info.grid.Size[2]; k++ {
		ds, err := imageDataset(&st.info, &se.info, k, storedValues(&se.Image, k, se.info.role == RoleCT))
		if err != nil {
			return nil, err
		}
		if err := writeDataset(filepath.Join(dir, fmt.Sprintf("IM%04d.dcm", k+1)), ds); err != nil {
			return nil, err
		}
		if k == 0 {
			// Keep the header without the pixel data.
			first = &dicom.Dataset{Elements: ds.Elements[:len(ds.Elements)-1]}
		}
	}
	return first, nil
}

func (st *Study) writeSEG(dir string, se *Series, header *dicom.Dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %v", ErrWrite, err)
	}
	sopClass := mrImageStorage
	if se.info.role == RoleCT {
		sopClass = ctImageStorage
	}
	src := segwrite.Source{
		Header:              header,
		SeriesInstanceUID:   se.info.seriesUID,
		FrameOfReferenceUID: se.info.frameUID,
		Geometry:            se.info.grid,
		SliceThickness:      se.info.thickness,
	}
	for _, u := range se.info.instanceUIDs {
		src.Instances = append(src.Instances, segwrite.Instance{SOPClassUID: sopClass, SOPInstanceUID: u})
	}
	seg := segwrite.Segment{
		Label:         "Tumour",
		Description:   "Whole tumour",
		AlgorithmType: segwrite.AlgorithmAutomatic,
		AlgorithmName: "mdm2node synth phantom",
	}
	opts := segwrite.Options{
		SeriesNumber:             segSeriesNumbers[se.info.role],
		SeriesDescription:        "Tumour ROI " + se.info.role,
		ContentLabel:             "TUMOUR",
		ContentCreatorName:       "SYNTH^GENERATOR",
		Time:                     se.info.acquired.Add(2 * time.Hour),
		SeriesInstanceUID:        derivedUID(st.seed, st.Case.ID, se.info.role, "seg-series"),
		SOPInstanceUID:           derivedUID(st.seed, st.Case.ID, se.info.role, "seg-instance"),
		DimensionOrganizationUID: derivedUID(st.seed, st.Case.ID, se.info.role, "seg-dimensions"),
	}
	if _, err := segwrite.WriteFile(filepath.Join(dir, "SEG.dcm"), src, &se.Mask, seg, opts); err != nil {
		return fmt.Errorf("%w: SEG of %s: %v", ErrWrite, se.info.role, err)
	}
	return nil
}

// writeDataset writes ds to path as a Part 10 file.
func writeDataset(path string, ds dicom.Dataset) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWrite, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	err = dicom.Write(bw, ds)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrWrite, path, err)
	}
	return nil
}
