package sr

// Code is a coded concept: a Code Sequence item with Code Value (0008,0100),
// Coding Scheme Designator (0008,0102) and Code Meaning (0008,0104), as
// PS3.3 section 8.8 defines it.
type Code struct {
	Value   string
	Scheme  string
	Meaning string
}

// PrivateScheme is the Coding Scheme Designator of the concepts that have no
// standard code. PS3.16 section 8.2 reserves designators that start with
// "99" for private coding schemes.
const PrivateScheme = "99MDM2"

// privateSchemeName and privateSchemeOrganization describe PrivateScheme in
// the Coding Scheme Identification Sequence (0008,0110).
const (
	privateSchemeName         = "mdm2node private codes for MDM2 amplification reports"
	privateSchemeOrganization = "mdm2node project"
	privateSchemeVersion      = "1"
)

// Codes of the DICOM Controlled Terminology (DCM, PS3.16 Annex D).
var (
	codeImagingMeasurementReport = Code{"126000", "DCM", "Imaging Measurement Report"}
	codeLanguage                 = Code{"121049", "DCM", "Language of Content Item and Descendants"}
	codeObserverType             = Code{"121005", "DCM", "Observer Type"}
	codeDevice                   = Code{"121007", "DCM", "Device"}
	codeDeviceObserverUID        = Code{"121012", "DCM", "Device Observer UID"}
	codeDeviceObserverName       = Code{"121013", "DCM", "Device Observer Name"}
	codeDeviceManufacturer       = Code{"121014", "DCM", "Device Observer Manufacturer"}
	codeDeviceModelName          = Code{"121015", "DCM", "Device Observer Model Name"}
	codeProcedureReported        = Code{"121058", "DCM", "Procedure reported"}
	codeImageLibrary             = Code{"111028", "DCM", "Image Library"}
	codeImageLibraryGroup        = Code{"126200", "DCM", "Image Library Group"}
	codeModality                 = Code{"121139", "DCM", "Modality"}
	codeImagingMeasurements      = Code{"126010", "DCM", "Imaging Measurements"}
	codeMeasurementGroup         = Code{"125007", "DCM", "Measurement Group"}
	codeTrackingIdentifier       = Code{"112039", "DCM", "Tracking Identifier"}
	codeTrackingUID              = Code{"112040", "DCM", "Tracking Unique Identifier"}
	codeFinding                  = Code{"121071", "DCM", "Finding"}
	codeReferencedSegment        = Code{"121191", "DCM", "Referenced Segment"}
	codeAlgorithmName            = Code{"111001", "DCM", "Algorithm Name"}
	codeAlgorithmVersion         = Code{"111003", "DCM", "Algorithm Version"}
	codeAlgorithmParameters      = Code{"111002", "DCM", "Algorithm Parameters"}
	codeComment                  = Code{"121106", "DCM", "Comment"}
	codeModalityCT               = Code{"CT", "DCM", "Computed Tomography"}
	codeModalityMR               = Code{"MR", "DCM", "Magnetic Resonance"}
)

// Codes of other standard schemes.
var (
	// RFC 5646 language tag, as PS3.16 CID 5000 uses it.
	codeEnglishUS = Code{"en-US", "RFC5646", "English (United States)"}

	// LOINC procedure codes from PS3.16 CID 100 (Quantitative Diagnostic
	// Imaging Procedure).
	codeProcedureCT = Code{"25045-6", "LN", "CT unspecified body region"}
	codeProcedureMR = Code{"25056-3", "LN", "MRI unspecified body region"}

	// SNOMED CT concepts for the finding and its site.
	codeFindingSite = Code{"363698007", "SCT", "Finding Site"}
	codeMass        = Code{"4147007", "SCT", "Mass"}
	codeSoftTissue  = Code{"87784001", "SCT", "Soft tissue"}

	// SNOMED CT morphologic abnormalities of the two classes.
	codeLipoma = Code{"46720004", "SCT", "Lipoma"}
	// NOTE: 55448002 is unconfirmed. It was not found in a SNOMED CT release
	// or a PS3.16 context group, and docs/SR.md lists it as uncertain.
	codeWellDifferentiatedLiposarcoma = Code{"55448002", "SCT", "Well differentiated liposarcoma"}

	// UCUM unit "1" for a dimensionless ratio such as a probability.
	codeUnitOne = Code{"1", "UCUM", "no units"}
)

// Private codes in PrivateScheme. Code values are at most 16 characters
// (value representation SH).
var (
	codeMDM2Likelihood    = Code{"MDM2-LIKELIHOOD", PrivateScheme, "Likelihood of MDM2 amplification"}
	codeDecisionThreshold = Code{"MDM2-THRESHOLD", PrivateScheme, "MDM2 amplification decision threshold"}
	codePredictedClass    = Code{"MDM2-CLASS", PrivateScheme, "Predicted class"}
	codeContributingModel = Code{"MDM2-MODEL", PrivateScheme, "Contributing model"}
	codeModelDeep         = Code{"MODEL-DEEP", PrivateScheme, "Deep features model"}
	codeModelRadiomics    = Code{"MODEL-RADIOMICS", PrivateScheme, "Radiomics model"}
	codeModelNomogram     = Code{"MODEL-NOMOGRAM", PrivateScheme, "Integrated nomogram"}
)
