package pipeline

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// synthStudy reads the Study Instance UID and the folder of the one study
// that `mdm2node synth` wrote to dir.
func synthStudy(t testing.TB, dir string) (studyUID, folder string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("manifest: %d records, %v", len(recs), err)
	}
	for i, h := range recs[0] {
		switch h {
		case "study_uid":
			studyUID = recs[1][i]
		case "folder":
			folder = filepath.Join(dir, recs[1][i])
		}
	}
	if studyUID == "" || folder == "" {
		t.Fatal("manifest has no study_uid or folder column")
	}
	return studyUID, folder
}

func TestSyntheticStudy(t *testing.T) {
	bundle := trainedModel(t)
	dir := t.TempDir()
	receiver := startNode(t, "RECEIVER", filepath.Join(dir, "receiver"), "")
	dcmtkDir := filepath.Join(dir, "storescp")
	dcmtkPort := startStorescp(t, "STORESCP", dcmtkDir)
	scorer := startNode(t, "MDM2NODE", filepath.Join(dir, "node"),
		withStorescpDestination(pipelineConfig(bundle, receiver.port, ""), "STORESCP", dcmtkPort))

	// 1. A new study, unseen in training, pushed as a modality would.
	study := filepath.Join(dir, "study")
	run(t, "synth", "-out", study, "-n", "1", "-seed", "77", "-q",
		"-ct-matrix", "96", "-ct-slices", "10", "-mr-matrix", "96", "-mr-slices", "10")
	studyUID, folder := synthStudy(t, study)
	scorer.push(t, folder)

	// 2. The report reaches the receiver and reads as an SR.
	path := receiver.waitForReport(t, scorer, 2*time.Minute)
	rep := readReport(t, path, studyUID)
	t.Logf("likelihood %.3f, class %s", rep.likelihood, rep.class)

	// 3. DCMTK storescp receives the same report.
	fromDCMTK := readReport(t, waitForFile(t, dcmtkDir, 2*time.Minute), studyUID)
	if fromDCMTK.likelihood != rep.likelihood {
		t.Errorf("storescp received likelihood %v, the receiver node %v", fromDCMTK.likelihood, rep.likelihood)
	}

	// 4. `mdm2node studies` shows the roles, the state and the timings.
	wantStudiesListing(t, scorer.dataDir, studyUID)

	// 5. One audited run; the stored report does not start another.
	assertOneRun(t, scorer, receiver, studyUID)
}

// wantStudiesListing waits until `mdm2node studies`, run while the node
// holds its index, lists studyUID as reported with a series and region for
// each role and the time of each pipeline stage.
func wantStudiesListing(t *testing.T, dataDir, studyUID string) {
	t.Helper()
	want := []string{"STUDY " + studyUID, "reported", "stages:", "score ", "\n  ct ", "\n  t1wi ", "\n  t2fs ", "region"}
	var out string
	for deadline := time.Now().Add(30 * time.Second); ; {
		out = run(t, "studies", "-data-dir", dataDir, "-wait", "500ms")
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("studies does not show %q:\n%s", missing, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
