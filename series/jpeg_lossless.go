package series

import (
	"fmt"
)

// Lossless JPEG (ITU-T T.81 Annex H, process 14): Huffman-coded differences
// from one of seven predictors, one component, precision 2 to 16 bits.

// Marker codes from ITU-T T.81 Table B.1.
const (
	markerSOF3 = 0xC3
	markerDHT  = 0xC4
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerDRI  = 0xDD
	markerRST0 = 0xD0
	markerRST7 = 0xD7
)

// losslessImage is a decoded lossless JPEG frame: width*height samples in
// raster order, each below 2^precision.
type losslessImage struct {
	width, height int
	precision     int
	samples       []uint16
}

// huffmanTable is a decoding table built from a DHT segment (T.81 C.2 and
// F.2.2.3): for each code length, the largest code and the index of its
// first symbol.
//
// Codes of up to huffmanLookupBits bits are also entered in a lookup table
// indexed by the next huffmanLookupBits bits of the stream; each entry is
// the code length << 8 | symbol, or 0 for a longer code.
type huffmanTable struct {
	maxCode [17]int32
	valPtr  [17]int32
	minCode [17]int32
	symbols []byte
	lookup  [1 << huffmanLookupBits]uint16
	defined bool
}

const huffmanLookupBits = 9

func buildHuffman(counts [16]int, symbols []byte) huffmanTable {
	h := huffmanTable{symbols: symbols, defined: true}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		if n == 0 {
			h.maxCode[l] = -1
		} else {
			h.valPtr[l] = k
			h.minCode[l] = code
			for c := code; c < code+n && l <= huffmanLookupBits; c++ {
				// A code whose bits overflow its length is invalid and
				// left to the slow path, which rejects it.
				if c >= 1<<uint(l) || int(k+c-code) >= len(symbols) {
					break
				}
				first := int(c) << uint(huffmanLookupBits-l)
				entry := uint16(l)<<8 | uint16(symbols[k+c-code])
				for i := first; i < first+1<<uint(huffmanLookupBits-l); i++ {
					h.lookup[i] = entry
				}
			}
			code += n
			k += n
			h.maxCode[l] = code - 1
		}
		code <<= 1
	}
	return h
}

// bitReader reads entropy-coded bits, removing the zero byte stuffed after
// each 0xFF (T.81 F.1.2.3). At a marker or the end of the data it pads with
// zero bits, and sets overrun once a padding bit has been consumed.
type bitReader struct {
	data    []byte
	pos     int
	acc     uint32
	nbits   uint
	pad     uint
	overrun bool
}

func (r *bitReader) fill() {
	for r.nbits <= 24 {
		var b byte
		if r.pos < len(r.data) {
			b = r.data[r.pos]
			if b == 0xFF {
				if r.pos+1 < len(r.data) && r.data[r.pos+1] == 0x00 {
					r.pos += 2
				} else {
					b = 0
					r.pad += 8
				}
			} else {
				r.pos++
			}
		} else {
			r.pad += 8
		}
		r.acc |= uint32(b) << (24 - r.nbits)
		r.nbits += 8
	}
}

func (r *bitReader) bits(n uint) uint32 {
	if n == 0 {
		return 0
	}
	v := r.peek(n)
	r.skip(n)
	return v
}

// peek returns the next n bits (1 to 24) without consuming them.
func (r *bitReader) peek(n uint) uint32 {
	if r.nbits < n {
		r.fill()
	}
	return r.acc >> (32 - n)
}

func (r *bitReader) skip(n uint) {
	r.acc <<= n
	r.nbits -= n
	if r.nbits < r.pad {
		r.overrun = true
		r.pad = r.nbits
	}
}

// reset drops buffered bits so that decoding continues at a byte boundary
// after a restart marker.
func (r *bitReader) reset() {
	r.acc, r.nbits, r.pad = 0, 0, 0
}

func (r *bitReader) decode(h *huffmanTable) (int, error) {
	if e := h.lookup[r.peek(huffmanLookupBits)]; e != 0 {
		r.skip(uint(e >> 8))
		return int(e & 0xFF), nil
	}
	code := int32(0)
	for l := 1; l <= 16; l++ {
		code = code<<1 | int32(r.bits(1))
		if h.maxCode[l] >= 0 && code <= h.maxCode[l] && code >= h.minCode[l] {
			i := h.valPtr[l] + code - h.minCode[l]
			if int(i) >= len(h.symbols) {
				return 0, fmt.Errorf("%w: Huffman symbol index out of range", ErrCorruptPixels)
			}
			return int(h.symbols[i]), nil
		}
	}
	return 0, fmt.Errorf("%w: invalid Huffman code", ErrCorruptPixels)
}

