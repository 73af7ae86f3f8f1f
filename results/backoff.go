package results

import (
	"math"
	"time"

	"github.com/mdm2node/mdm2node/config"
)

// Backoff returns the wait before the retry that follows failed attempt
// number attempts (1 for the first failure): InitialBackoff *
// Factor^(attempts-1), at most MaxBackoff.
func Backoff(p config.Retry, attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := float64(p.InitialBackoff) * math.Pow(p.Factor, float64(attempts-1))
	if math.IsInf(d, 0) || math.IsNaN(d) || d > float64(p.MaxBackoff) {
		return p.MaxBackoff
	}
	return time.Duration(d)
}

// NextAttempt returns when to retry after a failed attempt at now, and false
// when that time would be more than MaxAge after queued: the delivery is then
// given up.
func NextAttempt(p config.Retry, queued, now time.Time, attempts int) (time.Time, bool) {
	next := now.Add(Backoff(p, attempts))
	if next.Sub(queued) > p.MaxAge {
		return time.Time{}, false
	}
	return next, true
}
