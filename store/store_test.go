package store

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
)

// recordedEvents collects what the store reports to Events.
type recordedEvents struct {
	mu         sync.Mutex
	duplicates []bool
	rejected   []uint16
}

func (r *recordedEvents) DuplicateInstance(_ *scp.StoreRequest, _ string, kept bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.duplicates = append(r.duplicates, kept)
}

func (r *recordedEvents) StoreRejected(_ *scp.StoreRequest, status uint16, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected = append(r.rejected, status)
}

func openTestStore(t *testing.T, opts Options) (*Store, *recordedEvents) {
	t.Helper()
	ev := &recordedEvents{}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Events = ev
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ev
}

// testInstance is a data set read from the shared test data.
type testInstance struct {
	ts, sopClass, sopInstance string
	dataSet                   []byte
}

func loadInstance(t testing.TB, rel string) testInstance {
	t.Helper()
	b, err := os.ReadFile(testutil.SharedPath(t, "testdata/dicom/"+rel))
	if err != nil {
		t.Fatal(err)
	}
	ts, off, err := SplitPart10(b)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if ts == "" {
		ts = tsImplicitLittle
	}
	h, err := ParseHeader(bytes.NewReader(b[off:]), int64(len(b))-off, ts)
	if err != nil {
		t.Fatalf("%s: ParseHeader: %v", rel, err)
	}
	return testInstance{ts: ts, sopClass: h.SOPClassUID, sopInstance: h.SOPInstanceUID, dataSet: b[off:]}
}

func (ti testInstance) request(assoc string) *scp.StoreRequest {
	return &scp.StoreRequest{
		AssociationID: assoc, CallingAE: "TESTSCU", CalledAE: "MDM2NODE", PeerAddr: "127.0.0.1:5555",
		SOPClassUID: ti.sopClass, SOPInstanceUID: ti.sopInstance, TransferSyntaxUID: ti.ts,
	}
}

// push writes data in fragments of 16 KiB, as P-DATA would, and commits.
func push(t testing.TB, s *Store, req *scp.StoreRequest, data []byte) (uint16, error) {
	t.Helper()
	sink, err := s.BeginStore(req)
	if err != nil {
		return StatusOf(err), err
	}
	for len(data) > 0 {
		n := min(len(data), 16384)
		if _, err := sink.Write(data[:n]); err != nil {
			sink.Abort()
			return StatusOf(err), err
		}
		data = data[n:]
	}
	return sink.Commit()
}

// storedFiles lists the files under dir other than the index, relative.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == IndexFile {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	return out
}

func TestStoreByteIdenticalAcrossTransferSyntaxes(t *testing.T) {
	files := []string{
		"pydicom/test_files/CT_small.dcm",           // Explicit VR LE
		"cornerstone3d/CTImage.dcm",                 // Implicit VR LE
		"pydicom/test_files/MR_small_bigendian.dcm", // Explicit VR BE
		"cornerstone3d/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm",
		"dicomparser/deflate/report_dfl",      // deflated SR
		"pydicom/test_files/MR_small_RLE.dcm", // encapsulated
		"egsnrc/DICOM/1998052815582995.ct",    // no File Meta
		"rt-utils/mock_data/rt.dcm",           // RT Structure Set
	}
	// Several files share a SOP Instance UID, so each gets its own store.
	for _, rel := range files {
		s, _ := openTestStore(t, Options{DuplicatePolicy: KeepFirst})
		ti := loadInstance(t, rel)
		status, err := push(t, s, ti.request("a1"), ti.dataSet)
		if status != StatusSuccess {
			t.Errorf("%s: status %04X: %v", rel, status, err)
			continue
		}
		rec, err := s.Instance(ti.sopInstance)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		stored, err := os.ReadFile(filepath.Join(s.Dir(), rec.Path))
		if err != nil {
			t.Fatal(err)
		}
		ts, off, err := SplitPart10(stored)
		if err != nil || ts != ti.ts || off != rec.DataSetOffset {
			t.Errorf("%s: stored meta: ts %q offset %d (index %d), err %v", rel, ts, off, rec.DataSetOffset, err)
		}
		if !bytes.Equal(stored[off:], ti.dataSet) {
			t.Errorf("%s: stored data set differs from the one sent", rel)
		}
		if rec.Size != int64(len(stored)) || rec.TransferSyntaxUID != ti.ts || rec.CallingAE != "TESTSCU" {
			t.Errorf("%s: index record %+v", rel, rec)
		}
		if left, _ := os.ReadDir(filepath.Join(s.Dir(), tmpDirName)); len(left) != 0 {
			t.Errorf("%s: tmp folder not empty: %v", rel, left)
		}
	}
}

