package store

import (
	"errors"

	"github.com/mdm2node/mdm2node/scp"
)

// DIMSE status codes of C-STORE (PS3.4 Table B.2-1) that the store returns.
const (
	StatusSuccess          = scp.StatusSuccess
	StatusOutOfResources   = scp.StatusOutOfResources
	StatusDataSetMismatch  = scp.StatusDataSetDoesNotMatchSOP
	StatusCannotUnderstand = scp.StatusCannotUnderstand
)

var (
	// ErrLowDiskSpace is returned when the data folder's file system has
	// less free space than the configured watermark.
	ErrLowDiskSpace = errors.New("store: free disk space below the watermark")
	// ErrTooLarge is returned by a sink's Write when the data set grows past
	// the configured maximum instance size.
	ErrTooLarge = errors.New("store: instance larger than the maximum instance size")
	// ErrMismatch is returned when the data set does not match the command
	// or lacks a required UID.
	ErrMismatch = errors.New("store: data set does not match the request")
	// ErrInvalidUID is returned when a UID that would name a file or folder
	// is not a valid UID.
	ErrInvalidUID = errors.New("store: invalid UID")
	// ErrUnparsable is returned when the data set cannot be parsed.
	ErrUnparsable = errors.New("store: data set cannot be parsed")
	// ErrUnsupportedTransferSyntax is returned for a transfer syntax whose
	// header the store cannot read.
	ErrUnsupportedTransferSyntax = errors.New("store: unsupported transfer syntax")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("store: closed")
	// ErrSinkDone is returned by Write after Commit or Abort.
	ErrSinkDone = errors.New("store: sink already committed or aborted")
	// ErrLocked is returned by OpenIndex when another process holds the
	// index (a running server) and the timeout passed.
	ErrLocked = errors.New("store: index in use by another process")
	// ErrNotFound is returned by lookups of a UID that is not stored.
	ErrNotFound = errors.New("store: not found")
)

// statusErr wraps err in an *scp.StatusError, which carries the DIMSE status
// the server sends in the C-STORE-RSP.
func statusErr(status uint16, err error) error {
	return scp.NewStatusError(status, err)
}

// StatusOf returns the DIMSE status an error stands for (scp.StatusOf).
func StatusOf(err error) uint16 { return scp.StatusOf(err) }
