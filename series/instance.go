package series

import (
	"fmt"

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
// data this package decodes. The listener accepts image storage only in
// these, so that a sender converts anything else.
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
// Information, keeping the pixel data undecoded. A file without a Transfer
// Syntax UID is read as Implicit VR Little Endian data.
func readInstance(path string) (*instance, error) {
	ds, err := dicom.ParseFile(path, nil, dicom.SkipProcessingPixelDataValue())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrParse, path, err)
	}
	inst := &instance{path: path, ds: attrs(ds.Elements)}
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

// readHeader parses a file without its pixel data.
func readHeader(path string) (attrs, error) {
	ds, err := dicom.ParseFile(path, nil, dicom.SkipPixelData())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrParse, path, err)
	}
	return attrs(ds.Elements), nil
}
