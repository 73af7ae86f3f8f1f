package retrieve

import (
	"errors"
	"slices"
	"testing"

	"github.com/mdm2node/mdm2node/store"
)

// memIndex is an in-memory Index of instance records.
type memIndex []store.InstanceRecord

func (m memIndex) Studies() ([]store.StudyRecord, error) {
	var out []store.StudyRecord
	seen := map[string]bool{}
	for _, r := range m {
		if !seen[r.StudyInstanceUID] {
			seen[r.StudyInstanceUID] = true
			out = append(out, store.StudyRecord{StudyInstanceUID: r.StudyInstanceUID, PatientID: r.PatientID})
		}
	}
	return out, nil
}

func (m memIndex) SeriesOfStudy(study string) ([]store.SeriesRecord, error) {
	var out []store.SeriesRecord
	seen := map[string]bool{}
	for _, r := range m {
		if r.StudyInstanceUID == study && !seen[r.SeriesInstanceUID] {
			seen[r.SeriesInstanceUID] = true
			out = append(out, store.SeriesRecord{StudyInstanceUID: study, SeriesInstanceUID: r.SeriesInstanceUID})
		}
	}
	return out, nil
}

func (m memIndex) InstancesOfSeries(study, series string) ([]store.InstanceRecord, error) {
	var out []store.InstanceRecord
	for _, r := range m {
		if r.StudyInstanceUID == study && r.SeriesInstanceUID == series {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m memIndex) Instance(sop string) (store.InstanceRecord, error) {
	for _, r := range m {
		if r.SOPInstanceUID == sop {
			return r, nil
		}
	}
	return store.InstanceRecord{}, store.ErrNotFound
}

var testIndex = memIndex{
	{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.1", SOPInstanceUID: "1.1.1.1"},
	{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.1", SOPInstanceUID: "1.1.1.2"},
	{PatientID: "P1", StudyInstanceUID: "1.1", SeriesInstanceUID: "1.1.2", SOPInstanceUID: "1.1.2.1"},
	{PatientID: "P2", StudyInstanceUID: "2.1", SeriesInstanceUID: "2.1.1", SOPInstanceUID: "2.1.1.1"},
}

func TestMatchLevels(t *testing.T) {
	cases := []struct {
		name  string
		model string
		id    Identifier
		want  []string
	}{
		{"patient", modelPatientRoot, Identifier{Level: LevelPatient, PatientID: "P1"}, []string{"1.1.1.1", "1.1.1.2", "1.1.2.1"}},
		{"study", modelStudyRoot, Identifier{Level: LevelStudy, StudyUIDs: []string{"2.1"}}, []string{"2.1.1.1"}},
		{"study list", modelStudyRoot, Identifier{Level: LevelStudy, StudyUIDs: []string{"2.1", "1.1", "2.1"}}, []string{"2.1.1.1", "1.1.1.1", "1.1.1.2", "1.1.2.1"}},
		{"study of another patient", modelPatientRoot, Identifier{Level: LevelStudy, PatientID: "P1", StudyUIDs: []string{"2.1"}}, nil},
		{"series", modelStudyRoot, Identifier{Level: LevelSeries, StudyUIDs: []string{"1.1"}, SeriesUIDs: []string{"1.1.2"}}, []string{"1.1.2.1"}},
		{"image", modelStudyRoot, Identifier{Level: LevelImage, StudyUIDs: []string{"1.1"}, SeriesUIDs: []string{"1.1.1"}, SOPInstanceUIDs: []string{"1.1.1.2", "9.9"}}, []string{"1.1.1.2"}},
		{"image in another series", modelStudyRoot, Identifier{Level: LevelImage, StudyUIDs: []string{"1.1"}, SeriesUIDs: []string{"1.1.2"}, SOPInstanceUIDs: []string{"1.1.1.2"}}, nil},
		{"unknown study", modelStudyRoot, Identifier{Level: LevelStudy, StudyUIDs: []string{"7.7"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := Match(testIndex, c.model, &c.id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.SOPInstanceUID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestMatchRejectsIdentifier(t *testing.T) {
	cases := []struct {
		name  string
		model string
		id    Identifier
	}{
		{"patient in study root", modelStudyRoot, Identifier{Level: LevelPatient, PatientID: "P1"}},
		{"patient without ID", modelPatientRoot, Identifier{Level: LevelPatient}},
		{"study without UID", modelStudyRoot, Identifier{Level: LevelStudy}},
		{"series without study", modelStudyRoot, Identifier{Level: LevelSeries, SeriesUIDs: []string{"1.1.1"}}},
		{"image without series", modelStudyRoot, Identifier{Level: LevelImage, StudyUIDs: []string{"1.1"}, SOPInstanceUIDs: []string{"1.1.1.1"}}},
		{"no level", modelStudyRoot, Identifier{StudyUIDs: []string{"1.1"}}},
		{"unknown level", modelStudyRoot, Identifier{Level: "FRAME", StudyUIDs: []string{"1.1"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Match(testIndex, c.model, &c.id); !errors.Is(err, ErrIdentifier) {
				t.Errorf("Match: %v, want ErrIdentifier", err)
			}
		})
	}
}
