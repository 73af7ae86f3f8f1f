package series

import (
	"errors"
	"math/rand"
	"testing"
)

// losslessEncoder writes a minimal lossless JPEG (T.81 Annex H), so that the
// decoder's restart-interval handling can be checked, because none of the
// public test files uses restart markers. Every difference category 0 to 16
// gets a 5-bit Huffman code.
type losslessEncoder struct {
	out   []byte
	acc   uint32
	nbits uint
}

func (e *losslessEncoder) putBits(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		e.acc = e.acc<<1 | (v>>uint(i))&1
		e.nbits++
		if e.nbits == 8 {
			b := byte(e.acc)
			e.out = append(e.out, b)
			if b == 0xFF {
				e.out = append(e.out, 0)
			}
			e.acc, e.nbits = 0, 0
		}
	}
}

// flush pads the last byte with one bits, as T.81 F.1.2.3 requires before
// a marker.
func (e *losslessEncoder) flush() {
	for e.nbits != 0 {
		e.putBits(1, 1)
	}
}

func encodeLossless(samples []uint16, w, h, precision, predictor, restart int) []byte {
	e := &losslessEncoder{}
	seg := func(marker byte, body ...byte) {
		e.out = append(e.out, 0xFF, marker, byte((len(body)+2)>>8), byte(len(body)+2))
		e.out = append(e.out, body...)
	}
	e.out = append(e.out, 0xFF, markerSOI)
	seg(markerSOF3, byte(precision), byte(h>>8), byte(h), byte(w>>8), byte(w), 1, 1, 0x11, 0)
	dht := []byte{0x00, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for s := 0; s <= 16; s++ {
		dht = append(dht, byte(s))
	}
	seg(markerDHT, dht...)
	if restart > 0 {
		seg(markerDRI, byte(restart>>8), byte(restart))
	}
	seg(markerSOS, 1, 1, 0x00, byte(predictor), 0, 0)

	count, rst, firstRow := 0, 0, true
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if restart > 0 && count > 0 && count%restart == 0 {
				e.flush()
				e.out = append(e.out, 0xFF, byte(markerRST0+rst%8))
				rst++
				firstRow = true
			}
			count++
			at := func(xx, yy int) int32 { return int32(samples[yy*w+xx]) }
			var pred int32
			switch {
			case firstRow && x == 0:
				pred = 1 << uint(precision-1)
			case firstRow:
				pred = at(x-1, y)
			case x == 0:
				pred = at(0, y-1)
			default:
				pred = predict(predictor, at(x-1, y), at(x, y-1), at(x-1, y-1))
			}
			diff := (at(x, y) - pred) & 0xFFFF
			if diff >= 32768 {
				diff -= 65536
			}
			// Category SSSS is the bit length of |diff|; -32768 is
			// category 16, sent without extra bits (T.81 H.1.2.2).
			ssss := uint(0)
			if diff == -32768 {
				ssss = 16
			} else {
				a := diff
				if a < 0 {
					a = -a
				}
				for ; a > 0; a >>= 1 {
					ssss++
				}
			}
			e.putBits(uint32(ssss), 5)
			if ssss > 0 && ssss < 16 {
				v := diff
				if v < 0 {
					v--
				}
				e.putBits(uint32(v)&(1<<ssss-1), ssss)
			}
		}
		firstRow = false
	}
	e.flush()
	e.out = append(e.out, 0xFF, markerEOI)
	return e.out
}

func TestLosslessRestartIntervals(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const w, h = 37, 11
	for _, precision := range []int{8, 12, 16} {
		samples := make([]uint16, w*h)
		for i := range samples {
			samples[i] = uint16(rng.Intn(1 << uint(precision)))
		}
		for predictor := 1; predictor <= 7; predictor++ {
			for _, restart := range []int{0, 1, 5, w, 2*w + 3} {
				data := encodeLossless(samples, w, h, precision, predictor, restart)
				img, err := decodeLosslessJPEG(data, w, h)
				if err != nil {
					t.Fatalf("precision %d predictor %d restart %d: %v", precision, predictor, restart, err)
				}
				for i := range samples {
					if img.samples[i] != samples[i] {
						t.Fatalf("precision %d predictor %d restart %d: sample %d is %d, want %d",
							precision, predictor, restart, i, img.samples[i], samples[i])
					}
				}
			}
		}
	}
}

func TestLosslessRejectsCorrupt(t *testing.T) {
	samples := make([]uint16, 16*16)
	for i := range samples {
		samples[i] = uint16(i * 97 % 4096)
	}
	good := encodeLossless(samples, 16, 16, 12, 1, 0)
	cases := []struct {
		name string
		data []byte
		rows int
	}{
		{"empty", nil, 16},
		{"no soi", good[2:], 16},
		{"truncated scan", good[:len(good)/2], 16},
		{"header size mismatch", good, 15},
		{"only headers", good[:40], 16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeLosslessJPEG(c.data, 16, c.rows)
			if !errors.Is(err, ErrCorruptPixels) {
				t.Fatalf("error %v, want ErrCorruptPixels", err)
			}
		})
	}
}

func TestStoredValue(t *testing.T) {
	cases := []struct {
		name                    string
		allocated, stored, high int
		signed                  bool
		cell                    uint32
		want                    int32
	}{
		{"unsigned 12 of 16", 16, 12, 11, false, 0xF800, 0x800},
		{"signed 12 of 16 negative", 16, 12, 11, true, 0x0FFF, -1},
		{"signed 12 of 16 positive", 16, 12, 11, true, 0x07FF, 2047},
		{"signed 16", 16, 16, 15, true, 0x8000, -32768},
		{"high bit 15 of 12 stored", 16, 12, 15, false, 0xABC0, 0xABC},
		{"unsigned 8", 8, 8, 7, false, 0xFF, 255},
		{"signed 32", 32, 32, 31, true, 0xFFFFFFFE, -2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := pixelFormat{bitsAllocated: c.allocated, bitsStored: c.stored, highBit: c.high, signed: c.signed}
			if got := f.storedValue(c.cell); got != c.want {
				t.Errorf("storedValue(%#x) = %d, want %d", c.cell, got, c.want)
			}
		})
	}
}
