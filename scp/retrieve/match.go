package retrieve

import (
	"errors"
	"fmt"

	"github.com/mdm2node/mdm2node/store"
)

// Index is the part of the store's index that matching reads. *store.Store
// and *store.Index implement it.
type Index interface {
	Studies() ([]store.StudyRecord, error)
	SeriesOfStudy(studyUID string) ([]store.SeriesRecord, error)
	InstancesOfSeries(studyUID, seriesUID string) ([]store.InstanceRecord, error)
	Instance(sopInstanceUID string) (store.InstanceRecord, error)
}

// Information models of the retrieve SOP classes.
const (
	modelPatientRoot = "patient"
	modelStudyRoot   = "study"
)

// Match returns the stored instances that id selects in the information
// model (modelPatientRoot or modelStudyRoot), each once: in the order of the
// identifier's UIDs, then in the index's series and SOP Instance UID order.
// A unique key missing for the level, or a level the model does not have,
// returns an error wrapping ErrIdentifier. A retrieve identifier contains
// the unique keys of its level and of the levels above it.
func Match(ix Index, model string, id *Identifier) ([]store.InstanceRecord, error) {
	// 1. The unique keys the level requires.
	switch id.Level {
	case LevelPatient:
		if model != modelPatientRoot {
			return nil, fmt.Errorf("%w: level PATIENT in the Study Root model", ErrIdentifier)
		}
		if id.PatientID == "" {
			return nil, fmt.Errorf("%w: level PATIENT without Patient ID (0010,0020)", ErrIdentifier)
		}
	case LevelStudy:
		if len(id.StudyUIDs) == 0 {
			return nil, fmt.Errorf("%w: level STUDY without Study Instance UID (0020,000D)", ErrIdentifier)
		}
	case LevelSeries:
		if len(id.StudyUIDs) != 1 || len(id.SeriesUIDs) == 0 {
			return nil, fmt.Errorf("%w: level SERIES needs one Study Instance UID and Series Instance UIDs", ErrIdentifier)
		}
	case LevelImage:
		if len(id.StudyUIDs) != 1 || len(id.SeriesUIDs) != 1 || len(id.SOPInstanceUIDs) == 0 {
			return nil, fmt.Errorf("%w: level IMAGE needs one Study and one Series Instance UID and SOP Instance UIDs", ErrIdentifier)
		}
	default:
		return nil, fmt.Errorf("%w: Query/Retrieve Level %q", ErrIdentifier, id.Level)
	}

	// 2. The instances.
	var out []store.InstanceRecord
	seen := map[string]bool{}
	add := func(recs ...store.InstanceRecord) {
		for _, r := range recs {
			if !seen[r.SOPInstanceUID] {
				seen[r.SOPInstanceUID] = true
				out = append(out, r)
			}
		}
	}
	addStudy := func(study string) error {
		series, err := ix.SeriesOfStudy(study)
		if err != nil {
			return err
		}
		for _, s := range series {
			recs, err := ix.InstancesOfSeries(study, s.SeriesInstanceUID)
			if err != nil {
				return err
			}
			add(recs...)
		}
		return nil
	}
	switch id.Level {
	case LevelPatient:
		studies, err := ix.Studies()
		if err != nil {
			return nil, err
		}
		for _, st := range studies {
			if st.PatientID == id.PatientID {
				if err := addStudy(st.StudyInstanceUID); err != nil {
					return nil, err
				}
			}
		}
	case LevelStudy:
		for _, study := range id.StudyUIDs {
			if err := addStudy(study); err != nil {
				return nil, err
			}
		}
	case LevelSeries:
		for _, series := range id.SeriesUIDs {
			recs, err := ix.InstancesOfSeries(id.StudyUIDs[0], series)
			if err != nil {
				return nil, err
			}
			add(recs...)
		}
	case LevelImage:
		for _, sop := range id.SOPInstanceUIDs {
			r, err := ix.Instance(sop)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if r.StudyInstanceUID == id.StudyUIDs[0] && r.SeriesInstanceUID == id.SeriesUIDs[0] {
				add(r)
			}
		}
	}

	// 3. Patient Root below PATIENT: the instances must be the patient's.
	if model == modelPatientRoot && id.Level != LevelPatient && id.PatientID != "" {
		kept := out[:0]
		for _, r := range out {
			if r.PatientID == id.PatientID {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return out, nil
}
