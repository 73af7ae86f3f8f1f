package scp

import (
	"errors"
	"fmt"

	"github.com/mdm2node/mdm2node/scp/dimse"
)

// DIMSE status codes a StoreHandler or StoreSink may return (PS3.4 Annex
// B.2.3 and PS3.7 Annex C). They are the dimse package's constants, repeated
// here so that a handler needs only this package.
const (
	StatusSuccess                 = dimse.StatusSuccess
	StatusOutOfResources          = dimse.StatusOutOfResources
	StatusDataSetDoesNotMatchSOP  = dimse.StatusDataSetDoesNotMatchSOPClass
	StatusCannotUnderstand        = dimse.StatusCannotUnderstand
	StatusSOPClassNotSupported    = dimse.StatusSOPClassNotSupported
	StatusCoercionOfDataElements  = dimse.StatusCoercionOfDataElements
	StatusElementsDiscarded       = dimse.StatusElementsDiscarded
	StatusDataSetDoesNotMatchWarn = dimse.StatusDataSetDoesNotMatchSOPClassWarning
)

// StatusError is an error that carries the DIMSE status to answer. A
// StoreHandler returns one from BeginStore (or a StoreSink from Commit) to
// choose the status of the C-STORE-RSP.
type StatusError struct {
	Status uint16
	Err    error
}

// NewStatusError returns a *StatusError with the given status that wraps err.
func NewStatusError(status uint16, err error) error {
	return &StatusError{Status: status, Err: err}
}

func (e *StatusError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("scp: DIMSE status %04X", e.Status)
	}
	return fmt.Sprintf("scp: DIMSE status %04X: %v", e.Status, e.Err)
}

func (e *StatusError) Unwrap() error { return e.Err }

// StatusOf returns the DIMSE status to answer for err: Success (0000) for
// nil, the status of a *StatusError anywhere in err's chain, and otherwise
// A700 (Refused: Out of Resources), the status that tells a sender the
// failure was on this side and the instance may be sent again.
func StatusOf(err error) uint16 {
	if err == nil {
		return StatusSuccess
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return StatusOutOfResources
}
