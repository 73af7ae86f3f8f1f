package scp

import "github.com/mdm2node/mdm2node/scp/dimse"

// UIDs of the SOP classes and transfer syntaxes the node negotiates (PS3.4
// Annex B.5 for the storage SOP classes, Annex C.6 for the Query/Retrieve
// SOP classes, PS3.5 section 10 and Annex A for the transfer syntaxes, PS3.7
// Annex A for the application context).
const (
	// ApplicationContextName is the DICOM Application Context Name (PS3.7
	// Annex A.2.1), the only one the node accepts.
	ApplicationContextName = "1.2.840.10008.3.1.1.1"

	VerificationSOPClass = "1.2.840.10008.1.1"

	CTImageStorage                      = "1.2.840.10008.5.1.4.1.1.2"
	EnhancedCTImageStorage              = "1.2.840.10008.5.1.4.1.1.2.1"
	LegacyConvertedEnhancedCTImageStore = "1.2.840.10008.5.1.4.1.1.2.2"
	MRImageStorage                      = "1.2.840.10008.5.1.4.1.1.4"
	EnhancedMRImageStorage              = "1.2.840.10008.5.1.4.1.1.4.1"
	SecondaryCaptureImageStorage        = "1.2.840.10008.5.1.4.1.1.7"
	SegmentationStorage                 = "1.2.840.10008.5.1.4.1.1.66.4"
	RTStructureSetStorage               = "1.2.840.10008.5.1.4.1.1.481.3"
	BasicTextSRStorage                  = "1.2.840.10008.5.1.4.1.1.88.11"
	EnhancedSRStorage                   = "1.2.840.10008.5.1.4.1.1.88.22"
	ComprehensiveSRStorage              = "1.2.840.10008.5.1.4.1.1.88.33"
	Comprehensive3DSRStorage            = "1.2.840.10008.5.1.4.1.1.88.34"

	PatientRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.1.1"
	PatientRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.1.2"
	PatientRootQueryRetrieveGet  = "1.2.840.10008.5.1.4.1.2.1.3"
	StudyRootQueryRetrieveFind   = "1.2.840.10008.5.1.4.1.2.2.1"
	StudyRootQueryRetrieveMove   = "1.2.840.10008.5.1.4.1.2.2.2"
	StudyRootQueryRetrieveGet    = "1.2.840.10008.5.1.4.1.2.2.3"

	ImplicitVRLittleEndian         = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian         = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian            = "1.2.840.10008.1.2.2"
	JPEGBaseline8Bit               = "1.2.840.10008.1.2.4.50"
	JPEGLossless                   = "1.2.840.10008.1.2.4.57"
	JPEGLosslessSV1                = "1.2.840.10008.1.2.4.70"
	RLELossless                    = "1.2.840.10008.1.2.5"
)

// ImageStorageSOPClasses are the storage SOP classes whose instances carry
// pixel data that the series package decodes; they are negotiated with
// Config.ImageTransferSyntaxes.
var ImageStorageSOPClasses = []string{
	CTImageStorage,
	EnhancedCTImageStorage,
	LegacyConvertedEnhancedCTImageStore,
	MRImageStorage,
	EnhancedMRImageStorage,
	SecondaryCaptureImageStorage,
	SegmentationStorage,
}

// NonImageStorageSOPClasses are the storage SOP classes without pixel data
// (structured reports and RT structure sets); they are negotiated with
// Config.OtherTransferSyntaxes.
var NonImageStorageSOPClasses = []string{
	RTStructureSetStorage,
	BasicTextSRStorage,
	EnhancedSRStorage,
	ComprehensiveSRStorage,
	Comprehensive3DSRStorage,
}

// StorageSOPClasses are all the storage SOP classes the node supports as SCP.
var StorageSOPClasses = append(append([]string(nil), ImageStorageSOPClasses...), NonImageStorageSOPClasses...)

// DefaultAcceptedSOPClasses is the default of Config.AcceptedSOPClasses:
// Verification and every storage SOP class the node supports.
var DefaultAcceptedSOPClasses = append([]string{VerificationSOPClass}, StorageSOPClasses...)

// QueryRetrieveSOPClasses are the Query/Retrieve SOP classes of the Patient
// Root and Study Root information models (PS3.4 Annex C.6). The server
// accepts one only while a Service is registered for its command field;
// see Server.Handle.
var QueryRetrieveSOPClasses = []string{
	PatientRootQueryRetrieveFind,
	StudyRootQueryRetrieveFind,
	PatientRootQueryRetrieveMove,
	StudyRootQueryRetrieveMove,
	PatientRootQueryRetrieveGet,
	StudyRootQueryRetrieveGet,
}

// queryRetrieveField returns the request command field of a Query/Retrieve
// SOP class (C-FIND-RQ, C-MOVE-RQ or C-GET-RQ), and false for any other UID.
func queryRetrieveField(uid string) (dimse.CommandField, bool) {
	switch uid {
	case PatientRootQueryRetrieveFind, StudyRootQueryRetrieveFind:
		return dimse.CFindRQ, true
	case PatientRootQueryRetrieveMove, StudyRootQueryRetrieveMove:
		return dimse.CMoveRQ, true
	case PatientRootQueryRetrieveGet, StudyRootQueryRetrieveGet:
		return dimse.CGetRQ, true
	}
	return 0, false
}

// ImageTransferSyntaxes are the transfer syntaxes the series package can
// decode, in the order of preference used when a peer proposes several of
// them for one presentation context: Explicit VR Little Endian first.
var ImageTransferSyntaxes = []string{
	ExplicitVRLittleEndian,
	ImplicitVRLittleEndian,
	DeflatedExplicitVRLittleEndian,
	ExplicitVRBigEndian,
	JPEGLosslessSV1,
	JPEGLossless,
	RLELossless,
	JPEGBaseline8Bit,
}

// OtherTransferSyntaxes are the transfer syntaxes accepted for SOP classes
// without pixel data, in order of preference.
var OtherTransferSyntaxes = []string{
	ExplicitVRLittleEndian,
	ImplicitVRLittleEndian,
	DeflatedExplicitVRLittleEndian,
	ExplicitVRBigEndian,
}

// VerificationTransferSyntaxes are the transfer syntaxes accepted for the
// Verification SOP class, whose messages carry no data set.
var VerificationTransferSyntaxes = []string{
	ExplicitVRLittleEndian,
	ImplicitVRLittleEndian,
	ExplicitVRBigEndian,
}

// QueryRetrieveTransferSyntaxes are the transfer syntaxes accepted for
// QueryRetrieveSOPClasses, in order of preference: the uncompressed ones,
// Explicit VR Little Endian first. Their data sets are identifiers of a few
// hundred bytes, which compression would not shorten.
var QueryRetrieveTransferSyntaxes = []string{
	ExplicitVRLittleEndian,
	ImplicitVRLittleEndian,
	ExplicitVRBigEndian,
}

// isImageStorage reports whether uid is one of ImageStorageSOPClasses.
func isImageStorage(uid string) bool {
	for _, u := range ImageStorageSOPClasses {
		if u == uid {
			return true
		}
	}
	return false
}
