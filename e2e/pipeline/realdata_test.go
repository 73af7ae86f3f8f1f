package pipeline

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/internal/testutil"
)

// realSeries are the public series placed into one study. The shared test
// data has no fat-suppressed T2-weighted series: the T2 role takes the
// T2-weighted FLAIR slices, the closest MR series there is.
var realSeries = []struct {
	role, glob, box string
}{
	// 10 axial 512 x 512 CT slices of a bone phantom, without File Meta.
	{"ct", "egsnrc/DICOM/*.ct", "180,180,2,330,330,7"},
	// 35 sagittal 256 x 256 T1-weighted 2D FLASH slices of a head.
	{"t1wi", "dcm_qa_decubitus/HFS/3_t1_fl2d_sag/*.dcm", "90,90,10,165,165,24"},
	// 4 sagittal 256 x 256 slices of a 3D T2-weighted SPACE FLAIR.
	{"t2fs", "dicom2nifti/siemens/anatomical/001/*.dcm", "90,90,0,165,165,3"},
}

// realRoleRules is the series section of the scoring node for these series.
// The CT phantom was scanned without contrast, so the CT rule accepts
// unenhanced series. Both MR series are sagittal, which no axial rule
// accepts, so the test assigns them to their roles with `mdm2node assign`,
// as an administrator would.
const realRoleRules = `  roles:
    ct:
      contrast: any
`

// copyFiles copies the files matching glob into dir.
func copyFiles(t *testing.T, glob, dir string) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", glob, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRealSeries(t *testing.T) {
	bundle := trainedModel(t)
	dcmodify := testutil.RequireTool(t, "dcmodify")
	shared := testutil.SharedPath(t, "testdata/dicom")
	dir := t.TempDir()
	studyDir := filepath.Join(dir, "study")
	studyUID := dcmuid.New()
	if err := os.MkdirAll(filepath.Join(studyDir, "seg"), 0o755); err != nil {
		t.Fatal(err)
	}

	// 1. One study with new synthetic identifiers: new study, series,
	// instance and frame of reference UIDs (the FLAIR slices have none), a
	// synthetic patient. dcmodify writes the files without File Meta back
	// as Part 10 files.
	seriesUIDs := map[string]string{}
	for _, s := range realSeries {
		seriesDir := filepath.Join(studyDir, s.role)
		seriesUIDs[s.role] = dcmuid.New()
		copyFiles(t, filepath.Join(shared, s.glob), seriesDir)
		files, _ := filepath.Glob(filepath.Join(seriesDir, "*"))
		args := []string{"-nb", "-gin",
			"-i", "(0010,0010)=SYNTH^REALSERIES", "-i", "(0010,0020)=SYNTH-REAL-0001",
			"-i", "(0010,0030)=19700101", "-i", "(0010,0040)=O",
			"-i", "(0020,000d)=" + studyUID, "-i", "(0020,000e)=" + seriesUIDs[s.role],
			"-i", "(0020,0052)=" + dcmuid.New(),
			"-i", "(0020,0010)=REAL1", "-i", "(0008,0050)=SYNTHREAL1",
			"-i", "(0008,0090)=SYNTH^REFERRER",
		}
		if out, err := exec.Command(dcmodify, append(args, files...)...).CombinedOutput(); err != nil {
			t.Fatalf("dcmodify %s: %v\n%s", s.role, err, out)
		}

		// 2. A box region on each series, written by the node's roi command.
		run(t, "roi", "-series", seriesDir, "-box", s.box, "-label", "tumour",
			"-out", filepath.Join(studyDir, "seg", s.role+".dcm"))
	}

	// 3. Push, score, receive.
	receiver := startNode(t, "RECEIVER", filepath.Join(dir, "receiver"), "")
	scorer := startNode(t, "MDM2NODE", filepath.Join(dir, "node"), pipelineConfig(bundle, receiver.port, realRoleRules))
	scorer.push(t, studyDir)
	for _, role := range []string{"t1wi", "t2fs"} {
		run(t, "assign", "-data-dir", scorer.dataDir, studyUID, seriesUIDs[role], role)
	}
	path := receiver.waitForReport(t, scorer, 2*time.Minute)
	rep := readReport(t, path, studyUID)
	t.Logf("likelihood %.3f, class %s", rep.likelihood, rep.class)

	for _, want := range []string{"CT image", "MR image", "SG image"} {
		if !strings.Contains(rep.dump, want) {
			t.Errorf("report references no %s", want)
		}
	}
	assertOneRun(t, scorer, receiver, studyUID)
}