// decodeLosslessJPEG decodes a single-component lossless JPEG stream whose
// frame header must give cols x rows samples. The size is checked before
// anything is allocated from it.
func decodeLosslessJPEG(data []byte, cols, rows int) (*losslessImage, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != markerSOI {
		return nil, fmt.Errorf("%w: lossless JPEG stream without SOI marker", ErrCorruptPixels)
	}
	var (
		img     *losslessImage
		tables  [4]huffmanTable
		restart int
		pos     = 2
	)
	for {
		// Find the next marker, skipping fill bytes.
		for pos < len(data) && data[pos] != 0xFF {
			pos++
		}
		for pos < len(data) && data[pos] == 0xFF {
			pos++
		}
		if pos >= len(data) {
			return nil, fmt.Errorf("%w: lossless JPEG stream ends before its scan", ErrCorruptPixels)
		}
		marker := data[pos]
		pos++
		if marker == markerEOI {
			return nil, fmt.Errorf("%w: lossless JPEG stream without scan", ErrCorruptPixels)
		}
		if marker >= markerRST0 && marker <= markerRST7 || marker == 0x01 {
			continue
		}
		if pos+2 > len(data) {
			return nil, fmt.Errorf("%w: truncated JPEG marker segment", ErrCorruptPixels)
		}
		length := int(data[pos])<<8 | int(data[pos+1])
		if length < 2 || pos+length > len(data) {
			return nil, fmt.Errorf("%w: JPEG marker FF%02X segment length %d", ErrCorruptPixels, marker, length)
		}
		seg := data[pos+2 : pos+length]
		pos += length

		switch marker {
		case markerSOF3:
			var err error
			if img, err = parseSOF3(seg); err != nil {
				return nil, err
			}
			if img.width != cols || img.height != rows {
				return nil, fmt.Errorf("%w: JPEG image is %dx%d, but Columns and Rows are %dx%d", ErrCorruptPixels, img.width, img.height, cols, rows)
			}
		case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
			return nil, fmt.Errorf("%w: JPEG frame type FF%02X is not lossless process 14", ErrUnsupportedTransferSyntax, marker)
		case markerDHT:
			if err := parseDHT(seg, &tables); err != nil {
				return nil, err
			}
		case markerDRI:
			if len(seg) < 2 {
				return nil, fmt.Errorf("%w: short DRI segment", ErrCorruptPixels)
			}
			restart = int(seg[0])<<8 | int(seg[1])
		case markerSOS:
			if img == nil {
				return nil, fmt.Errorf("%w: JPEG scan before SOF3 frame header", ErrCorruptPixels)
			}
			if err := decodeLosslessScan(img, seg, data[pos:], &tables, restart); err != nil {
				return nil, err
			}
			return img, nil
		}
	}
}

func parseSOF3(seg []byte) (*losslessImage, error) {
	if len(seg) < 6 {
		return nil, fmt.Errorf("%w: short SOF3 segment", ErrCorruptPixels)
	}
	p := int(seg[0])
	h := int(seg[1])<<8 | int(seg[2])
	w := int(seg[3])<<8 | int(seg[4])
	nf := int(seg[5])
	if nf != 1 {
		return nil, fmt.Errorf("%w: lossless JPEG with %d components", ErrUnsupportedPixels, nf)
	}
	if p < 2 || p > 16 || w == 0 || h == 0 {
		return nil, fmt.Errorf("%w: SOF3 precision %d, size %dx%d", ErrCorruptPixels, p, w, h)
	}
	if int64(w)*int64(h) > maxFramePixels {
		return nil, fmt.Errorf("%w: SOF3 size %dx%d", ErrUnsupportedPixels, w, h)
	}
	return &losslessImage{width: w, height: h, precision: p}, nil
}

func parseDHT(seg []byte, tables *[4]huffmanTable) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return fmt.Errorf("%w: short DHT segment", ErrCorruptPixels)
		}
		class, id := seg[0]>>4, seg[0]&0x0F
		if class != 0 || id > 3 {
			return fmt.Errorf("%w: DHT table class %d id %d (lossless uses DC tables 0-3)", ErrCorruptPixels, class, id)
		}
		var counts [16]int
		total := 0
		for i := 0; i < 16; i++ {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		if total > 256 || 17+total > len(seg) {
			return fmt.Errorf("%w: DHT with %d symbols", ErrCorruptPixels, total)
		}
		tables[id] = buildHuffman(counts, append([]byte(nil), seg[17:17+total]...))
		seg = seg[17+total:]
	}
	return nil
}

