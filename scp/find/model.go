package find

// Level is a Query/Retrieve level (PS3.4 C.6).
type Level int

// Levels, from the top of the hierarchy.
const (
	LevelPatient Level = 1
	LevelStudy   Level = 2
	LevelSeries  Level = 3
	LevelImage   Level = 4
)

var levelNames = map[Level]string{LevelPatient: "PATIENT", LevelStudy: "STUDY", LevelSeries: "SERIES", LevelImage: "IMAGE"}

func (l Level) String() string { return levelNames[l] }

func parseLevel(s string) (Level, bool) {
	for l, n := range levelNames {
		if n == s {
			return l, true
		}
	}
	return 0, false
}

// Model is a Query/Retrieve information model.
type Model int

// Information models of the C-FIND SOP classes.
const (
	PatientRoot Model = 1 // 1.2.840.10008.5.1.4.1.2.1.1
	StudyRoot   Model = 2 // 1.2.840.10008.5.1.4.1.2.2.1
)

// SOP Class UIDs of the FIND SOP classes (PS3.4 C.6.1.3 and C.6.2.3).
const (
	PatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1"
	StudyRootFind   = "1.2.840.10008.5.1.4.1.2.2.1"
)

// SOPClasses are the abstract syntaxes the service answers.
var SOPClasses = []string{PatientRootFind, StudyRootFind}

func modelOf(sopClass string) (Model, bool) {
	switch sopClass {
	case PatientRootFind:
		return PatientRoot, true
	case StudyRootFind:
		return StudyRoot, true
	}
	return 0, false
}

// top returns the highest level of the model.
func (m Model) top() Level {
	if m == PatientRoot {
		return LevelPatient
	}
	return LevelStudy
}

// Tags of the attributes the model gives a level or computes.
const (
	TagSpecificCharacterSet  Tag = 0x00080005
	TagSOPClassUID           Tag = 0x00080016
	TagSOPInstanceUID        Tag = 0x00080018
	TagStudyDate             Tag = 0x00080020
	TagSeriesDate            Tag = 0x00080021
	TagContentDate           Tag = 0x00080023
	TagStudyTime             Tag = 0x00080030
	TagSeriesTime            Tag = 0x00080031
	TagContentTime           Tag = 0x00080033
	TagAccessionNumber       Tag = 0x00080050
	TagQueryRetrieveLevel    Tag = 0x00080052
	TagRetrieveAETitle       Tag = 0x00080054
	TagInstanceAvailability  Tag = 0x00080056
	TagModality              Tag = 0x00080060
	TagModalitiesInStudy     Tag = 0x00080061
	TagSOPClassesInStudy     Tag = 0x00080062
	TagReferringPhysician    Tag = 0x00080090
	TagTimezoneOffsetFromUTC Tag = 0x00080201
	TagStudyDescription      Tag = 0x00081030
	TagSeriesDescription     Tag = 0x0008103E
	TagPatientName           Tag = 0x00100010
	TagPatientID             Tag = 0x00100020
	TagIssuerOfPatientID     Tag = 0x00100021
	TagPatientBirthDate      Tag = 0x00100030
	TagPatientBirthTime      Tag = 0x00100032
	TagPatientSex            Tag = 0x00100040
	TagOtherPatientIDsSeq    Tag = 0x00101002
	TagOtherPatientNames     Tag = 0x00101001
	TagPatientAge            Tag = 0x00101010
	TagPatientSize           Tag = 0x00101020
	TagPatientWeight         Tag = 0x00101030
	TagEthnicGroup           Tag = 0x00102160
	TagOccupation            Tag = 0x00102180
	TagAdditionalHistory     Tag = 0x001021B0
	TagPatientComments       Tag = 0x00104000
	TagBodyPartExamined      Tag = 0x00180015
	TagStudyInstanceUID      Tag = 0x0020000D
	TagSeriesInstanceUID     Tag = 0x0020000E
	TagStudyID               Tag = 0x00200010
	TagSeriesNumber          Tag = 0x00200011
	TagInstanceNumber        Tag = 0x00200013
	TagPatientRelatedStudies Tag = 0x00201200
	TagPatientRelatedSeries  Tag = 0x00201202
	TagPatientRelatedInsts   Tag = 0x00201204
	TagStudyRelatedSeries    Tag = 0x00201206
	TagStudyRelatedInsts     Tag = 0x00201208
	TagSeriesRelatedInsts    Tag = 0x00201209
)

