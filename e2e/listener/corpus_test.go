package listener

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// corpusFiles lists the files of the shared DICOM test data, relative to
// root, in a fixed order.
func corpusFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "MANIFEST.md" {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// acceptedTS returns the transfer syntaxes the node accepts for a SOP class,
// or nil when it does not accept the class.
func acceptedTS(sopClass string) []string {
	for _, c := range scp.ImageStorageSOPClasses {
		if c == sopClass {
			return scp.ImageTransferSyntaxes
		}
	}
	for _, c := range scp.NonImageStorageSOPClasses {
		if c == sopClass {
			return scp.OtherTransferSyntaxes
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestStoreEveryCorpusFile pushes every file of the shared test data with
// storescu, one association per file proposing exactly the file's SOP class
// and transfer syntax, and checks the node's response against what it supports:
//   - a file with a supported SOP class and transfer syntax and valid UIDs is
//     stored with Success, and its stored data set is byte-identical to the
//     data set storescu sent (recorded by the proxy);
//   - a file whose transfer syntax (JPEG-LS, JPEG 2000, JPEG 12-bit, ...) or
//     SOP class the node does not accept is refused at negotiation, so no
//     data set is sent and nothing is stored;
//   - a data set rejected with a failure status leaves no file.
//
// Files storescu cannot read itself are skipped (the MANIFEST lists them).
func TestStoreEveryCorpusFile(t *testing.T) {
	testutil.RequireTool(t, "storescu")
	root := testutil.SharedPath(t, "testdata/dicom")
	// replace keeps the last of the files that share a SOP Instance UID,
	// so each stored file can be checked right after it was sent.
	n := startNode(t, nodeOptions{duplicatePolicy: "replace"})
	px := startProxy(t, n.addr())
	work := t.TempDir()

	var stored, identicalToFile, refusedTS, refusedClass, failedStatus, unreadable int
	storedUIDs := map[string]bool{}
	patientNames := map[string]bool{}
	for _, rel := range corpusFiles(t, root) {
		fi := inspect(t, root, rel)
		if len(fi.patientName) >= 4 {
			patientNames[fi.patientName] = true
		}
		if fi.sopClass == "" || fi.ts == "" {
			t.Logf("%s: dcmdump finds no SOP class or transfer syntax", rel)
			unreadable++
			continue
		}
		profile := storescuProfile(t, work, fi)
		out, runErr := runTool(t, "storescu", "-v", "-xf", profile, "Exact", "-aet", "E2ESCU", "-aec", nodeAE,
			"127.0.0.1", strconv.Itoa(px.port()), fi.path)
		sent := px.takeDataSets()
		status, answered := storeResults(out)[fi.path]
		accepted := contains(acceptedTS(fi.sopClass), fi.ts)
		validUIDs := dcmuid.Valid(fi.sopInstance) && dcmuid.Valid(fi.study) && dcmuid.Valid(fi.series)

		switch {
		case !answered && len(sent) == 0 && strings.Contains(out, "E: ") && !strings.Contains(out, "Association Accepted"):
			t.Logf("%s: no association (class %s, TS %s)", rel, fi.sopClass, fi.ts)
			// storescu failed before sending; with a supported class and
			// transfer syntax that would be a negotiation failure of ours.
			if accepted {
				t.Errorf("%s: storescu could not associate although class %s and TS %s are supported:\n%s", rel, fi.sopClass, fi.ts, out)
			}
			if acceptedTS(fi.sopClass) == nil {
				refusedClass++
			} else {
				refusedTS++
			}
		case !answered && len(sent) == 0:
			// Negotiated, but storescu had no accepted context for the file
			// or could not read it.
			if accepted && fi.readable && validUIDs {
				t.Errorf("%s: nothing sent although the node accepts it:\n%s", rel, out)
			}
			switch {
			case acceptedTS(fi.sopClass) == nil:
				refusedClass++
			case !accepted:
				refusedTS++
			default:
				unreadable++
			}
			t.Logf("%s: not sent (class %s, TS %s)", rel, fi.sopClass, fi.ts)
		case answered && status == "Success":
			if !accepted {
				t.Errorf("%s: stored with Success although TS %s / class %s are not offered", rel, fi.ts, fi.sopClass)
			}
			if len(sent) != 1 {
				t.Fatalf("%s: proxy recorded %d data sets", rel, len(sent))
			}
			got, err := os.ReadFile(n.storedPath(fi.study, fi.series, fi.sopInstance))
			if err != nil {
				t.Errorf("%s: acknowledged but not stored: %v", rel, err)
				continue
			}
			ts, off, err := store.SplitPart10(got)
			if err != nil || ts != fi.ts {
				t.Errorf("%s: stored File Meta: transfer syntax %q, want %q (%v)", rel, ts, fi.ts, err)
			}
			if !bytes.Equal(got[off:], sent[0]) {
				t.Errorf("%s: stored data set (%d bytes) differs from the %d bytes sent", rel, len(got)-int(off), len(sent[0]))
			}
			orig, _ := os.ReadFile(fi.path)
			if bytes.HasSuffix(orig, sent[0]) {
				identicalToFile++
			} else if strings.HasPrefix(rel, "egsnrc/") {
				// These files are bare Implicit VR data sets, sent unchanged.
				t.Errorf("%s: the data set sent is not the whole file", rel)
			}
			stored++
			storedUIDs[fi.sopInstance] = true
		case answered:
			failedStatus++
			t.Logf("%s: answered %q", rel, status)
			if validUIDs && !storedUIDs[fi.sopInstance] {
				if _, err := os.Stat(n.storedPath(fi.study, fi.series, fi.sopInstance)); err == nil {
					t.Errorf("%s: answered %q but a file was stored", rel, status)
				}
			}
			if accepted && validUIDs && fi.readable {
				t.Errorf("%s: answered %q although it is a valid instance the node accepts", rel, status)
			}
		default:
			t.Errorf("%s: unexpected storescu result (%v):\n%s", rel, runErr, out)
		}
	}
	t.Logf("stored %d (%d byte-identical to the file too), refused at negotiation: %d for TS, %d for SOP class; failure status %d; not sendable %d",
		stored, identicalToFile, refusedTS, refusedClass, failedStatus, unreadable)
	if stored < 100 || refusedTS < 5 {
		t.Errorf("the corpus changed or the test lost its teeth: %d stored, %d refused for TS", stored, refusedTS)
	}

	// The node still accepts associations, and after a clean stop the index
	// lists exactly the instances stored.
	if out, err := runTool(t, "echoscu", "-aec", nodeAE, "127.0.0.1", strconv.Itoa(n.port)); err != nil {
		t.Fatalf("echoscu after the corpus: %v\n%s", err, out)
	}
	n.stop()
	assertIndexed(t, n, len(storedUIDs))

	// The application log, at debug level, names no patient.
	appLog := n.stderr.String()
	for name := range patientNames {
		if strings.Contains(appLog, name) {
			t.Errorf("the application log contains the patient name %q", name)
		}
	}
	if len(patientNames) < 10 {
		t.Errorf("only %d patient names found in the corpus", len(patientNames))
	}
	if entries, _ := os.ReadDir(filepath.Join(n.dataDir, "tmp")); len(entries) != 0 {
		t.Errorf("partial files left in tmp: %d", len(entries))
	}
}

// assertIndexed checks with `mdm2node studies -json` that the index holds
// want instances.
func assertIndexed(t *testing.T, n *node, want int) {
	t.Helper()
	stdout, stderr, err := mdm2node(t, "studies", "-data-dir", n.dataDir, "-json")
	if err != nil {
		t.Fatalf("mdm2node studies: %v\n%s", err, stderr)
	}
	var studies []struct {
		Instances int `json:"instances"`
	}
	if err := json.Unmarshal([]byte(stdout), &studies); err != nil {
		t.Fatalf("studies -json: %v\n%s", err, stdout)
	}
	total := 0
	for _, s := range studies {
		total += s.Instances
	}
	if total != want {
		t.Errorf("index holds %d instances, want %d", total, want)
	}
}
