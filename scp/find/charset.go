package find

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Character sets (PS3.3 C.12.1.1.2, PS3.5 section 6.1). A Charset decodes
// the text values of one data set (VRs SH, LO, ST, LT, UT, UC and PN) into
// UTF-8, and encodes UTF-8 into the character set when it can.
//
// Supported defined terms: the default repertoire (none, ISO_IR 6,
// ISO 2022 IR 6); the ISO 8859 single-byte sets ISO_IR 100, 101, 109, 110,
// 144, 127, 126, 138, 148, 203 and their ISO 2022 forms; ISO_IR 166 (as
// Windows-874, a superset of TIS 620); ISO_IR 13 (JIS X 0201); ISO_IR 192
// (UTF-8); GB18030 and GBK; and, for decoding only, the ISO 2022 multi-byte
// sets ISO 2022 IR 87 and IR 159 (Japanese, through ISO-2022-JP), IR 149
// (Korean) and IR 58 (Simplified Chinese). A response is encoded in the
// request's character set when every value fits, otherwise in ISO_IR 192.
type Charset struct {
	// Terms are the values of Specific Character Set.
	Terms []string
	dec   encoding.Encoding // nil: ASCII/UTF-8 passthrough
	enc   encoding.Encoding // nil with encodable false: cannot encode
	utf8  bool
	// iso2022 is true when escape sequences must be removed before the
	// decoder sees the bytes.
	stripEscapes bool
	encodable    bool
}

var singleByte = map[string]encoding.Encoding{
	"ISO_IR 100": charmap.ISO8859_1, "ISO 2022 IR 100": charmap.ISO8859_1,
	"ISO_IR 101": charmap.ISO8859_2, "ISO 2022 IR 101": charmap.ISO8859_2,
	"ISO_IR 109": charmap.ISO8859_3, "ISO 2022 IR 109": charmap.ISO8859_3,
	"ISO_IR 110": charmap.ISO8859_4, "ISO 2022 IR 110": charmap.ISO8859_4,
	"ISO_IR 144": charmap.ISO8859_5, "ISO 2022 IR 144": charmap.ISO8859_5,
	"ISO_IR 127": charmap.ISO8859_6, "ISO 2022 IR 127": charmap.ISO8859_6,
	"ISO_IR 126": charmap.ISO8859_7, "ISO 2022 IR 126": charmap.ISO8859_7,
	"ISO_IR 138": charmap.ISO8859_8, "ISO 2022 IR 138": charmap.ISO8859_8,
	"ISO_IR 148": charmap.ISO8859_9, "ISO 2022 IR 148": charmap.ISO8859_9,
	"ISO_IR 203": charmap.ISO8859_15, "ISO 2022 IR 203": charmap.ISO8859_15,
	"ISO_IR 166": charmap.Windows874, "ISO 2022 IR 166": charmap.Windows874,
	"ISO_IR 13": japanese.ShiftJIS, "ISO 2022 IR 13": japanese.ShiftJIS,
}

// ErrCharset is returned for a Specific Character Set this package does not
// support.
var ErrCharset = fmt.Errorf("find: unsupported Specific Character Set")

