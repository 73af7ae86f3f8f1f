package scp

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// dataSetOf returns the data set of a Part 10 file: the bytes after the
// File Meta Information group (PS3.10 section 7.1), or the whole file when
// it has no preamble.
func dataSetOf(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 132 || string(b[128:132]) != "DICM" {
		return b
	}
	off := 132
	for off+8 <= len(b) && binary.LittleEndian.Uint16(b[off:]) == 0x0002 {
		vr := string(b[off+4 : off+6])
		switch vr {
		case "OB", "OW", "OF", "SQ", "UT", "UN":
			off += 12 + int(binary.LittleEndian.Uint32(b[off+8:]))
		default:
			off += 8 + int(binary.LittleEndian.Uint16(b[off+6:]))
		}
	}
	return b[off:]
}

// storescuCase is a group of files sent with one storescu invocation.
type storescuCase struct {
	args  []string // transfer syntax options
	files []string // relative to the shared DICOM test data
}

// storescuFiles are files whose data set storescu 3.6.7 sends unchanged
// (checked against storescp --bit-preserving): no group length elements or
// other encodings that DCMTK rewrites when it sends.
var storescuFiles = []storescuCase{
	{args: []string{"-xe"}, files: []string{
		"rt-utils/mock_data/ct_1.dcm",                              // CT, Explicit VR LE, 527 KB
		"dicom2nifti/siemens/anatomical/001/IM-0001-0112-0001.dcm", // MR, Explicit VR LE
		"pydicom-data/emri_small.dcm",                              // Enhanced MR, multi-frame
		"highdicom/sr_document.dcm",                                // Comprehensive 3D SR
	}},
	{args: []string{"-xi"}, files: []string{
		"cornerstone3d/CTImage.dcm",            // CT, Implicit VR LE
		"dcmqi/segmentations/ct-3slice/01.dcm", // CT, Implicit VR LE
		"highdicom/seg_image_ct_binary.dcm",    // Segmentation, Implicit VR LE
		"rt-utils/mock_data/rt.dcm",            // RT Structure Set, Implicit VR LE
	}},
}

// runStorescu sends files with storescu and returns its combined output.
func runStorescu(t *testing.T, port int, extra []string, files ...string) []byte {
	t.Helper()
	storescu := testutil.RequireTool(t, "storescu")
	args := append([]string{"-aet", "STORESCU", "-aec", "MDM2NODE", "-R"}, extra...)
	args = append(args, "127.0.0.1", strconv.Itoa(port))
	args = append(args, files...)
	cmd := exec.Command(storescu, args...)
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("storescu %v: %v\n%s", args, err, out)
	}
	return out
}

// expectedDataSets returns the data sets of files by their SHA-256.
func expectedDataSets(t *testing.T, files []string) map[[32]byte]string {
	want := map[[32]byte]string{}
	for _, f := range files {
		want[sha256.Sum256(dataSetOf(t, f))] = f
	}
	return want
}

func checkReceived(t *testing.T, h *fileHandler, want map[[32]byte]string) {
	t.Helper()
	committed, aborted, _ := h.snapshot()
	if aborted != 0 {
		t.Errorf("%d sinks aborted", aborted)
	}
	got := map[[32]byte]bool{}
	for _, b := range committed {
		got[sha256.Sum256(b)] = true
	}
	for sum, f := range want {
		if !got[sum] {
			t.Errorf("%s: no committed data set equals the file's data set", f)
		}
	}
}

func sharedFiles(t *testing.T, rel []string) []string {
	root := testutil.SharedPath(t, "testdata/dicom")
	var out []string
	for _, r := range rel {
		out = append(out, filepath.Join(root, r))
	}
	return out
}

func TestDCMTKStore(t *testing.T) {
	for _, mp := range []struct {
		name      string
		serverMax uint32 // what the server accepts: storescu's send size
		scuMax    string // what storescu accepts
	}{
		{"pdu-4096", 4096, "4096"},
		{"pdu-131072", 131072, "131072"},
		{"pdu-default", 0, "16384"},
	} {
		t.Run(mp.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxPDULength = mp.serverMax
			s := startServer(t, cfg)
			var all []string
			for _, c := range storescuFiles {
				files := sharedFiles(t, c.files)
				all = append(all, files...)
				runStorescu(t, s.port, append([]string{"--max-pdu", mp.scuMax}, c.args...), files...)
			}
			checkReceived(t, s.h, expectedDataSets(t, all))
			waitFor(t, "releases", func() bool { _, _, rel, _, _ := s.obs.counts(); return rel == len(storescuFiles) })
			_, _, reqs := s.h.snapshot()
			for _, r := range reqs {
				if r.CallingAE != "STORESCU" || r.CalledAE != "MDM2NODE" || r.SOPInstanceUID == "" || r.TransferSyntaxUID == "" {
					t.Errorf("store request %+v", r)
				}
			}
		})
	}
}

func TestDCMTKConcurrentStore(t *testing.T) {
	s := startServer(t, testConfig())
	files := sharedFiles(t, storescuFiles[0].files)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runStorescu(t, s.port, []string{"-xe"}, files...)
		}()
	}
	wg.Wait()
	checkReceived(t, s.h, expectedDataSets(t, files))
	committedCount := 0
	waitFor(t, "releases", func() bool { _, _, rel, _, _ := s.obs.counts(); return rel == 4 })
	s.obs.mu.Lock()
	for _, st := range s.obs.released {
		for _, n := range st.StoredByStudy {
			committedCount += n
		}
	}
	s.obs.mu.Unlock()
	if committedCount != 4*len(files) {
		t.Errorf("observer counted %d stored instances, want %d", committedCount, 4*len(files))
	}
}

func TestDCMTKUnsupported(t *testing.T) {
	s := startServer(t, testConfig())
	root := testutil.SharedPath(t, "testdata/dicom")
	cfg, err := filepath.Abs("testdata/storescu-j2k-only.cfg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		file string
	}{
		// Real World Value Mapping is a storage SOP class the node does not
		// accept: result 3, abstract-syntax-not-supported.
		{"sop-class", []string{"-R", "-xe"}, "dcmqi/sr-example/rwvm.dcm"},
		// CT in JPEG 2000 only: result 4, transfer-syntaxes-not-supported.
		{"transfer-syntax", []string{"-xf", cfg, "J2K"}, "cornerstone3d/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storescu := testutil.RequireTool(t, "storescu")
			args := append([]string{"-aet", "STORESCU", "-aec", "MDM2NODE"}, tc.args...)
			args = append(args, "127.0.0.1", strconv.Itoa(s.port), filepath.Join(root, tc.file))
			cmd := exec.Command(storescu, args...)
			cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
			out, _ := cmd.CombinedOutput()
			if !bytes.Contains(bytes.ToLower(out), []byte("no presentation context")) && !bytes.Contains(bytes.ToLower(out), []byte("no acceptable presentation contexts")) {
				t.Errorf("storescu did not report the refused context:\n%s", out)
			}
		})
	}
	committed, _, reqs := s.h.snapshot()
	if len(committed) != 0 || len(reqs) != 0 {
		t.Errorf("%d instances stored, %d requests", len(committed), len(reqs))
	}
}
