package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Studies returns every stored study in Study Instance UID order.
func (ix *Index) Studies() ([]StudyRecord, error) {
	var out []StudyRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStudies)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var s StudyRecord
			if _, err := getJSON(b, k, &s); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	})
	return out, err
}

// Study returns one study, or an error wrapping ErrNotFound.
func (ix *Index) Study(studyUID string) (StudyRecord, error) {
	var s StudyRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStudies)
		if b == nil {
			return fmt.Errorf("%w: study %s", ErrNotFound, studyUID)
		}
		found, err := getJSON(b, []byte(studyUID), &s)
		if err == nil && !found {
			err = fmt.Errorf("%w: study %s", ErrNotFound, studyUID)
		}
		return err
	})
	return s, err
}

// SeriesOfStudy returns the series of a study in Series Instance UID order.
func (ix *Index) SeriesOfStudy(studyUID string) ([]SeriesRecord, error) {
	var out []SeriesRecord
	prefix := []byte(studyUID + "/")
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var s SeriesRecord
			if _, err := getJSON(b, k, &s); err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// InstancesOfSeries returns the instances of a series in SOP Instance UID
// order.
func (ix *Index) InstancesOfSeries(studyUID, seriesUID string) ([]InstanceRecord, error) {
	var out []InstanceRecord
	prefix := []byte(studyUID + "/" + seriesUID + "/")
	err := ix.db.View(func(tx *bolt.Tx) error {
		members, instances := tx.Bucket(bucketMembers), tx.Bucket(bucketInstances)
		if members == nil || instances == nil {
			return nil
		}
		c := members.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var rec InstanceRecord
			found, err := getJSON(instances, k[len(prefix):], &rec)
			if err != nil {
				return err
			}
			if found {
				out = append(out, rec)
			}
		}
		return nil
	})
	return out, err
}

// Instance returns the record of one SOP instance, or an error wrapping
// ErrNotFound.
func (ix *Index) Instance(sopInstanceUID string) (InstanceRecord, error) {
	var rec InstanceRecord
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInstances)
		if b == nil {
			return fmt.Errorf("%w: instance %s", ErrNotFound, sopInstanceUID)
		}
		found, err := getJSON(b, []byte(sopInstanceUID), &rec)
		if err == nil && !found {
			err = fmt.Errorf("%w: instance %s", ErrNotFound, sopInstanceUID)
		}
		return err
	})
	return rec, err
}

// CountInstances returns the number of stored instances.
func (ix *Index) CountInstances() (int, error) {
	n := 0
	err := ix.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketInstances); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}
