package sr

import (
	"slices"
	"strings"
	"testing"
)

func TestChooseCharset(t *testing.T) {
	cases := []struct {
		name    string
		source  []string
		texts   []string
		want    []string
		encoded string // encoding of texts[0]
	}{
		{"ascii without charset", nil, []string{"SYNTH^A"}, nil, "SYNTH^A"},
		{"ascii keeps source", []string{"ISO_IR 100"}, []string{"SYNTH^A"}, []string{"ISO_IR 100"}, "SYNTH^A"},
		{"ascii keeps ISO 2022", []string{"", "ISO 2022 IR 87"}, []string{"SYNTH^A"}, []string{"", "ISO 2022 IR 87"}, "SYNTH^A"},
		{"latin1 in ISO_IR 100", []string{"ISO_IR 100"}, []string{"SYNTH^Zoë"}, []string{"ISO_IR 100"}, "SYNTH^Zo\xeb"},
		{"beyond latin1 in ISO_IR 100", []string{"ISO_IR 100"}, []string{"SYNTH^Zoë", "Łódź"}, []string{"ISO_IR 192"}, "SYNTH^Zoë"},
		{"non-ascii without charset", nil, []string{"SYNTH^Zoë"}, []string{"ISO_IR 192"}, "SYNTH^Zoë"},
		{"utf8 kept", []string{"ISO_IR 192"}, []string{"シンセ"}, []string{"ISO_IR 192"}, "シンセ"},
		{"ISO 2022 with kanji", []string{"", "ISO 2022 IR 87"}, []string{"シンセ"}, []string{"ISO_IR 192"}, "シンセ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc := chooseCharset(c.source, c.texts)
			if !slices.Equal(enc.charset, c.want) {
				t.Errorf("charset = %q, want %q", enc.charset, c.want)
			}
			if got := enc.encode(c.texts[0]); got != c.encoded {
				t.Errorf("encode(%q) = %q, want %q", c.texts[0], got, c.encoded)
			}
		})
	}
}

func TestFormatDS(t *testing.T) {
	cases := []struct {
		v     float64
		want  string
		exact bool
	}{
		{0, "0", true},
		{1, "1", true},
		{0.5, "0.5", true},
		{0.83, "0.83", true},
		{1.0 / 3, "0.33333333333333", false},
		{0.123456789012345, "0.12345678901234", false},
		{1e-20, "1e-20", true},
	}
	for _, c := range cases {
		got, exact := formatDS(c.v)
		if got != c.want || exact != c.exact {
			t.Errorf("formatDS(%v) = %q, %v; want %q, %v", c.v, got, exact, c.want, c.exact)
		}
		if len(got) > 16 {
			t.Errorf("formatDS(%v) = %q is longer than 16 characters", c.v, got)
		}
	}
}

func TestCheckText(t *testing.T) {
	cases := []struct {
		vr, value string
		max       int
		ok        bool
	}{
		{"PN", "SYNTH^0001", 64, true},
		{"PN", strings.Repeat("A", 64) + "=" + strings.Repeat("B", 64), 64, true},
		{"PN", strings.Repeat("A", 65), 64, false},
		{"PN", "A=B=C=D", 64, false},
		{"LO", strings.Repeat("é", 64), 64, true},
		{"LO", `A\B`, 64, false},
		{"LO", "A\nB", 64, false},
		{"UT", "line one\r\nline two", 0, true},
		{"UT", "bell\a", 0, false},
		{"SH", "\xff", 16, false},
	}
	for _, c := range cases {
		err := checkText(c.vr, c.value, c.max)
		if (err == nil) != c.ok {
			t.Errorf("checkText(%s, %q, %d) = %v, want ok=%v", c.vr, c.value, c.max, err, c.ok)
		}
	}
}