// decodeLosslessScan decodes the scan that follows an SOS header into
// img.samples (T.81 H.2 and H.3).
func decodeLosslessScan(img *losslessImage, sos, entropy []byte, tables *[4]huffmanTable, restart int) error {
	// 1. Scan header: one component, its table, predictor and point transform.
	if len(sos) < 6 || sos[0] != 1 {
		return fmt.Errorf("%w: lossless JPEG scan header", ErrCorruptPixels)
	}
	table := &tables[(sos[2]>>4)&3]
	predictor := int(sos[3])
	pt := uint(sos[5] & 0x0F)
	if !table.defined {
		return fmt.Errorf("%w: scan uses undefined Huffman table", ErrCorruptPixels)
	}
	if predictor < 1 || predictor > 7 {
		return fmt.Errorf("%w: lossless JPEG predictor %d", ErrCorruptPixels, predictor)
	}
	if int(pt) >= img.precision {
		return fmt.Errorf("%w: point transform %d for precision %d", ErrCorruptPixels, pt, img.precision)
	}

	// Every sample takes at least one bit of entropy-coded data, so a
	// shorter scan is truncated; checking first bounds the allocation.
	if int64(img.width)*int64(img.height) > 8*int64(len(entropy)) {
		return fmt.Errorf("%w: %d bytes of scan data for %dx%d samples", ErrCorruptPixels, len(entropy), img.width, img.height)
	}

	// 2. Decode the differences and undo the prediction row by row. The
	// first row and each row after a restart use the left neighbour, the
	// first column uses the sample above (H.1.2.1).
	// NOTE: a restart in the middle of a row makes the rest of that row
	// use the left neighbour. Only the tests' own encoder has exercised
	// this; encoders normally restart at row boundaries.
	w, h := img.width, img.height
	img.samples = make([]uint16, w*h)
	mask := int32(1)<<uint(img.precision-int(pt)) - 1
	initial := int32(1) << uint(img.precision-int(pt)-1)
	cur := make([]int32, w)
	prev := make([]int32, w)
	r := &bitReader{data: entropy}
	count := 0
	firstRow := true
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if restart > 0 && count > 0 && count%restart == 0 {
				if err := r.skipRestart(); err != nil {
					return err
				}
				firstRow = true
			}
			count++

			ssss, err := r.decode(table)
			if err != nil {
				return fmt.Errorf("sample (%d,%d): %w", x, y, err)
			}
			var diff int32
			switch {
			case ssss == 0:
			case ssss == 16:
				diff = 32768
			case ssss < 16:
				v := int32(r.bits(uint(ssss)))
				if v < 1<<uint(ssss-1) {
					v -= 1<<uint(ssss) - 1
				}
				diff = v
			default:
				return fmt.Errorf("%w: difference category %d", ErrCorruptPixels, ssss)
			}

			var pred int32
			switch {
			case firstRow && x == 0:
				pred = initial
			case firstRow:
				pred = cur[x-1]
			case x == 0:
				pred = prev[0]
			default:
				pred = predict(predictor, cur[x-1], prev[x], prev[x-1])
			}
			cur[x] = (pred + diff) & mask
		}
		if r.overrun {
			return fmt.Errorf("%w: lossless JPEG scan truncated at row %d", ErrCorruptPixels, y)
		}
		for x := 0; x < w; x++ {
			img.samples[y*w+x] = uint16(cur[x] << pt)
		}
		prev, cur = cur, prev
		firstRow = false
	}
	return nil
}

// predict returns the prediction of selection value sv (T.81 Table H.1) from
// the left (a), upper (b) and upper-left (c) neighbours.
func predict(sv int, a, b, c int32) int32 {
	switch sv {
	case 1:
		return a
	case 2:
		return b
	case 3:
		return c
	case 4:
		return a + b - c
	case 5:
		return a + (b-c)>>1
	case 6:
		return b + (a-c)>>1
	default:
		return (a + b) >> 1
	}
}

// skipRestart moves past the RSTn marker that ends a restart interval.
func (r *bitReader) skipRestart() error {
	r.reset()
	r.overrun = false
	for r.pos+1 < len(r.data) {
		if r.data[r.pos] == 0xFF && r.data[r.pos+1] >= markerRST0 && r.data[r.pos+1] <= markerRST7 {
			r.pos += 2
			return nil
		}
		r.pos++
	}
	return fmt.Errorf("%w: restart marker missing", ErrCorruptPixels)
}
