package pdu

import (
	"encoding/binary"
	"fmt"
)

// cursor reads big-endian fields from a byte slice. Its error is sticky: the
// first read past the end records ErrMalformed naming what was being read,
// and every later read returns zero values.
type cursor struct {
	b    []byte
	off  int
	err  error
	what string // what is being decoded, for error messages
}

func (c *cursor) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %s: %s", ErrMalformed, c.what, fmt.Sprintf(format, args...))
	}
}

func (c *cursor) remaining() int { return len(c.b) - c.off }

func (c *cursor) need(n int, field string) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || c.remaining() < n {
		c.fail("%s needs %d bytes at offset %d, %d remain", field, n, c.off, c.remaining())
		return false
	}
	return true
}

func (c *cursor) u8(field string) byte {
	if !c.need(1, field) {
		return 0
	}
	v := c.b[c.off]
	c.off++
	return v
}

func (c *cursor) u16(field string) uint16 {
	if !c.need(2, field) {
		return 0
	}
	v := binary.BigEndian.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

func (c *cursor) u32(field string) uint32 {
	if !c.need(4, field) {
		return 0
	}
	v := binary.BigEndian.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

// bytes returns the next n bytes without copying.
func (c *cursor) bytes(n int, field string) []byte {
	if !c.need(n, field) {
		return nil
	}
	v := c.b[c.off : c.off+n]
	c.off += n
	return v
}

// sub returns a cursor over the next n bytes and advances past them.
func (c *cursor) sub(n int, what string) *cursor {
	return &cursor{b: c.bytes(n, what), what: what, err: c.err}
}
