package series

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// pixelFormat is the Image Pixel Module of an instance (PS3.3 C.7.6.3).
type pixelFormat struct {
	rows, cols     int
	frames         int
	bitsAllocated  int
	bitsStored     int
	highBit        int
	signed         bool
	samples        int
	photometric    string
	bigEndian      bool
	transferSyntax string
}

// maxFramePixels bounds rows*columns*frames of one instance so that a
// malformed header cannot make the decoder allocate without limit. 2^30
// pixels is 4096 frames of 512x512, beyond any CT or MR object this node
// processes.
const maxFramePixels = 1 << 30

func readPixelFormat(inst *instance) (pixelFormat, error) {
	ds := inst.ds
	f := pixelFormat{transferSyntax: inst.ts, bigEndian: inst.ts == tsExplicitBE}
	var ok bool
	if f.rows, ok = ds.int(tag.Rows); !ok || f.rows <= 0 {
		return f, fmt.Errorf("%w: %s: Rows (0028,0010)", ErrMissingAttribute, inst.path)
	}
	if f.cols, ok = ds.int(tag.Columns); !ok || f.cols <= 0 {
		return f, fmt.Errorf("%w: %s: Columns (0028,0011)", ErrMissingAttribute, inst.path)
	}
	if f.bitsAllocated, ok = ds.int(tag.BitsAllocated); !ok {
		return f, fmt.Errorf("%w: %s: Bits Allocated (0028,0100)", ErrMissingAttribute, inst.path)
	}
	if f.bitsStored, ok = ds.int(tag.BitsStored); !ok {
		f.bitsStored = f.bitsAllocated
	}
	if f.highBit, ok = ds.int(tag.HighBit); !ok {
		f.highBit = f.bitsStored - 1
	}
	pr, _ := ds.int(tag.PixelRepresentation)
	f.signed = pr == 1
	if f.samples, ok = ds.int(tag.SamplesPerPixel); !ok {
		f.samples = 1
	}
	f.photometric = ds.str(tag.PhotometricInterpretation)
	if f.frames, ok = ds.int(tag.NumberOfFrames); !ok || f.frames < 1 {
		f.frames = 1
	}

	// Check the layout before anything is allocated from it.
	switch f.bitsAllocated {
	case 1, 8, 16, 32:
	default:
		return f, fmt.Errorf("%w: %s: Bits Allocated %d", ErrUnsupportedPixels, inst.path, f.bitsAllocated)
	}
	if f.bitsStored < 1 || f.bitsStored > f.bitsAllocated || f.highBit < f.bitsStored-1 || f.highBit >= f.bitsAllocated {
		return f, fmt.Errorf("%w: %s: Bits Stored %d, High Bit %d, Bits Allocated %d",
			ErrMissingAttribute, inst.path, f.bitsStored, f.highBit, f.bitsAllocated)
	}
	if f.samples != 1 {
		return f, fmt.Errorf("%w: %s: %d samples per pixel (%s), only monochrome images are supported",
			ErrUnsupportedPixels, inst.path, f.samples, f.photometric)
	}
	if int64(f.rows)*int64(f.cols)*int64(f.frames) > maxFramePixels {
		return f, fmt.Errorf("%w: %s: %dx%dx%d pixels", ErrUnsupportedPixels, inst.path, f.cols, f.rows, f.frames)
	}
	return f, nil
}

func (f pixelFormat) framePixels() int { return f.rows * f.cols }

// storedValue turns the bits of one allocated pixel cell into its stored
// value: the Bits Stored bits ending at High Bit, sign-extended when Pixel
// Representation is 1 (PS3.5 section 8.1.1).
func (f pixelFormat) storedValue(cell uint32) int32 {
	shift := uint(f.highBit + 1 - f.bitsStored)
	v := cell >> shift
	if f.bitsStored < 32 {
		v &= (1 << uint(f.bitsStored)) - 1
		if f.signed && v&(1<<uint(f.bitsStored-1)) != 0 {
			v |= ^uint32(0) << uint(f.bitsStored)
		}
	}
	return int32(v)
}

