package pipeline

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/store/audit"
)

func itoa(i int) string { return strconv.Itoa(i) }

// reportContent is what the tests read from a received report.
type reportContent struct {
	likelihood float64
	class      string
	dump       string
}

var (
	likelihoodLine = regexp.MustCompile(`"Likelihood of MDM2 amplification"\)="([^"]+)"`)
	classLine      = regexp.MustCompile(`"Predicted class"\)=\([^,]*,[^,]*,"([^"]+)"\)`)
)

// readReport checks a received file with DCMTK: dsrdump must read it as an
// SR document with a likelihood in [0, 1] and a predicted class, and
// dcmdump must show it in studyUID.
func readReport(t testing.TB, path, studyUID string) reportContent {
	t.Helper()
	out, err := exec.Command(testutil.RequireTool(t, "dsrdump"), "+Pl", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dsrdump %s: %v\n%s", path, err, out)
	}
	r := reportContent{dump: string(out)}
	if !strings.Contains(r.dump, "Comprehensive SR Document") {
		t.Errorf("dsrdump does not show a Comprehensive SR:\n%s", r.dump)
	}
	m := likelihoodLine.FindStringSubmatch(r.dump)
	if m == nil {
		t.Fatalf("no likelihood in the report:\n%s", r.dump)
	}
	if r.likelihood, err = strconv.ParseFloat(m[1], 64); err != nil || r.likelihood < 0 || r.likelihood > 1 {
		t.Errorf("likelihood %q is not a number in [0, 1]", m[1])
	}
	c := classLine.FindStringSubmatch(r.dump)
	if c == nil {
		t.Fatalf("no predicted class in the report:\n%s", r.dump)
	}
	r.class = c[1]
	wantClass := "Lipoma"
	if r.likelihood >= 0.5 {
		wantClass = "Well differentiated liposarcoma"
	}
	if r.class != wantClass {
		t.Errorf("class %q with likelihood %v, want %q at threshold 0.5", r.class, r.likelihood, wantClass)
	}
	if !strings.Contains(r.dump, "synthetic phantom studies") {
		t.Errorf("report does not state the training data")
	}

	validateReport(t, path, studyUID)

	meta, err := exec.Command(testutil.RequireTool(t, "dcmdump"), "+P", "0020,000d", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, meta)
	}
	if !strings.Contains(string(meta), "["+studyUID+"]") {
		t.Errorf("report Study Instance UID %s, want %s", strings.TrimSpace(string(meta)), studyUID)
	}
	return r
}

// validateReport checks a received report with three independent readers:
// DCMTK dsrdump must print no error or warning, dicom3tools dciodvfy no
// error, and pydicom must read it as a Comprehensive SR of studyUID with a
// content tree. The one warning dciodvfy may give names the private coding
// scheme 99MDM2, which the report declares in its Coding Scheme
// Identification Sequence.
func validateReport(t testing.TB, path, studyUID string) {
	t.Helper()

	// 1. dsrdump: warnings and errors go to standard error as "W:" or "E:".
	cmd := exec.Command(testutil.RequireTool(t, "dsrdump"), "-Ee", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("dsrdump -Ee %s: %v\n%s", path, err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, "W:") || strings.HasPrefix(line, "E:") {
			t.Errorf("dsrdump: %s", line)
		}
	}

	// 2. dciodvfy: no error; warnings only about the private scheme.
	out, _ := exec.Command(testutil.RequireTool(t, "dciodvfy"), path).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "Error"):
			t.Errorf("dciodvfy: %s", line)
		case strings.HasPrefix(line, "Warning") && !strings.Contains(line, "<99MDM2>"):
			t.Errorf("dciodvfy: %s", line)
		}
	}

	// 3. pydicom.
	py := testutil.RequirePython(t, "pydicom")
	script := `import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
print(d.SOPClassUID, d.StudyInstanceUID, d.Modality, len(d.ContentSequence))
`
	got, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pydicom: %v\n%s", err, got)
	}
	fields := strings.Fields(string(got))
	if len(fields) != 4 || fields[0] != "1.2.840.10008.5.1.4.1.1.88.33" || fields[1] != studyUID || fields[2] != "SR" || fields[3] == "0" {
		t.Errorf("pydicom reads %q, want a Comprehensive SR of study %s with content items", strings.TrimSpace(string(got)), studyUID)
	}
}

// pipelineEvents returns the PipelineRun events of a node's audit log.
func pipelineEvents(t testing.TB, n *node) []audit.Event {
	t.Helper()
	return eventsOfType(t, n, "PipelineRun")
}

// assertOneRun checks, a few seconds after the report arrived, that the
// scorer audited exactly one successful run for the study and the receiver
// holds one report: storing the report must not make the study ready again.
func assertOneRun(t testing.TB, scorer, receiver *node, studyUID string) {
	t.Helper()
	time.Sleep(4 * time.Second)
	events := pipelineEvents(t, scorer)
	if len(events) != 1 {
		t.Fatalf("%d pipeline runs audited, want 1: %+v", len(events), events)
	}
	if e := events[0]; e.Outcome != audit.Success || e.StudyInstanceUID != studyUID {
		t.Errorf("audited run: outcome %v, study %s; want success for %s", e.Outcome, e.StudyInstanceUID, studyUID)
	}
	files, _ := filepath.Glob(filepath.Join(receiver.dataDir, "*", "*", "*.dcm"))
	if len(files) != 1 {
		t.Errorf("receiver holds %d reports, want 1", len(files))
	}
}
