// Package dcmuid validates and generates DICOM unique identifiers as PS3.5
// section 9.1 defines them: at most 64 characters, components of digits
// separated by single periods, no component with a leading zero unless the
// component is "0".
package dcmuid

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
)

// MaxLength is the maximum length of a UID in characters (PS3.5 9.1).
const MaxLength = 64

// ErrInvalid is returned by Check when a string is not a valid UID.
var ErrInvalid = errors.New("dcmuid: invalid UID")

// Valid reports whether s is a valid UID. A trailing NUL padding byte, which
// the UI value representation allows on the wire, must be removed first.
func Valid(s string) bool {
	return Check(s) == nil
}

// Check returns nil for a valid UID, or an error wrapping ErrInvalid that
// says which rule s breaks.
func Check(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrInvalid)
	}
	if len(s) > MaxLength {
		return fmt.Errorf("%w: %d characters, more than %d", ErrInvalid, len(s), MaxLength)
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			if s[i] < '0' || s[i] > '9' {
				return fmt.Errorf("%w: character %q at offset %d", ErrInvalid, s[i], i)
			}
			continue
		}
		component := s[start:i]
		if component == "" {
			return fmt.Errorf("%w: empty component at offset %d", ErrInvalid, start)
		}
		if len(component) > 1 && component[0] == '0' {
			return fmt.Errorf("%w: component %q has a leading zero", ErrInvalid, component)
		}
		start = i + 1
	}
	return nil
}

// New returns a fresh UID under the 2.25 root, which PS3.5 Annex B.2 reserves
// for UIDs derived from a 128-bit random UUID written as one decimal integer.
func New() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("dcmuid: crypto/rand failed: " + err.Error())
	}
	// Set the version (4) and variant (RFC 4122) bits of a random UUID.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return "2.25." + new(big.Int).SetBytes(b[:]).String()
}