// decodeFrames returns the stored values of every frame, before Rescale
// Slope and Intercept.
func decodeFrames(inst *instance) ([][]int32, pixelFormat, error) {
	f, err := readPixelFormat(inst)
	if err != nil {
		return nil, f, err
	}
	if inst.pixel == nil {
		return nil, f, fmt.Errorf("%w: %s: Pixel Data (7FE0,0010)", ErrMissingAttribute, inst.path)
	}
	if !inst.pixel.IsEncapsulated {
		frames, err := decodeNative(inst.pixel.UnprocessedValueData, f)
		if err != nil {
			return nil, f, fmt.Errorf("%s: %w", inst.path, err)
		}
		return frames, f, nil
	}

	fragments := make([][]byte, 0, len(inst.pixel.Frames))
	for _, fr := range inst.pixel.Frames {
		if fr != nil {
			fragments = append(fragments, fr.EncapsulatedData.Data)
		}
	}
	encoded, err := groupFragments(fragments, f.frames, inst.ts)
	if err != nil {
		return nil, f, fmt.Errorf("%s: %w", inst.path, err)
	}
	out := make([][]int32, len(encoded))
	for i, data := range encoded {
		out[i], err = decodeEncapsulatedFrame(data, f)
		if err != nil {
			return nil, f, fmt.Errorf("%s: frame %d: %w", inst.path, i+1, err)
		}
	}
	return out, f, nil
}

// decodeNative splits native (uncompressed) pixel data into frames. Pixel
// cells of 16 and 32 bits are in the byte order of the transfer syntax;
// 1-bit cells are packed from the least significant bit of each byte, and
// frames follow each other without padding (PS3.5 section 8.1.1 and 8.2).
func decodeNative(data []byte, f pixelFormat) ([][]int32, error) {
	n := f.framePixels()
	totalBits := int64(n) * int64(f.frames) * int64(f.bitsAllocated)
	if int64(len(data))*8 < totalBits {
		return nil, fmt.Errorf("%w: %d bytes of native pixel data, %d frames of %dx%d at %d bits need %d",
			ErrCorruptPixels, len(data), f.frames, f.cols, f.rows, f.bitsAllocated, (totalBits+7)/8)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if f.bigEndian {
		order = binary.BigEndian
	}
	frames := make([][]int32, f.frames)
	for k := range frames {
		out := make([]int32, n)
		base := k * n
		switch f.bitsAllocated {
		case 1:
			for i := range out {
				p := base + i
				out[i] = f.storedValue(uint32(data[p/8]>>(uint(p)%8)) & 1)
			}
		case 8:
			for i, b := range data[base : base+n] {
				out[i] = f.storedValue(uint32(b))
			}
		case 16:
			src := data[2*base : 2*(base+n)]
			for i := range out {
				out[i] = f.storedValue(uint32(order.Uint16(src[2*i:])))
			}
		case 32:
			src := data[4*base : 4*(base+n)]
			for i := range out {
				out[i] = f.storedValue(order.Uint32(src[4*i:]))
			}
		}
		frames[k] = out
	}
	return frames, nil
}

// groupFragments assigns the fragments of encapsulated pixel data to frames
// (PS3.5 A.4): one fragment per frame, all fragments of a single-frame
// image, or, for JPEG, a new frame at each fragment that starts with an SOI
// marker.
func groupFragments(fragments [][]byte, frames int, ts string) ([][]byte, error) {
	switch {
	case len(fragments) == 0:
		return nil, fmt.Errorf("%w: no fragments in encapsulated pixel data", ErrCorruptPixels)
	case len(fragments) == frames:
		return fragments, nil
	case frames == 1:
		return [][]byte{bytes.Join(fragments, nil)}, nil
	case ts == tsRLE || len(fragments) < frames:
		return nil, fmt.Errorf("%w: %d fragments for %d frames", ErrCorruptPixels, len(fragments), frames)
	}
	var out [][]byte
	for _, frag := range fragments {
		if len(frag) >= 2 && frag[0] == 0xFF && frag[1] == 0xD8 || len(out) == 0 {
			out = append(out, append([]byte(nil), frag...))
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], frag...)
	}
	if len(out) != frames {
		return nil, fmt.Errorf("%w: %d JPEG streams in %d fragments for %d frames", ErrCorruptPixels, len(out), len(fragments), frames)
	}
	return out, nil
}

// decodeEncapsulatedFrame decodes one compressed frame into stored values.
func decodeEncapsulatedFrame(data []byte, f pixelFormat) ([]int32, error) {
	n := f.framePixels()
	switch f.transferSyntax {
	case tsRLE:
		cells, err := decodeRLE(data, f.rows, f.cols, f.bitsAllocated)
		if err != nil {
			return nil, err
		}
		out := make([]int32, n)
		for i, c := range cells {
			out[i] = f.storedValue(c)
		}
		return out, nil

	case tsJPEGLossless, tsJPEGLossSV1:
		img, err := decodeLosslessJPEG(data, f.cols, f.rows)
		if err != nil {
			return nil, err
		}
		out := make([]int32, n)
		for i, c := range img.samples {
			out[i] = f.storedValue(uint32(c))
		}
		return out, nil

	case tsJPEGBaseline:
		return decodeBaselineJPEG(data, f)
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupportedTransferSyntax, f.transferSyntax)
}