// ParseCharset returns the character set of a Specific Character Set value
// (backslash-separated defined terms, raw).
func ParseCharset(value string) (*Charset, error) {
	var terms []string
	for _, t := range strings.Split(value, `\`) {
		terms = append(terms, strings.TrimSpace(t))
	}
	for len(terms) > 0 && terms[len(terms)-1] == "" && len(terms) > 1 {
		terms = terms[:len(terms)-1]
	}
	c := &Charset{Terms: terms, encodable: true}
	if value == "" {
		c.Terms = nil
		return c, nil
	}
	var multi []string
	for i, t := range terms {
		switch {
		case t == "" || t == "ISO_IR 6" || t == "ISO 2022 IR 6":
		case t == "ISO_IR 192":
			if len(terms) > 1 {
				return nil, fmt.Errorf("%w: ISO_IR 192 with other terms %q", ErrCharset, value)
			}
			c.utf8 = true
		case t == "GB18030" || t == "GBK":
			if len(terms) > 1 {
				return nil, fmt.Errorf("%w: %s with other terms %q", ErrCharset, t, value)
			}
			if t == "GB18030" {
				c.dec, c.enc = simplifiedchinese.GB18030, simplifiedchinese.GB18030
			} else {
				c.dec, c.enc = simplifiedchinese.GBK, simplifiedchinese.GBK
			}
		case singleByte[t] != nil:
			if c.dec != nil && i > 0 {
				// A second single-byte set through code extensions: decode
				// with the first, encode nothing.
				c.encodable = false
				continue
			}
			c.dec, c.enc = singleByte[t], singleByte[t]
			c.stripEscapes = strings.HasPrefix(t, "ISO 2022")
		case t == "ISO 2022 IR 87" || t == "ISO 2022 IR 159" || t == "ISO 2022 IR 149" || t == "ISO 2022 IR 58":
			multi = append(multi, t)
		default:
			return nil, fmt.Errorf("%w: %q", ErrCharset, t)
		}
	}
	if len(multi) > 0 {
		c.encodable = false
		c.enc = nil
		switch multi[0] {
		case "ISO 2022 IR 87", "ISO 2022 IR 159":
			c.dec = japanese.ISO2022JP
		case "ISO 2022 IR 149":
			c.dec, c.stripEscapes = korean.EUCKR, true
		case "ISO 2022 IR 58":
			c.dec, c.stripEscapes = simplifiedchinese.GBK, true
		}
	}
	return c, nil
}

// textVR reports whether values of vr are in the Specific Character Set;
// other string VRs use the default repertoire.
func textVR(vr string) bool {
	switch vr {
	case "SH", "LO", "ST", "LT", "UT", "UC", "PN":
		return true
	}
	return false
}

// Decode returns the UTF-8 text of a raw value of VR vr.
func (c *Charset) Decode(vr string, b []byte) string {
	if c == nil || !textVR(vr) || isASCII(b) || c.utf8 {
		if !utf8.Valid(b) && (c == nil || c.dec == nil) {
			// Bytes that are neither ASCII nor UTF-8 in a data set that
			// declared no character set: read them as Latin-1.
			s, _ := charmap.ISO8859_1.NewDecoder().Bytes(b)
			return string(s)
		}
		return string(b)
	}
	if c.dec == nil {
		s, _ := charmap.ISO8859_1.NewDecoder().Bytes(b)
		return string(s)
	}
	in := b
	if c.stripEscapes {
		in = stripEscapes(b)
	}
	out, err := c.dec.NewDecoder().Bytes(in)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// Encode returns s encoded in the character set, and false when it cannot
// be: then the response must use ISO_IR 192.
func (c *Charset) Encode(vr, s string) ([]byte, bool) {
	if isASCII([]byte(s)) || !textVR(vr) {
		return []byte(s), true
	}
	if c == nil || !c.encodable {
		return nil, false
	}
	if c.utf8 {
		return []byte(s), true
	}
	if c.enc == nil {
		return nil, false
	}
	out, err := c.enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, false
	}
	return out, true
}

// Value returns the Specific Character Set value that names c.
func (c *Charset) Value() string {
	if c == nil {
		return ""
	}
	return strings.Join(c.Terms, `\`)
}

func isASCII(b []byte) bool {
	for _, x := range b {
		if x >= 0x80 || x == 0x1B {
			return false
		}
	}
	return true
}

// stripEscapes removes ISO 2022 escape sequences (ESC, intermediate bytes
// 0x20-0x2F, a final byte).
func stripEscapes(b []byte) []byte {
	if bytes.IndexByte(b, 0x1B) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != 0x1B {
			out = append(out, b[i])
			continue
		}
		i++
		for i < len(b) && b[i] >= 0x20 && b[i] <= 0x2F {
			i++
		}
	}
	return out
}

// utf8Charset is the character set of responses whose values do not fit the
// request's.
var utf8Charset = &Charset{Terms: []string{"ISO_IR 192"}, utf8: true, encodable: true}
