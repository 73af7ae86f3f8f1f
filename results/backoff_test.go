package results

import (
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
)

func TestBackoffSchedule(t *testing.T) {
	p := config.Retry{InitialBackoff: time.Second, Factor: 2, MaxBackoff: 10 * time.Second, MaxAge: time.Minute}
	cases := []struct {
		attempts int
		want     time.Duration
	}{
		{0, time.Second},
		{1, time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{4, 8 * time.Second},
		{5, 10 * time.Second},
		{1000, 10 * time.Second},
	}
	for _, c := range cases {
		if got := Backoff(p, c.attempts); got != c.want {
			t.Errorf("Backoff(attempts %d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

func TestNextAttemptMaxAge(t *testing.T) {
	p := config.Retry{InitialBackoff: time.Second, Factor: 2, MaxBackoff: 10 * time.Second, MaxAge: time.Minute}
	queued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	next, ok := NextAttempt(p, queued, queued.Add(30*time.Second), 1)
	if !ok || !next.Equal(queued.Add(31*time.Second)) {
		t.Errorf("NextAttempt inside max age = %v, %v; want %v, true", next, ok, queued.Add(31*time.Second))
	}
	if _, ok := NextAttempt(p, queued, queued.Add(55*time.Second), 4); ok {
		t.Error("NextAttempt past max age: want give up")
	}
}