// TestStoredFileReadByDCMTK checks the File Meta group with an independent
// reader, DCMTK's dcmdump.
func TestStoredFileReadByDCMTK(t *testing.T) {
	dcmdump := testutil.RequireTool(t, "dcmdump")
	s, _ := openTestStore(t, Options{})
	ti := loadInstance(t, "pydicom/test_files/MR_small_bigendian.dcm")
	if status, err := push(t, s, ti.request("a1"), ti.dataSet); status != StatusSuccess {
		t.Fatalf("status %04X: %v", status, err)
	}
	rec, _ := s.Instance(ti.sopInstance)
	out, err := exec.Command(dcmdump, "-M", "+L", filepath.Join(s.Dir(), rec.Path)).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, out)
	}
	for _, want := range []string{
		"(0002,0002) UI =MRImageStorage",
		"(0002,0003) UI [" + ti.sopInstance + "]",
		"(0002,0010) UI =BigEndianExplicit",
		"(0002,0012) UI [" + ImplementationClassUID + "]",
		"(0002,0013) SH [" + ImplementationVersionName + "]",
		"(0002,0016) AE [TESTSCU]",
		"(0008,0018) UI [" + ti.sopInstance + "]",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dcmdump output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "E: ") || strings.Contains(string(out), "W: ") {
		t.Errorf("dcmdump reports problems:\n%s", out)
	}
}

func TestStoreRejections(t *testing.T) {
	ct := loadInstance(t, "pydicom/test_files/CT_small.dcm")
	cases := []struct {
		name   string
		opts   Options
		edit   func(req *scp.StoreRequest, data []byte) []byte
		status uint16
		want   error
	}{
		{"sop instance differs", Options{}, func(r *scp.StoreRequest, d []byte) []byte {
			r.SOPInstanceUID = "1.2.3.4"
			return d
		}, StatusDataSetMismatch, ErrMismatch},
		{"sop class differs", Options{}, func(r *scp.StoreRequest, d []byte) []byte {
			r.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
			return d
		}, StatusDataSetMismatch, ErrMismatch},
		{"study uid escapes", Options{}, func(r *scp.StoreRequest, d []byte) []byte {
			return replaceValue(d, "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322", "../../../../../../tmp/x")
		}, StatusDataSetMismatch, ErrInvalidUID},
		{"sop instance not a uid", Options{}, func(r *scp.StoreRequest, d []byte) []byte {
			r.SOPInstanceUID = padTo("../../../../etc/passwd", len(ct.sopInstance))
			return replaceValue(d, ct.sopInstance, r.SOPInstanceUID)
		}, StatusDataSetMismatch, ErrInvalidUID},
		{"garbage", Options{}, func(r *scp.StoreRequest, d []byte) []byte {
			return bytes.Repeat([]byte{0xff, 0xfe, 0x00, 0x12}, 64)
		}, StatusCannotUnderstand, ErrUnparsable},
		{"too large", Options{MaxInstanceSize: 1000}, nil, StatusOutOfResources, ErrTooLarge},
		{"under watermark", Options{FreeSpaceWatermark: 1 << 62}, nil, StatusOutOfResources, ErrLowDiskSpace},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ev := openTestStore(t, tc.opts)
			req := ct.request("a1")
			data := bytes.Clone(ct.dataSet)
			if tc.edit != nil {
				data = tc.edit(req, data)
			}
			status, err := push(t, s, req, data)
			if status != tc.status || !errors.Is(err, tc.want) {
				t.Fatalf("status %04X err %v, want %04X %v", status, err, tc.status, tc.want)
			}
			if files := storedFiles(t, s.Dir()); len(files) != 0 {
				t.Errorf("files left: %v", files)
			}
			if n, _ := s.CountInstances(); n != 0 {
				t.Errorf("%d instances indexed", n)
			}
			if tc.status != StatusOutOfResources && len(ev.rejected) != 1 {
				t.Errorf("rejections reported: %v", ev.rejected)
			}
		})
	}
}

// replaceValue replaces every occurrence of a value in a data set by one of
// the same length, so that no element length changes.
func replaceValue(data []byte, old, repl string) []byte {
	return bytes.ReplaceAll(data, []byte(old), []byte(padTo(repl, len(old))))
}

// padTo cuts s to n characters or pads it with "/" to n characters.
func padTo(s string, n int) string {
	for len(s) < n {
		s += "/"
	}
	return s[:n]
}

