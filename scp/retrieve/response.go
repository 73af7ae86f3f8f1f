package retrieve

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"strings"

	"github.com/mdm2node/mdm2node/scp/dimse"
)

// Statuses of C-MOVE and C-GET (PS3.4 Annex C).
const (
	StatusSuccess              = 0x0000
	StatusPending              = 0xFF00
	StatusCancel               = 0xFE00
	StatusWarningSubOperations = 0xB000 // sub-operations complete, one or more failures or warnings
	StatusUnableToCalculate    = 0xA701 // out of resources: unable to calculate number of matches
	StatusUnableToPerform      = 0xA702 // out of resources: unable to perform sub-operations
	StatusMoveDestUnknown      = 0xA801 // move destination unknown
	StatusIdentifierMismatch   = 0xA900 // identifier does not match SOP class
	StatusUnableToProcess      = 0xC000 // unable to process
	StatusSOPClassNotSupported = 0x0122
)

// counts are the sub-operation counters of a retrieve.
type counts struct {
	remaining, completed, failed, warning int
	failedUIDs                            []string
}

// final returns the status of the final response: Success
// when every sub-operation completed without failure or warning, A702 when
// none completed, B000 otherwise.
func (c *counts) final() uint16 {
	switch {
	case c.failed == 0 && c.warning == 0:
		return StatusSuccess
	case c.completed == 0 && c.warning == 0:
		return StatusUnableToPerform
	default:
		return StatusWarningSubOperations
	}
}

// response returns a response to rq with the counters. Remaining is
// included in pending and cancel responses only.
func response(rq *dimse.Command, field dimse.CommandField, status uint16, c *counts) *dimse.Command {
	cmd := dimse.NewResponse(rq, field, status)
	if sop, ok := rq.String(dimse.TagAffectedSOPClassUID); ok {
		cmd.SetString(dimse.TagAffectedSOPClassUID, sop)
	}
	if c == nil {
		return cmd
	}
	if status == StatusPending || status == StatusCancel {
		cmd.SetUint16(dimse.TagNumberOfRemainingSuboperations, uint16(min(c.remaining, 0xFFFF)))
	}
	cmd.SetUint16(dimse.TagNumberOfCompletedSuboperations, uint16(min(c.completed, 0xFFFF)))
	cmd.SetUint16(dimse.TagNumberOfFailedSuboperations, uint16(min(c.failed, 0xFFFF)))
	cmd.SetUint16(dimse.TagNumberOfWarningSuboperations, uint16(min(c.warning, 0xFFFF)))
	return cmd
}

// maxShortValue is the longest value of an element whose explicit VR has a
// 2-byte length (PS3.5 7.1.2), kept even.
const maxShortValue = 0xFFFE

// failedUIDList encodes an identifier holding only the Failed SOP Instance
// UID List (0008,0058) in transfer syntax tsUID. A list longer than a UI
// element can hold is cut after the last UID that fits.
func failedUIDList(uids []string, tsUID string) []byte {
	// 1. The value: UIDs separated by backslashes, NUL-padded to even.
	var v []byte
	for _, u := range uids {
		next := len(v) + len(u)
		if len(v) > 0 {
			next++
		}
		if next > maxShortValue-1 {
			break
		}
		if len(v) > 0 {
			v = append(v, '\\')
		}
		v = append(v, u...)
	}
	if len(v)%2 == 1 {
		v = append(v, 0)
	}

	// 2. The element in the transfer syntax's encoding.
	var order binary.AppendByteOrder = binary.LittleEndian
	if tsUID == tsExplicitBig {
		order = binary.BigEndian
	}
	var b []byte
	b = order.AppendUint16(b, 0x0008)
	b = order.AppendUint16(b, 0x0058)
	if tsUID == tsImplicitLittle {
		b = order.AppendUint32(b, uint32(len(v)))
	} else {
		b = append(b, 'U', 'I')
		b = order.AppendUint16(b, uint16(len(v)))
	}
	b = append(b, v...)
	if tsUID == tsDeflated {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
		_, _ = fw.Write(b)
		_ = fw.Close()
		return buf.Bytes()
	}
	return b
}

// describeIDs shortens a list of UIDs for an error comment.
func describeIDs(uids []string) string {
	if len(uids) > 3 {
		return strings.Join(uids[:3], ",") + ",..."
	}
	return strings.Join(uids, ",")
}
