package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxLineLength bounds one audit line when reading, so that a corrupt file
// cannot make the reader allocate without limit.
const maxLineLength = 1 << 20

// Scan calls fn for every event in r, in order. A line that is not an event
// is passed to bad instead (it may be nil) and scanning goes on.
func Scan(r io.Reader, fn func(Event), bad func(line string, err error)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineLength)
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			if bad != nil {
				bad(string(line), err)
			}
			continue
		}
		fn(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("audit: read: %w", err)
	}
	return nil
}

// Format returns one line for a person: local time, type, outcome and the
// fields that are set.
func Format(e Event) string {
	var b strings.Builder
	b.WriteString(e.Time.Local().Format(time.DateTime))
	fmt.Fprintf(&b, "  %-26s", string(e.Type))
	b.WriteString(outcomeText(e.Outcome))
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %s=%s", k, v)
		}
	}

	add("action", e.Action)
	add("ae", e.AETitle)
	add("listen", e.Listen)
	if e.PID != 0 {
		add("pid", fmt.Sprint(e.PID))
	}

	add("assoc", e.Association)
	add("calling", e.CallingAE)
	add("called", e.CalledAE)
	add("peer", e.PeerAddr)

	if e.Stored > 0 || e.Type == DICOMInstancesTransferred {
		add("stored", fmt.Sprint(e.Stored))
	}
	if e.Failed > 0 {
		add("failed", fmt.Sprint(e.Failed))
	}
	for _, s := range e.Studies {
		add("study", fmt.Sprintf("%s(%d)", s.StudyInstanceUID, s.Instances))
	}
	add("study", e.StudyInstanceUID)
	add("sop_instance", e.SOPInstanceUID)
	add("status", e.Status)
	if e.Duration > 0 {
		add("duration", fmt.Sprintf("%.1fs", e.Duration))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, "  %q", e.Detail)
	}
	return b.String()
}

func outcomeText(o Outcome) string {
	switch o {
	case Success:
		return "ok"
	case MinorFailure:
		return "minor-failure"
	case SeriousFailure:
		return "serious-failure"
	case MajorFailure:
		return "major-failure"
	}
	return fmt.Sprintf("outcome-%d", int(o))
}
