package segwrite

// Code is a coded concept (PS3.3 section 8.8): code value, coding scheme
// designator and code meaning.
type Code struct {
	Value   string
	Scheme  string
	Meaning string
}

// Segmented property categories (PS3.16 CID 7150) and types (CID 7151) used
// for tumour regions. The values are SNOMED CT concept identifiers.
var (
	// CategoryMorphologicallyAbnormal is the category for lesions and
	// tumours.
	CategoryMorphologicallyAbnormal = Code{Value: "49755003", Scheme: "SCT", Meaning: "Morphologically Abnormal Structure"}
	// CategoryTissue is the category for normal or unspecified tissue.
	CategoryTissue = Code{Value: "85756007", Scheme: "SCT", Meaning: "Tissue"}
	// TypeNeoplasm is the property type for a tumour.
	TypeNeoplasm = Code{Value: "108369006", Scheme: "SCT", Meaning: "Neoplasm"}
	// TypeMass is the property type for a mass of unspecified nature.
	TypeMass = Code{Value: "4147007", Scheme: "SCT", Meaning: "Mass"}
)

// Codes from the DICOM Controlled Terminology (PS3.16 Annex D) used inside
// the Derivation Image functional group.
var (
	codeSegmentation      = Code{Value: "113076", Scheme: "DCM", Meaning: "Segmentation"}
	codeSourceImageForIPO = Code{Value: "121322", Scheme: "DCM", Meaning: "Source image for image processing operation"}
)
