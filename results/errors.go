package results

import "errors"

var (
	// ErrNotDICOM is returned by ReadInstance for a file that is neither a
	// Part 10 file nor a data set with SOP Class and SOP Instance UIDs.
	ErrNotDICOM = errors.New("results: not a DICOM file")
	// ErrSOPClassRejected is returned for an instance whose SOP class the
	// destination accepted in no presentation context.
	ErrSOPClassRejected = errors.New("results: SOP class rejected by the destination")
	// ErrTransferSyntax is returned for an instance whose transfer syntax the
	// destination did not accept and that cannot be converted to one it did.
	ErrTransferSyntax = errors.New("results: no common transfer syntax")
	// ErrStoreFailed is returned for an instance the destination answered
	// with a failure status.
	ErrStoreFailed = errors.New("results: C-STORE failed")
	// ErrAssociation is returned when the association could not be
	// established or ended before every instance was sent.
	ErrAssociation = errors.New("results: association failed")
	// ErrCanceled is returned for the instances left when SendConfig.Progress
	// stopped the sending.
	ErrCanceled = errors.New("results: sending canceled")
	// ErrUnknownDestination is returned for an AE title that is not in
	// results.destinations.
	ErrUnknownDestination = errors.New("results: unknown destination")
)
