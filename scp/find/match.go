package find

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Matching (PS3.4 C.2.2.2). A key's value, decoded to UTF-8, selects one of
// the kinds of matching:
//
//   - universal matching: a zero-length value, or "*" for a VR that takes
//     wildcards, matches every entity, with or without a value;
//   - list of UID matching: a UI value with several UIDs separated by "\"
//     matches an entity whose value is any of them (a single UID is single
//     value matching);
//   - range matching: a DA, TM or DT value "a-b", "-b" or "a-" matches
//     values from a to b inclusive; partial times and date-times cover the
//     whole period they name ("10" is 10:00:00 to 10:59:59.999999);
//   - wild card matching: in AE, CS, LO, LT, PN, SH, ST, UC and UT values,
//     "*" matches any run of characters (also none) and "?" any one
//     character;
//   - single value matching: any other value must equal the entity's value
//     (padding excluded). Dates, times and date-times are compared as the
//     period they name, IS and DS as numbers.
//
// Case: every comparison is case-sensitive except for PN, which matches
// without regard to case (PS3.4 C.2.2.2.1 allows this for PN; people type
// names in any case), on the whole name and on each component group
// (alphabetic, ideographic, phonetic).
//
// A key with several values separated by "\" in a CS, AE, SH or LO key
// ("CT\MR" in Modalities in Study) matches when any of them matches. An
// entity value with several values matches when any of them does. An
// entity without a value matches only universal matching. Time zone
// offsets in DT values are ignored.

// ErrKeyValue is returned for a key value that cannot be used for matching,
// for example a malformed date range.
var ErrKeyValue = errors.New("find: malformed key value")

// matcher decides whether an entity's values (one per value of a
// multi-valued attribute, UTF-8, unpadded) match a key.
type matcher func(values []string) bool

func universal([]string) bool { return true }

// wildcardVR reports whether values of vr may hold "*" and "?" wildcards.
func wildcardVR(vr string) bool {
	switch vr {
	case "AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT":
		return true
	}
	return false
}

