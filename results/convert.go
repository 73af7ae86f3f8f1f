package results

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/suyashkumar/dicom"

	"github.com/mdm2node/mdm2node/scp"
)

// maxConvertSize bounds the data sets that are converted in memory.
// Structured Reports are far smaller; an image larger than this is sent only
// in its own transfer syntax.
const maxConvertSize = 256 << 20

// convertible reports whether a data set in transfer syntax from can be
// re-encoded in to: only between the two uncompressed little-endian
// transfer syntaxes, which differ only in whether the VR is written.
func convertible(from, to string) bool {
	le := func(ts string) bool { return ts == scp.ExplicitVRLittleEndian || ts == scp.ImplicitVRLittleEndian }
	return from != to && le(from) && le(to)
}

// convert reads the data set of inst and returns it re-encoded in transfer
// syntax to, which convertible must allow. Elements keep their values; VRs
// read from an Implicit VR data set come from the codec's dictionary, and
// private elements it does not know are written as UN.
func convert(inst Instance, to string) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("results: convert %s: codec panic: %v", inst.SOPInstanceUID, p)
		}
	}()
	f, err := os.Open(inst.Path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	size := fi.Size() - inst.DataSetOffset
	if size > maxConvertSize {
		return nil, fmt.Errorf("results: convert %s: data set of %d bytes is larger than %d", inst.SOPInstanceUID, size, maxConvertSize)
	}

	// 1. Parse the whole data set in its own encoding.
	p, perr := dicom.NewParser(io.NewSectionReader(f, inst.DataSetOffset, size), size, nil,
		dicom.SkipMetadataReadOnNewParserInit(), dicom.AllowUnknownSpecificCharacterSet())
	if p == nil {
		return nil, fmt.Errorf("results: convert %s: %v", inst.SOPInstanceUID, perr)
	}
	p.SetTransferSyntax(binary.LittleEndian, inst.TransferSyntaxUID == scp.ImplicitVRLittleEndian)
	var elems []*dicom.Element
	for {
		e, err := p.Next()
		if errors.Is(err, dicom.ErrorEndOfDICOM) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("results: convert %s: after %d elements: %w", inst.SOPInstanceUID, len(elems), err)
		}
		elems = append(elems, e)
	}

	// 2. Write it again in the other encoding.
	var buf bytes.Buffer
	w, err := dicom.NewWriter(&buf, dicom.SkipVRVerification())
	if err != nil {
		return nil, fmt.Errorf("results: convert %s: %w", inst.SOPInstanceUID, err)
	}
	w.SetTransferSyntax(binary.LittleEndian, to == scp.ImplicitVRLittleEndian)
	for _, e := range elems {
		if e.Tag.Group == 0x0002 {
			continue
		}
		if err := w.WriteElement(e); err != nil {
			return nil, fmt.Errorf("results: convert %s: element %v: %w", inst.SOPInstanceUID, e.Tag, err)
		}
	}
	return buf.Bytes(), nil
}