func TestStoreAbortLeavesNothing(t *testing.T) {
	s, _ := openTestStore(t, Options{})
	ct := loadInstance(t, "pydicom/test_files/CT_small.dcm")
	sink, err := s.BeginStore(ct.request("a1"))
	if err != nil {
		t.Fatal(err)
	}
	sink.Write(ct.dataSet[:len(ct.dataSet)/2])
	sink.Abort()
	if files := storedFiles(t, s.Dir()); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestDuplicatePolicies(t *testing.T) {
	// CT_small.dcm and highdicom/ct_image.dcm share one SOP Instance UID but
	// differ in their bytes (MANIFEST).
	first := loadInstance(t, "pydicom/test_files/CT_small.dcm")
	second := loadInstance(t, "highdicom/ct_image.dcm")
	if first.sopInstance != second.sopInstance || bytes.Equal(first.dataSet, second.dataSet) {
		t.Fatal("fixtures no longer share a SOP Instance UID with different bytes")
	}
	for _, policy := range []string{KeepFirst, Replace} {
		t.Run(policy, func(t *testing.T) {
			s, ev := openTestStore(t, Options{DuplicatePolicy: policy})
			for _, ti := range []testInstance{first, second} {
				if status, err := push(t, s, ti.request("a1"), ti.dataSet); status != StatusSuccess {
					t.Fatalf("status %04X: %v", status, err)
				}
			}
			rec, err := s.Instance(first.sopInstance)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := os.ReadFile(filepath.Join(s.Dir(), rec.Path))
			want := first
			if policy == Replace {
				want = second
			}
			if !bytes.Equal(stored[rec.DataSetOffset:], want.dataSet) {
				t.Errorf("stored data set is not the expected one")
			}
			if len(ev.duplicates) != 1 || ev.duplicates[0] != (policy == KeepFirst) {
				t.Errorf("duplicate events %v", ev.duplicates)
			}
			studies, _ := s.Studies()
			if len(studies) != 1 || studies[0].Instances != 1 || studies[0].Series != 1 {
				t.Errorf("studies %+v", studies)
			}
			if got := s.TakeAssociationCounts("a1"); got[rec.StudyInstanceUID] != 2 {
				t.Errorf("association counts %v", got)
			}
		})
	}
}

func TestQueriesAndReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	series := []string{"000000", "000001", "000002"}
	for _, n := range series {
		ti := loadInstance(t, "dcmqi/paramaps/701-ADCb500/"+n+".dcm")
		if status, err := push(t, s, ti.request("a1"), ti.dataSet); status != StatusSuccess {
			t.Fatalf("status %04X: %v", status, err)
		}
	}
	ct := loadInstance(t, "pydicom/test_files/CT_small.dcm")
	if status, err := push(t, s, ct.request("a2"), ct.dataSet); status != StatusSuccess {
		t.Fatalf("status %04X: %v", status, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err := OpenIndexReadOnly(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	studies, err := ix.Studies()
	if err != nil || len(studies) != 2 {
		t.Fatalf("studies %v, %v", studies, err)
	}
	for _, st := range studies {
		ser, err := ix.SeriesOfStudy(st.StudyInstanceUID)
		if err != nil || len(ser) != 1 || ser[0].Instances != st.Instances {
			t.Fatalf("series of %s: %+v, %v", st.StudyInstanceUID, ser, err)
		}
		inst, err := ix.InstancesOfSeries(st.StudyInstanceUID, ser[0].SeriesInstanceUID)
		if err != nil || len(inst) != st.Instances {
			t.Fatalf("instances: %d, %v", len(inst), err)
		}
		if st.Modalities[0] == "MR" && st.Instances != 3 {
			t.Errorf("MR study has %d instances", st.Instances)
		}
	}
}

func TestSnapshotWrittenOnClose(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ct := loadInstance(t, "pydicom/test_files/CT_small.dcm")
	if status, err := push(t, s, ct.request("a1"), ct.dataSet); status != StatusSuccess {
		t.Fatalf("status %04X: %v", status, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	snap, err := ReadSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Studies) != 1 || snap.Studies[0].Instances != 1 || len(snap.Studies[0].SeriesList) != 1 {
		t.Errorf("snapshot %+v", snap)
	}
}

func TestIndexLockedByWriter(t *testing.T) {
	s, _ := openTestStore(t, Options{})
	_, err := OpenIndexReadOnly(s.Dir(), 100*1e6)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only open while a writer holds the index: %v, want ErrLocked", err)
	}
}
