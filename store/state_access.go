package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Accessors for the study tracker and the C-FIND SCP, which read the index
// beyond the queries of query.go.

// Changes returns a counter that moves each time instances are committed to
// the index, so that a poller can skip a pass when nothing arrived.
func (s *Store) Changes() int64 { return s.changes.Load() }

// Patient returns the record of a patient, or an error wrapping
// ErrNotFound.
func (ix *Index) Patient(patientID string) (PatientRecord, error) {
	var p PatientRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPatients)
		found := false
		var err error
		if b != nil {
			found, err = getJSON(b, patientKey(patientID), &p)
		}
		if err == nil && !found {
			err = fmt.Errorf("%w: patient %q", ErrNotFound, patientID)
		}
		return err
	})
	return p, err
}

// InstancesOfStudy returns every instance of a study, series by series.
func (ix *Index) InstancesOfStudy(studyUID string) ([]InstanceRecord, error) {
	series, err := ix.SeriesOfStudy(studyUID)
	if err != nil {
		return nil, err
	}
	var out []InstanceRecord
	for _, se := range series {
		recs, err := ix.InstancesOfSeries(studyUID, se.SeriesInstanceUID)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}
