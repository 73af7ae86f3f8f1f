package series

import (
	"encoding/binary"
	"fmt"
)

// rleHeaderSize is the size of the RLE header: the number of segments and
// fifteen segment offsets, each a 32-bit little-endian integer (PS3.5 G.5).
const rleHeaderSize = 64

// decodeRLE decodes one RLE Lossless frame (PS3.5 Annex G) of one sample per
// pixel into pixel cells of bitsAllocated bits. Each byte of a cell is in its
// own segment, most significant byte first (G.2).
func decodeRLE(data []byte, rows, cols, bitsAllocated int) ([]uint32, error) {
	if len(data) < rleHeaderSize {
		return nil, fmt.Errorf("%w: RLE frame of %d bytes, shorter than its header", ErrCorruptPixels, len(data))
	}
	nseg := int(binary.LittleEndian.Uint32(data))
	bytesPerCell := bitsAllocated / 8
	if bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32 || nseg != bytesPerCell {
		return nil, fmt.Errorf("%w: RLE frame with %d segments for %d bits allocated", ErrCorruptPixels, nseg, bitsAllocated)
	}

	// A replicate run of at most 128 bytes takes 2 bytes, so each segment
	// expands at most 64 times; checking first bounds the allocation.
	n := rows * cols
	if int64(n) > 64*int64(len(data)) {
		return nil, fmt.Errorf("%w: RLE frame of %d bytes cannot hold %dx%d pixels", ErrCorruptPixels, len(data), cols, rows)
	}
	cells := make([]uint32, n)
	seg := make([]byte, n)

	// Decode each segment and place its bytes in the cells.
	for s := 0; s < nseg; s++ {
		start := int64(binary.LittleEndian.Uint32(data[4+4*s:]))
		end := int64(len(data))
		if s+1 < nseg {
			end = int64(binary.LittleEndian.Uint32(data[8+4*s:]))
		}
		if start < rleHeaderSize || start > end || end > int64(len(data)) {
			return nil, fmt.Errorf("%w: RLE segment %d at offsets %d..%d of %d bytes", ErrCorruptPixels, s+1, start, end, len(data))
		}
		if err := unpackBits(data[start:end], seg); err != nil {
			return nil, fmt.Errorf("RLE segment %d: %w", s+1, err)
		}
		shift := uint(8 * (nseg - 1 - s))
		for i, b := range seg {
			cells[i] |= uint32(b) << shift
		}
	}
	return cells, nil
}

// unpackBits fills out from one PackBits-encoded RLE segment (PS3.5 G.3.2).
// A header byte n of 0..127 copies the next n+1 bytes, -1..-127 repeats
// the next byte 1-n times, and -128 is skipped. A segment must decode to
// exactly one byte per pixel; more or fewer is an error.
func unpackBits(in, out []byte) error {
	o := 0
	for i := 0; i < len(in) && o < len(out); {
		h := int8(in[i])
		i++
		switch {
		case h >= 0:
			n := int(h) + 1
			if i+n > len(in) || o+n > len(out) {
				return fmt.Errorf("%w: RLE literal run of %d bytes overflows", ErrCorruptPixels, n)
			}
			copy(out[o:], in[i:i+n])
			i += n
			o += n
		case h != -128:
			n := 1 - int(h)
			if i >= len(in) || o+n > len(out) {
				return fmt.Errorf("%w: RLE replicate run of %d bytes overflows", ErrCorruptPixels, n)
			}
			for j := 0; j < n; j++ {
				out[o+j] = in[i]
			}
			i++
			o += n
		}
	}
	if o != len(out) {
		return fmt.Errorf("%w: RLE segment decodes to %d bytes, want %d", ErrCorruptPixels, o, len(out))
	}
	return nil
}