// patientTags and studyTags are the attributes of the patient and study
// levels (PS3.4 Tables C.6-1, C.6-2 and C.6-5); seriesTags those of the
// series level (C.6-3). Every other attribute belongs to the image level,
// except that an attribute unknown here that a request names at a higher
// level is looked up at the query level (see Service).
var patientTags = map[Tag]bool{
	TagPatientName: true, TagPatientID: true, TagIssuerOfPatientID: true, TagPatientBirthDate: true,
	TagPatientBirthTime: true, TagPatientSex: true, TagOtherPatientIDsSeq: true, TagOtherPatientNames: true,
	TagEthnicGroup: true, TagPatientComments: true,
	TagPatientRelatedStudies: true, TagPatientRelatedSeries: true, TagPatientRelatedInsts: true,
}

var studyTags = map[Tag]bool{
	TagStudyDate: true, TagStudyTime: true, TagAccessionNumber: true, TagStudyID: true, TagStudyInstanceUID: true,
	TagReferringPhysician: true, TagStudyDescription: true, TagModalitiesInStudy: true, TagSOPClassesInStudy: true,
	TagStudyRelatedSeries: true, TagStudyRelatedInsts: true, TagPatientAge: true, TagPatientSize: true,
	TagPatientWeight: true, TagOccupation: true, TagAdditionalHistory: true,
	0x00081060: true, // Name of Physicians Reading Study
	0x00081080: true, // Admitting Diagnoses Description
	0x00201070: true, // Other Study Numbers (retired)
}

var seriesTags = map[Tag]bool{
	TagModality: true, TagSeriesNumber: true, TagSeriesInstanceUID: true, TagSeriesRelatedInsts: true,
	TagSeriesDescription: true, TagSeriesDate: true, TagSeriesTime: true, TagBodyPartExamined: true,
	0x00400244: true, // Performed Procedure Step Start Date
	0x00400245: true, // Performed Procedure Step Start Time
	0x00400275: true, // Request Attributes Sequence
	0x00080070: true, // Manufacturer
	0x00081090: true, // Manufacturer's Model Name
	0x00181030: true, // Protocol Name
	0x00200060: true, // Laterality
	0x00080080: true, // Institution Name
	0x00081010: true, // Station Name
	0x00081050: true, // Performing Physician's Name
	0x00200052: true, // Frame of Reference UID
}

// imageTags are the image level attributes of Table C.6-4 and common
// image attributes that are known to be below the series level.
var imageTags = map[Tag]bool{
	TagSOPInstanceUID: true, TagSOPClassUID: true, TagInstanceNumber: true,
	TagContentDate: true, TagContentTime: true,
	0x00080008: true, // Image Type
	0x00200032: true, // Image Position (Patient)
	0x00200037: true, // Image Orientation (Patient)
	0x00201041: true, // Slice Location
	0x00280010: true, // Rows
	0x00280011: true, // Columns
	0x00280008: true, // Number of Frames
	0x00080022: true, // Acquisition Date
	0x00080032: true, // Acquisition Time
	0x00200012: true, // Acquisition Number
}

// levelOf returns the level of an attribute in model m, and false when the
// model does not place it (it is then taken at the query level).
func levelOf(m Model, t Tag) (Level, bool) {
	switch {
	case patientTags[t]:
		if m == StudyRoot {
			return LevelStudy, true // patient attributes are study attributes
		}
		return LevelPatient, true
	case studyTags[t]:
		return LevelStudy, true
	case seriesTags[t]:
		return LevelSeries, true
	case imageTags[t]:
		return LevelImage, true
	}
	return 0, false
}

// uniqueKey returns the unique key of a level in model m.
func uniqueKey(m Model, l Level) Tag {
	switch l {
	case LevelPatient:
		return TagPatientID
	case LevelStudy:
		return TagStudyInstanceUID
	case LevelSeries:
		return TagSeriesInstanceUID
	}
	return TagSOPInstanceUID
}

// responseOnly are attributes that are not matched as keys: the SCP fills
// them (or they describe the response).
var responseOnly = map[Tag]bool{
	TagSpecificCharacterSet: true, TagQueryRetrieveLevel: true, TagRetrieveAETitle: true,
	TagInstanceAvailability: true, TagTimezoneOffsetFromUTC: true,
	0x00880130: true, // Storage Media File-Set ID
	0x00880140: true, // Storage Media File-Set UID
}