// compileKey returns the matcher of a key value, and universal for
// universal matching.
func compileKey(vr, value string) (matcher, bool, error) {
	v := strings.TrimRight(value, " \x00")
	if vr != "LT" && vr != "ST" && vr != "UT" {
		v = strings.TrimLeft(v, " ")
	}
	if v == "" || (wildcardVR(vr) && strings.Trim(v, "*") == "" && v != "") {
		return universal, true, nil
	}
	switch vr {
	case "UI":
		set := map[string]bool{}
		for _, u := range strings.Split(v, `\`) {
			u = strings.Trim(u, " \x00")
			if u == "" {
				return nil, false, fmt.Errorf("%w: empty UID in list %q", ErrKeyValue, v)
			}
			set[u] = true
		}
		return func(values []string) bool {
			for _, x := range values {
				if set[x] {
					return true
				}
			}
			return false
		}, false, nil
	case "DA", "TM", "DT":
		lo, hi, err := rangeBounds(vr, v)
		if err != nil {
			return nil, false, err
		}
		return func(values []string) bool {
			for _, x := range values {
				p, _, err := bounds(vr, x)
				if err == nil && p >= lo && p <= hi {
					return true
				}
			}
			return false
		}, false, nil
	case "IS", "DS":
		want, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, false, fmt.Errorf("%w: %q is not a number", ErrKeyValue, v)
		}
		return func(values []string) bool {
			for _, x := range values {
				if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && f == want {
					return true
				}
			}
			return false
		}, false, nil
	}

	// Text: one or several alternatives, each with or without wildcards.
	alts := []string{v}
	switch vr {
	case "CS", "AE", "SH", "LO":
		if strings.Contains(v, `\`) {
			alts = strings.Split(v, `\`)
		}
	}
	fold := vr == "PN"
	var ms []func(string) bool
	for _, a := range alts {
		a := strings.Trim(a, " ")
		if fold {
			a = strings.ToLower(a)
		}
		if wildcardVR(vr) && strings.ContainsAny(a, "*?") {
			pat := []rune(a)
			ms = append(ms, func(s string) bool { return glob(pat, []rune(s)) })
		} else {
			ms = append(ms, func(s string) bool { return s == a })
		}
	}
	return func(values []string) bool {
		for _, x := range values {
			cands := []string{x}
			if fold {
				x = strings.ToLower(x)
				cands = []string{x}
				if strings.Contains(x, "=") {
					for _, g := range strings.Split(x, "=") {
						if g != "" {
							cands = append(cands, g)
						}
					}
				}
			}
			for _, c := range cands {
				for _, m := range ms {
					if m(c) {
						return true
					}
				}
			}
		}
		return false
	}, false, nil
}

// glob matches s against a pattern with "*" (any run) and "?" (one
// character), iteratively with backtracking to the last star.
func glob(p, s []rune) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// rangeBounds returns the inclusive bounds of a DA, TM or DT key value:
// a single value or a range.
func rangeBounds(vr, v string) (lo, hi string, err error) {
	if vr == "DT" && dtWithOffset.MatchString(strings.TrimSpace(v)) {
		// One date-time with a UTC offset such as -0500, not a range.
		return bounds(vr, v)
	}
	if i := strings.Index(v, "-"); i >= 0 {
		a, b := strings.TrimSpace(v[:i]), strings.TrimSpace(v[i+1:])
		if vr == "DT" && strings.Count(v, "-") > 1 {
			// A bound with a negative UTC offset.
			return "", "", fmt.Errorf("%w: date-time range %q with UTC offsets is not supported", ErrKeyValue, v)
		}
		if a == "" && b == "" {
			return "", "", fmt.Errorf("%w: range %q has no bound", ErrKeyValue, v)
		}
		lo, hi = "", "\xff"
		if a != "" {
			if lo, _, err = bounds(vr, a); err != nil {
				return "", "", err
			}
		}
		if b != "" {
			if _, hi, err = bounds(vr, b); err != nil {
				return "", "", err
			}
		}
		if lo > hi {
			return "", "", fmt.Errorf("%w: range %q ends before it starts", ErrKeyValue, v)
		}
		return lo, hi, nil
	}
	return bounds(vr, v)
}

// dtWithOffset matches a single DT value with a UTC offset (PS3.5 Table
// 6.2-1: YYYYMMDDHHMMSS.FFFFFF&ZZXX), whose minus sign is not a range.
var dtWithOffset = regexp.MustCompile(`^[0-9]{4,14}(\.[0-9]{1,6})?[+-][0-9]{4}$`)

// bounds returns the first and last instant a DA, TM or DT value names, as
// fixed-width digit strings that compare in time order.
func bounds(vr, v string) (lo, hi string, err error) {
	v = strings.TrimSpace(v)
	switch vr {
	case "DA":
		d := strings.ReplaceAll(v, ".", "") // ACR-NEMA YYYY.MM.DD
		if len(d) != 8 || !digits(d) {
			return "", "", fmt.Errorf("%w: date %q is not YYYYMMDD", ErrKeyValue, v)
		}
		return d, d, nil
	case "TM":
		t := strings.ReplaceAll(v, ":", "") // ACR-NEMA HH:MM:SS
		lo, hi, ok := padded(t, []int{2, 2, 2}, []string{"00", "00", "00"}, []string{"23", "59", "59"})
		if !ok {
			return "", "", fmt.Errorf("%w: time %q is not HHMMSS.FFFFFF", ErrKeyValue, v)
		}
		return lo, hi, nil
	case "DT":
		t := v
		if i := strings.IndexAny(t, "+-"); i >= 0 {
			t = t[:i] // the UTC offset is ignored
		}
		lo, hi, ok := padded(t, []int{4, 2, 2, 2, 2, 2}, []string{"0000", "01", "01", "00", "00", "00"}, []string{"9999", "12", "31", "23", "59", "59"})
		if !ok {
			return "", "", fmt.Errorf("%w: date-time %q is not YYYYMMDDHHMMSS.FFFFFF", ErrKeyValue, v)
		}
		return lo, hi, nil
	}
	return "", "", fmt.Errorf("%w: VR %s has no range", ErrKeyValue, vr)
}

// padded fills the missing components of a partial time or date-time with
// their first (lo) and last (hi) values, and the fraction to six digits.
func padded(s string, widths []int, first, last []string) (lo, hi string, ok bool) {
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if len(frac) > 6 || !digits(frac) {
			return "", "", false
		}
	}
	if !digits(s) || len(s) == 0 {
		return "", "", false
	}
	var bl, bh strings.Builder
	pos := 0
	for i, w := range widths {
		switch {
		case pos+w <= len(s):
			bl.WriteString(s[pos : pos+w])
			bh.WriteString(s[pos : pos+w])
			pos += w
		case pos == len(s):
			if frac != "" {
				return "", "", false // a fraction needs every component
			}
			bl.WriteString(first[i])
			bh.WriteString(last[i])
		default:
			return "", "", false
		}
	}
	if pos != len(s) {
		return "", "", false
	}
	bl.WriteString(frac + strings.Repeat("0", 6-len(frac)))
	bh.WriteString(frac + strings.Repeat("9", 6-len(frac)))
	return bl.String(), bh.String(), true
}

func digits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) || r > '9' {
			return false
		}
	}
	return true
}
