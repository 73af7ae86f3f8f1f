package dimse

// Status codes (0000,0900) used by the node (PS3.7 Annex C, PS3.4 Annex
// B.2.3 for the Storage service class).
const (
	StatusSuccess = 0x0000

	// Warnings of the Storage service class.
	StatusCoercionOfDataElements             = 0xB000
	StatusDataSetDoesNotMatchSOPClassWarning = 0xB007
	StatusElementsDiscarded                  = 0xB006

	// Failures of the Storage service class.
	StatusOutOfResources              = 0xA700
	StatusDataSetDoesNotMatchSOPClass = 0xA900
	StatusCannotUnderstand            = 0xC000

	// General failures (PS3.7 Annex C.4).
	StatusSOPClassNotSupported  = 0x0122
	StatusUnrecognizedOperation = 0x0211
	StatusMistypedArgument      = 0x0212
	StatusDuplicateInvocation   = 0x0210
	StatusInvalidArgumentValue  = 0x0115
	StatusProcessingFailure     = 0x0110
	StatusClassInstanceConflict = 0x0119
	StatusInvalidObjectInstance = 0x0117
	StatusNotAuthorized         = 0x0124
	StatusResourceLimitation    = 0x0213
	StatusMissingAttribute      = 0x0120
)
