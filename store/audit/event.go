package audit

import "time"

// Type names an audit event.
type Type string

// Event types.
const (
	ApplicationActivity       Type = "ApplicationActivity"
	AssociationAccepted       Type = "AssociationAccepted"
	AssociationRejected       Type = "AssociationRejected"
	AssociationReleased       Type = "AssociationReleased"
	AssociationAborted        Type = "AssociationAborted"
	DICOMInstancesTransferred Type = "DICOMInstancesTransferred"
	SecurityAlert             Type = "SecurityAlert"
	DuplicateInstance         Type = "DuplicateInstance"
)

// Outcome is the EventOutcomeIndicator of PS3.15 A.5.1.
type Outcome int

// Outcomes.
const (
	Success        Outcome = 0
	MinorFailure   Outcome = 4
	SeriousFailure Outcome = 8
	MajorFailure   Outcome = 12
)

// Actions of ApplicationActivity (EventTypeCode "Application Start" and
// "Application Stop", DCM 110120 and 110121).
const (
	ActionStart = "start"
	ActionStop  = "stop"
)

// StudyCount is the number of instances of one study.
type StudyCount struct {
	StudyInstanceUID string `json:"study_uid"`
	Instances        int    `json:"instances"`
}

// Event is one line of the audit log. Fields that do not apply are omitted.
type Event struct {
	Time    time.Time `json:"time"`
	Type    Type      `json:"type"`
	Outcome Outcome   `json:"outcome"`
	// Action is "start" or "stop" for ApplicationActivity.
	Action string `json:"action,omitempty"`

	// The application that writes the log.
	Application string `json:"application,omitempty"`
	AETitle     string `json:"ae_title,omitempty"`
	Listen      string `json:"listen,omitempty"`
	PID         int    `json:"pid,omitempty"`

	// The association and its peer.
	Association string `json:"assoc,omitempty"`
	CallingAE   string `json:"calling_ae,omitempty"`
	CalledAE    string `json:"called_ae,omitempty"`
	PeerAddr    string `json:"peer_addr,omitempty"`

	// A-ASSOCIATE-RJ fields (PS3.8 9.3.4).
	RejectResult *int `json:"reject_result,omitempty"`
	RejectSource *int `json:"reject_source,omitempty"`
	RejectReason *int `json:"reject_reason,omitempty"`

	// Counts of the association's transfers.
	Studies  []StudyCount `json:"studies,omitempty"`
	Stored   int          `json:"stored,omitempty"`
	Failed   int          `json:"failed,omitempty"`
	Duration float64      `json:"duration_s,omitempty"`

	// One instance.
	SOPClassUID      string `json:"sop_class_uid,omitempty"`
	SOPInstanceUID   string `json:"sop_instance_uid,omitempty"`
	StudyInstanceUID string `json:"study_uid,omitempty"`
	Status           string `json:"status,omitempty"`
	// Kept is true, for DuplicateInstance, when the stored instance was kept.
	Kept *bool `json:"kept,omitempty"`

	Detail string `json:"detail,omitempty"`
}
