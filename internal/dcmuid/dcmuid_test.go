package dcmuid

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		uid   string
		valid bool
	}{
		{"1.2.840.10008.1.2.1", true},
		{"0", true},
		{"1.0.2", true},
		{"2.25.329800735698586629295641978511506172918", true},
		{"", false},
		{"1..2", false},
		{".1.2", false},
		{"1.2.", false},
		{"1.02", false},
		{"1.2a", false},
		{"../../etc/passwd", false},
		{"1.2/3", false},
		{"1.2 ", false},
		{strings.Repeat("1", 65), false},
		{strings.Repeat("1", 64), true},
	}
	for _, c := range cases {
		err := Check(c.uid)
		if c.valid && err != nil {
			t.Errorf("Check(%q) = %v, want nil", c.uid, err)
		}
		if !c.valid && !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%q) = %v, want ErrInvalid", c.uid, err)
		}
	}
}

func TestNewIsValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		u := New()
		if err := Check(u); err != nil {
			t.Fatalf("New() = %q: %v", u, err)
		}
		if seen[u] {
			t.Fatalf("New() repeated %q", u)
		}
		seen[u] = true
	}
}
