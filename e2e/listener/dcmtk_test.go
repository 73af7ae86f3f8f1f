package listener

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// fileInfo is what dcmdump reads from a test file.
type fileInfo struct {
	path, rel                                string
	sopClass, sopInstance, study, series, ts string
	patientName                              string
	readable                                 bool
}

var (
	topLevelElement = regexp.MustCompile(`^\((0008,0016|0008,0018|0020,000d|0020,000e|0002,0010|0010,0010)\) (?:UI|PN) \[([^\]]*)\]`)
	usedTS          = regexp.MustCompile(`^# Used TransferSyntax: (.*)$`)
)

// dcmtkTSNames maps DCMTK's names of the uncompressed transfer syntaxes, as
// dcmdump prints them for a data set without File Meta Information.
var dcmtkTSNames = map[string]string{
	"Little Endian Implicit": "1.2.840.10008.1.2",
	"Little Endian Explicit": "1.2.840.10008.1.2.1",
	"Big Endian Explicit":    "1.2.840.10008.1.2.2",
}

// inspect reads a file's UIDs and transfer syntax with DCMTK's dcmdump.
// Only top-level elements count: nested ones are indented in the output.
func inspect(t *testing.T, root, rel string) fileInfo {
	t.Helper()
	fi := fileInfo{path: filepath.Join(root, rel), rel: rel}
	out, err := exec.Command(testutil.RequireTool(t, "dcmdump"), "-Un", "-M", fi.path).Output()
	fi.readable = err == nil
	var dataSetTS string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if m := usedTS.FindStringSubmatch(line); m != nil {
			dataSetTS = m[1]
		}
		m := topLevelElement.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "0008,0016":
			fi.sopClass = m[2]
		case "0008,0018":
			fi.sopInstance = m[2]
		case "0020,000d":
			fi.study = m[2]
		case "0020,000e":
			fi.series = m[2]
		case "0002,0010":
			fi.ts = m[2]
		case "0010,0010":
			fi.patientName = m[2]
		}
	}
	if fi.ts == "" {
		fi.ts = dcmtkTSNames[dataSetTS]
	}
	return fi
}

// storescuProfile writes a storescu association configuration that
// proposes exactly one presentation context: the file's SOP class with the
// file's transfer syntax, so that storescu never converts the data set and
// the node alone decides whether it is accepted.
func storescuProfile(t *testing.T, dir string, fi fileInfo) string {
	t.Helper()
	path := filepath.Join(dir, "storescu.cfg")
	body := fmt.Sprintf(`[[TransferSyntaxes]]
[TS]
TransferSyntax1 = %s
[[PresentationContexts]]
[PC]
PresentationContext1 = %s\TS
[[Profiles]]
[Exact]
PresentationContexts = PC
`, fi.ts, fi.sopClass)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	sendingFile   = regexp.MustCompile(`I: Sending file: (.*)$`)
	storeResponse = regexp.MustCompile(`I: Received Store Response \(([^)]*)\)`)
)

// storeResults parses the verbose output of storescu (-v): the status text
// of the C-STORE-RSP of each file sent, keyed by file path. "Success" is the
// status text of 0000.
func storeResults(out string) map[string]string {
	res := map[string]string{}
	current := ""
	for _, line := range strings.Split(out, "\n") {
		if m := sendingFile.FindStringSubmatch(line); m != nil {
			current = strings.TrimSpace(m[1])
			continue
		}
		if m := storeResponse.FindStringSubmatch(line); m != nil && current != "" {
			res[current] = m[1]
		}
	}
	return res
}
