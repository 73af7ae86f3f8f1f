package find

import (
	"errors"
	"testing"
)

func TestMatching(t *testing.T) {
	cases := []struct {
		vr, key string
		values  []string
		want    bool
	}{
		{"PN", "", nil, true},
		{"PN", "*", nil, true},
		{"PN", "**", []string{"A"}, true},
		{"LO", "ABC", []string{"ABC"}, true},
		{"LO", "ABC", []string{"abc"}, false},
		{"LO", "ABC", nil, false},
		{"LO", "  ABC  ", []string{"ABC"}, true},
		{"PN", "doe^john", []string{"DOE^JOHN"}, true},
		{"PN", "DOE*", []string{"Doe^Jane"}, true},
		{"PN", "山田*", []string{"Yamada^Tarou=山田^太郎=やまだ^たろう"}, true},
		{"PN", "yamada^tarou", []string{"Yamada^Tarou=山田^太郎=やまだ^たろう"}, true},
		{"SH", "A?C", []string{"ABC"}, true},
		{"SH", "A?C", []string{"AC"}, false},
		{"SH", "*B*", []string{"ABC"}, true},
		{"SH", "*B", []string{"ABC"}, false},
		{"CS", `CT\MR`, []string{"MR"}, true},
		{"CS", `CT\MR`, []string{"SEG", "RTSTRUCT"}, false},
		{"CS", "MR", []string{"CT", "MR"}, true},
		{"UI", "1.2.3", []string{"1.2.3"}, true},
		{"UI", "1.2.3", []string{"1.2.30"}, false},
		{"UI", `1.2.3\1.2.4`, []string{"1.2.4"}, true},
		{"UI", "1.2.*", []string{"1.2.3"}, false}, // no wildcards in UIDs
		{"DA", "20200101", []string{"20200101"}, true},
		{"DA", "20200101-20201231", []string{"20200615"}, true},
		{"DA", "20200101-20201231", []string{"20210101"}, false},
		{"DA", "-20200101", []string{"20200101"}, true},
		{"DA", "20200101-", []string{"19991231"}, false},
		{"DA", "20200101", nil, false},
		{"DA", "2020.01.01", []string{"20200101"}, true},
		{"TM", "10", []string{"105959.999"}, true},
		{"TM", "10", []string{"110000"}, false},
		{"TM", "1000-1100", []string{"104607"}, true},
		{"TM", "1000-1100", []string{"110059"}, true}, // the upper bound covers 11:00
		{"TM", "1000-1100", []string{"110100"}, false},
		{"TM", "-0800", []string{"072730"}, true},
		{"TM", "144355.038", []string{"144355.038"}, true},
		{"TM", "14:43:55", []string{"144355"}, true},
		{"DT", "2020", []string{"20201231235959"}, true},
		{"DT", "20200101-20200102", []string{"20200102120000+0100"}, true},
		{"DT", "20260101120000-0500", []string{"20260101120000"}, true},
		{"DT", "20260101120000-0500", []string{"20260101120001"}, false},
		{"DT", "20260101-0500", []string{"20260101083000"}, true},
		{"IS", "10", []string{"010"}, true},
		{"DS", "1.5", []string{"1.50"}, true},
	}
	for _, c := range cases {
		m, _, err := compileKey(c.vr, c.key)
		if err != nil {
			t.Errorf("%s %q: %v", c.vr, c.key, err)
			continue
		}
		if got := m(c.values); got != c.want {
			t.Errorf("%s %q against %q: %v, want %v", c.vr, c.key, c.values, got, c.want)
		}
	}
}

func TestMalformedKeys(t *testing.T) {
	for _, c := range []struct{ vr, key string }{
		{"DA", "2020-13"}, {"DA", "20201231-20200101"}, {"DA", "-"}, {"DA", "2020011"},
		{"TM", "25x"}, {"TM", "1.5"}, {"DT", "2020.5"}, {"IS", "ten"}, {"UI", `1.2\\1.3`},
	} {
		if _, _, err := compileKey(c.vr, c.key); !errors.Is(err, ErrKeyValue) {
			t.Errorf("%s %q: error %v, want ErrKeyValue", c.vr, c.key, err)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
		{"?", "é", true}, {"*?", "", false}, {"a**", "a", true},
	} {
		if got := glob([]rune(c.p), []rune(c.s)); got != c.want {
			t.Errorf("glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
