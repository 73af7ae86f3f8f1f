package results

import (
	"fmt"
	"io"
	"os"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// Instance is one data set to send: the file that holds it, where its data
// set starts and how that data set is encoded.
type Instance struct {
	// Path is the file; DataSetOffset is where its data set starts, after
	// the preamble and File Meta Information of a Part 10 file (0 for a
	// bare data set).
	Path          string
	DataSetOffset int64

	SOPClassUID       string
	SOPInstanceUID    string
	TransferSyntaxUID string
}

// metaReadLimit bounds the bytes read to find the end of the File Meta
// Information; the group is a few hundred bytes in practice.
const metaReadLimit = 64 << 10

// ReadInstance reads the header of the file at path, a Part 10 file (PS3.10
// 7.1) or a bare data set in Implicit or Explicit VR Little Endian, and
// returns it as an Instance. A file without SOP Class and SOP Instance UIDs
// returns an error wrapping ErrNotDICOM.
func ReadInstance(path string) (Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return Instance{}, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Instance{}, fmt.Errorf("results: %w", err)
	}

	// 1. The File Meta Information, when there is one.
	head := make([]byte, min(fi.Size(), metaReadLimit))
	if _, err := io.ReadFull(f, head); err != nil {
		return Instance{}, fmt.Errorf("results: %s: %w", path, err)
	}
	ts, offset, err := store.SplitPart10(head)
	if err != nil {
		return Instance{}, fmt.Errorf("%w: %s: %v", ErrNotDICOM, path, err)
	}

	// 2. A bare data set: Explicit VR when the bytes after the first tag
	// are a VR (two upper-case letters), else Implicit VR (PS3.5 7.1).
	if ts == "" {
		ts = scp.ImplicitVRLittleEndian
		if len(head) >= 6 && isUpper(head[4]) && isUpper(head[5]) {
			ts = scp.ExplicitVRLittleEndian
		}
	}

	// 3. The header of the data set.
	size := fi.Size() - offset
	h, err := store.ParseHeader(io.NewSectionReader(f, offset, size), size, ts)
	if err != nil {
		return Instance{}, fmt.Errorf("%w: %s: %v", ErrNotDICOM, path, err)
	}
	if h.SOPClassUID == "" || h.SOPInstanceUID == "" {
		return Instance{}, fmt.Errorf("%w: %s has no SOP Class UID or SOP Instance UID", ErrNotDICOM, path)
	}
	return Instance{
		Path:              path,
		DataSetOffset:     offset,
		SOPClassUID:       h.SOPClassUID,
		SOPInstanceUID:    h.SOPInstanceUID,
		TransferSyntaxUID: ts,
	}, nil
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
