package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// IndexFile is the name of the bbolt index inside the data folder.
const IndexFile = "index.db"

// Bucket names of the index. Every value is a JSON object whose "v" field is
// the version of its layout, RecordVersion today.
var (
	bucketMeta      = []byte("meta")
	bucketPatients  = []byte("patients")  // "id:" + PatientID -> PatientRecord
	bucketStudies   = []byte("studies")   // study UID -> StudyRecord
	bucketSeries    = []byte("series")    // study UID "/" series UID -> SeriesRecord
	bucketInstances = []byte("instances") // SOP instance UID -> InstanceRecord
	bucketMembers   = []byte("members")   // study "/" series "/" SOP instance -> empty
)

// RecordVersion is the "v" of the records this code writes.
const RecordVersion = 1

// schemaKey in the meta bucket stores the index layout version.
var schemaKey = []byte("schema")

// pendingKey in the meta bucket stores, as a JSON array, the SOP Instance
// UIDs of the last group commit, whose folder fsyncs may not have ended
// when the process stopped (commit.go).
var pendingKey = []byte("pending")

// PatientRecord is a patient as the stored instances name it.
type PatientRecord struct {
	V         int    `json:"v"`
	PatientID string `json:"patient_id"`
	Name      string `json:"name,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	Sex       string `json:"sex,omitempty"`
}

// StudyRecord is a study with counts of what is stored of it.
type StudyRecord struct {
	V                int       `json:"v"`
	StudyInstanceUID string    `json:"study_uid"`
	PatientID        string    `json:"patient_id"`
	PatientName      string    `json:"patient_name,omitempty"`
	StudyDate        string    `json:"study_date,omitempty"`
	StudyTime        string    `json:"study_time,omitempty"`
	StudyID          string    `json:"study_id,omitempty"`
	AccessionNumber  string    `json:"accession_number,omitempty"`
	Description      string    `json:"description,omitempty"`
	Modalities       []string  `json:"modalities,omitempty"`
	Series           int       `json:"series"`
	Instances        int       `json:"instances"`
	FirstReceived    time.Time `json:"first_received"`
	LastReceived     time.Time `json:"last_received"`
}

// SeriesRecord is a series with the count of its stored instances.
type SeriesRecord struct {
	V                 int       `json:"v"`
	StudyInstanceUID  string    `json:"study_uid"`
	SeriesInstanceUID string    `json:"series_uid"`
	Modality          string    `json:"modality,omitempty"`
	SeriesNumber      string    `json:"series_number,omitempty"`
	Description       string    `json:"description,omitempty"`
	SeriesDate        string    `json:"series_date,omitempty"`
	Instances         int       `json:"instances"`
	LastReceived      time.Time `json:"last_received"`
}

// InstanceRecord is one stored instance. Path is relative to the data folder.
type InstanceRecord struct {
	V                 int       `json:"v"`
	SOPInstanceUID    string    `json:"sop_instance_uid"`
	SOPClassUID       string    `json:"sop_class_uid"`
	StudyInstanceUID  string    `json:"study_uid"`
	SeriesInstanceUID string    `json:"series_uid"`
	PatientID         string    `json:"patient_id"`
	InstanceNumber    string    `json:"instance_number,omitempty"`
	Modality          string    `json:"modality,omitempty"`
	TransferSyntaxUID string    `json:"transfer_syntax_uid"`
	Path              string    `json:"path"`
	Size              int64     `json:"size"`
	SHA256            string    `json:"sha256"`
	DataSetOffset     int64     `json:"data_set_offset"`
	Received          time.Time `json:"received"`
	CallingAE         string    `json:"calling_ae"`
	PeerAddr          string    `json:"peer_addr"`
}

// Index is the bbolt metadata index. Its query methods are safe for
// concurrent use.
type Index struct {
	db *bolt.DB
}

// OpenIndex opens the index at path. With readOnly it takes a shared lock
// and never creates the file. When another process (a running server) holds
// the index for writing, it fails after timeout with ErrLocked.
func OpenIndex(path string, readOnly bool, timeout time.Duration) (*Index, error) {
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("store: index %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (stop the server or retry later)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open index %s: %w", path, err)
	}
	ix := &Index{db: db}
	if readOnly {
		return ix, nil
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketPatients, bucketStudies, bucketSeries, bucketInstances, bucketMembers} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(schemaKey); v != nil && string(v) != "1" {
			return fmt.Errorf("index schema %q is not 1", v)
		}
		return meta.Put(schemaKey, []byte("1"))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: initialise index %s: %w", path, err)
	}
	return ix, nil
}

// OpenIndexReadOnly opens the index of dataDir read-only, waiting at most
// timeout for a writer's lock.
func OpenIndexReadOnly(dataDir string, timeout time.Duration) (*Index, error) {
	return OpenIndex(filepath.Join(dataDir, IndexFile), true, timeout)
}

// Close closes the index.
func (ix *Index) Close() error { return ix.db.Close() }

func seriesKey(study, series string) []byte { return []byte(study + "/" + series) }

func memberKey(study, series, sop string) []byte {
	return []byte(study + "/" + series + "/" + sop)
}

func patientKey(id string) []byte { return []byte("id:" + id) }

// getJSON decodes the record under key, returning false when there is none.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("store: decode index record %q: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// putInstance indexes rec in tx, replacing a record with the same SOP
// Instance UID and keeping the counts of studies and series right. It
// returns the record it replaced, if any.
func putInstance(tx *bolt.Tx, rec *InstanceRecord, h *Header) (*InstanceRecord, error) {
	instances := tx.Bucket(bucketInstances)
	members := tx.Bucket(bucketMembers)

	// 1. Take out the record this one replaces.
	var old *InstanceRecord
	var prev InstanceRecord
	found, err := getJSON(instances, []byte(rec.SOPInstanceUID), &prev)
	if err != nil {
		return nil, err
	}
	if found {
		old = &prev
		if err := members.Delete(memberKey(prev.StudyInstanceUID, prev.SeriesInstanceUID, prev.SOPInstanceUID)); err != nil {
			return nil, err
		}
		if err := adjustCounts(tx, prev.StudyInstanceUID, prev.SeriesInstanceUID, -1, rec.Received); err != nil {
			return nil, err
		}
	}

	// 2. Patient.
	patient := PatientRecord{V: RecordVersion, PatientID: h.PatientID, Name: h.PatientName, BirthDate: h.PatientBirthDate, Sex: h.PatientSex}
	if err := putJSON(tx.Bucket(bucketPatients), patientKey(h.PatientID), &patient); err != nil {
		return nil, err
	}

	// 3. Study, created on its first instance.
	studies := tx.Bucket(bucketStudies)
	var study StudyRecord
	if _, err := getJSON(studies, []byte(h.StudyInstanceUID), &study); err != nil {
		return nil, err
	}
	if study.V == 0 {
		study = StudyRecord{StudyInstanceUID: h.StudyInstanceUID, FirstReceived: rec.Received}
	}
	study.V = RecordVersion
	study.PatientID, study.PatientName = h.PatientID, h.PatientName
	study.StudyDate, study.StudyTime, study.StudyID = h.StudyDate, h.StudyTime, h.StudyID
	study.AccessionNumber, study.Description = h.AccessionNumber, h.StudyDescription
	study.Modalities = addModality(study.Modalities, h.Modality)
	study.Instances++
	study.LastReceived = rec.Received

	// 4. Series, created on its first instance.
	seriesBucket := tx.Bucket(bucketSeries)
	var series SeriesRecord
	sk := seriesKey(h.StudyInstanceUID, h.SeriesInstanceUID)
	if _, err := getJSON(seriesBucket, sk, &series); err != nil {
		return nil, err
	}
	if series.V == 0 {
		series = SeriesRecord{StudyInstanceUID: h.StudyInstanceUID, SeriesInstanceUID: h.SeriesInstanceUID}
		study.Series++
	}
	series.V = RecordVersion
	series.Modality, series.SeriesNumber = h.Modality, h.SeriesNumber
	series.Description, series.SeriesDate = h.SeriesDescription, h.SeriesDate
	series.Instances++
	series.LastReceived = rec.Received

	// 5. Write study, series, instance and membership.
	if err := putJSON(studies, []byte(h.StudyInstanceUID), &study); err != nil {
		return nil, err
	}
	if err := putJSON(seriesBucket, sk, &series); err != nil {
		return nil, err
	}
	if err := putJSON(instances, []byte(rec.SOPInstanceUID), rec); err != nil {
		return nil, err
	}
	if err := members.Put(memberKey(h.StudyInstanceUID, h.SeriesInstanceUID, rec.SOPInstanceUID), nil); err != nil {
		return nil, err
	}
	return old, nil
}

// putPending records uids as the instances of the group being committed,
// replacing the previous group's list.
func putPending(tx *bolt.Tx, uids []string) error {
	return putJSON(tx.Bucket(bucketMeta), pendingKey, uids)
}

// removeInstance deletes the index entry of a SOP Instance UID and its
// membership, and takes it out of the counts of its study and series. An
// absent entry is no error.
func removeInstance(tx *bolt.Tx, uid string) error {
	instances := tx.Bucket(bucketInstances)
	var rec InstanceRecord
	found, err := getJSON(instances, []byte(uid), &rec)
	if err != nil || !found {
		return err
	}
	if err := instances.Delete([]byte(uid)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketMembers).Delete(memberKey(rec.StudyInstanceUID, rec.SeriesInstanceUID, uid)); err != nil {
		return err
	}
	return adjustCounts(tx, rec.StudyInstanceUID, rec.SeriesInstanceUID, -1, time.Now().UTC())
}

// adjustCounts adds delta to the instance counts of a study and a series,
// deleting the series and the study when they become empty.
func adjustCounts(tx *bolt.Tx, studyUID, seriesUID string, delta int, now time.Time) error {
	studies, seriesBucket := tx.Bucket(bucketStudies), tx.Bucket(bucketSeries)
	var study StudyRecord
	var series SeriesRecord
	if _, err := getJSON(studies, []byte(studyUID), &study); err != nil {
		return err
	}
	sk := seriesKey(studyUID, seriesUID)
	if _, err := getJSON(seriesBucket, sk, &series); err != nil {
		return err
	}
	series.Instances += delta
	study.Instances += delta
	if series.Instances <= 0 {
		if err := seriesBucket.Delete(sk); err != nil {
			return err
		}
		study.Series--
	} else if err := putJSON(seriesBucket, sk, &series); err != nil {
		return err
	}
	if study.Instances <= 0 {
		return studies.Delete([]byte(studyUID))
	}
	return putJSON(studies, []byte(studyUID), &study)
}

func addModality(list []string, m string) []string {
	if m == "" {
		return list
	}
	for _, x := range list {
		if x == m {
			return list
		}
	}
	return append(list, m)
}
