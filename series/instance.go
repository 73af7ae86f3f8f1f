package series

import (
	"bytes"
	"fmt"
	"os"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// Transfer syntax UIDs whose pixel data this package decodes (PS3.5 section
// 10 and Annex A.4).
const (
	tsImplicitLE   = "1.2.840.10008.1.2"
	tsExplicitLE   = "1.2.840.10008.1.2.1"
	tsDeflatedLE   = "1.2.840.10008.1.2.1.99"
	tsExplicitBE   = "1.2.840.10008.1.2.2"
	tsRLE          = "1.2.840.10008.1.2.5"
	tsJPEGBaseline = "1.2.840.10008.1.2.4.50"
	tsJPEGLossless = "1.2.840.10008.1.2.4.57"
	tsJPEGLossSV1  = "1.2.840.10008.1.2.4.70"
)

// DecodableTransferSyntaxes lists the transfer syntaxes whose image pixel
// data this package decodes. The listener should accept image storage only
// in these, so that a sender converts anything else before sending.
var DecodableTransferSyntaxes = []string{
	tsImplicitLE, tsExplicitLE, tsDeflatedLE, tsExplicitBE,
	tsRLE, tsJPEGBaseline, tsJPEGLossless, tsJPEGLossSV1,
}

// instance is one parsed file: its attributes, transfer syntax and the
// undecoded pixel data.
type instance struct {
	path  string
	ds    attrs
	ts    string
	pixel *dicom.PixelDataInfo
}

// readInstance parses a Part 10 file, or a bare data set without File Meta
// Information, keeping the pixel data undecoded. For a file without a
// Transfer Syntax UID the parser guesses the encoding of the data set, and
// its pixel data is read as little endian.
func readInstance(path string) (*instance, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	return parseInstance(path, data, dicom.SkipProcessingPixelDataValue())
}

// readHeader parses a file without its pixel data.
func readHeader(path string) (attrs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	inst, err := parseInstance(path, data, dicom.SkipPixelData())
	if err != nil {
		return nil, err
	}
	return inst.ds, nil
}

// parseInstance parses the bytes of one file. A panic inside the parser is
// turned into ErrParse, so that one malformed file cannot stop the caller.
func parseInstance(path string, data []byte, opt dicom.ParseOption) (inst *instance, err error) {
	defer func() {
		if p := recover(); p != nil {
			inst, err = nil, fmt.Errorf("%w: %s: parser panic: %v", ErrParse, path, p)
		}
	}()
	ds, err := dicom.Parse(bytes.NewReader(data), int64(len(data)), nil, opt)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrParse, path, err)
	}
	inst = &instance{path: path, ds: attrs(ds.Elements)}
	inst.ts = inst.ds.str(tag.TransferSyntaxUID)
	if inst.ts == "" {
		inst.ts = tsImplicitLE
	}
	if e := inst.ds.find(tag.PixelData); e != nil && e.Value != nil {
		if info, ok := e.Value.GetValue().(dicom.PixelDataInfo); ok {
			inst.pixel = &info
		}
	}
	return inst, nil
}
