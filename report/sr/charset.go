package sr

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The Specific Character Set (0008,0005) values this package writes itself
// (PS3.3 C.12.1.1.2): Latin alphabet No. 1 and Unicode in UTF-8.
const (
	charsetLatin1 = "ISO_IR 100"
	charsetUTF8   = "ISO_IR 192"
)

// textEncoder turns UTF-8 Go strings into the bytes of one character set.
type textEncoder struct {
	// charset is the value of Specific Character Set; nil leaves it out.
	charset []string
	latin1  bool
}

// chooseCharset picks the character set of the report from the source's
// Specific Character Set and the text the report will contain:
//   - text that is all ASCII keeps the source's value, because every
//     character set PS3.3 C.12.1.1.2 defines contains ASCII in G0;
//   - a source in ISO_IR 192 keeps it;
//   - a source in ISO_IR 100 keeps it when every character is in Latin-1;
//   - anything else, including a source without the attribute, becomes
//     ISO_IR 192, which can encode every character.
func chooseCharset(source []string, texts []string) *textEncoder {
	ascii := true
	latin1 := true
	for _, s := range texts {
		for _, r := range s {
			if r >= utf8.RuneSelf {
				ascii = false
			}
			if r > 0xFF {
				latin1 = false
			}
		}
	}
	source = slices.Clone(source)
	switch {
	case ascii:
		if len(source) == 0 {
			return &textEncoder{}
		}
		return &textEncoder{charset: source}
	case len(source) == 1 && source[0] == charsetUTF8:
		return &textEncoder{charset: source}
	case len(source) == 1 && source[0] == charsetLatin1 && latin1:
		return &textEncoder{charset: source, latin1: true}
	}
	return &textEncoder{charset: []string{charsetUTF8}}
}

// encode returns s in the chosen character set, as the raw bytes of a Go
// string. It must only see strings that were passed to chooseCharset.
func (e *textEncoder) encode(s string) string {
	if !e.latin1 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
	}
	return b.String()
}

// checkText checks that a text value fits its value representation (PS3.5
// Table 6.2-1): valid UTF-8, no control characters except those the VR
// allows, no backslash in single-valued strings, and at most max characters
// (per component group for PN). max 0 means no limit.
func checkText(vr, value string, max int) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%q is not valid UTF-8", value)
	}
	multiline := vr == "UT" || vr == "ST" || vr == "LT"
	for _, r := range value {
		switch {
		case r == '\\' && !multiline:
			return fmt.Errorf("%q contains a backslash, which %s does not allow", value, vr)
		case multiline && (r == '\r' || r == '\n' || r == '\t' || r == '\f'):
		case r < 0x20 || r == 0x7F:
			return fmt.Errorf("%q contains control character %U", value, r)
		}
	}
	if max == 0 {
		return nil
	}
	groups := []string{value}
	if vr == "PN" {
		groups = strings.Split(value, "=")
		if len(groups) > 3 {
			return fmt.Errorf("%q has more than 3 component groups", value)
		}
	}
	for _, g := range groups {
		if n := utf8.RuneCountInString(g); n > max {
			return fmt.Errorf("%q has %d characters, more than %d", value, n, max)
		}
	}
	return nil
}
