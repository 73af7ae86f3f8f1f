// Package query tests the node's C-FIND SCP with DCMTK findscu against an
// in-process listener whose store holds real files from
// ../shared/testdata/dicom.
package query

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/scp/find"
	"github.com/mdm2node/mdm2node/series/tracker/trackertest"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// The stored files, by patient (see testdata/dicom/MANIFEST.md).
var files = []string{
	"pydicom/test_files/CT_small.dcm",      // CompressedSamples^CT1, 1CT1, 20040119 072730
	"pydicom/test_files/MR_small.dcm",      // CompressedSamples^MR1, 4MR1, 20040826 185059
	"rt-utils/mock_data/ct_1.dcm",          // PHANTOM_EXAMPLE, 20201112 085023, CT
	"rt-utils/mock_data/ct_2.dcm",          //   same series
	"rt-utils/mock_data/rt.dcm",            //   RTSTRUCT of the same study
	"dcmqi/segmentations/ct-3slice/01.dcm", // JANCT000, 99000, 20030417 104607, CT
	"dcmqi/segmentations/ct-3slice/02.dcm", //   same series
	"dcmqi/segmentations/ct-3slice/03.dcm", //   same series
	"dcmqi/segmentations/liver.dcm",        //   SEG of the same study
	"pydicom/charset_files/chrX1.dcm",      // Wang^XiaoDong=王^小東=, ISO_IR 192
	"pydicom/charset_files/chrH31.dcm",     // Yamada^Tarou=山田^太郎=やまだ^たろう, ISO 2022 IR 87
	"egsnrc/DICOM/*.ct",                    // BAREX CYLINDER, PR0002, 19980528 144355.038
}

const (
	studyCT1   = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
	studyMR1   = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457"
	studyRT    = "1.2.840.113619.2.405.3.84541899.902.1605198123.910"
	studyJANCT = "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1"
	studyBarex = "1.2.840.113619.2.3.263.8060.1998.5.28.22325"
)

type node struct {
	addr   string
	st     *store.Store
	mu     sync.Mutex
	events []audit.Event
}

var (
	nodeOnce sync.Once
	shared   *node
)

// startNode starts a listener on 127.0.0.1 with a store filled with files.
func startNode(t *testing.T) *node {
	return startNodeWith(t, find.Config{})
}

// startNodeWith starts a node whose C-FIND service has cfg (Audit is set
// here).
func startNodeWith(t *testing.T, cfg find.Config) *node {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range files {
		for _, p := range expand(t, pat) {
			trackertest.Put(t, st, p, "LOADER")
		}
	}
	n := &node{st: st}
	srv, err := scp.NewServer(scp.Config{AETitle: "MDM2NODE"}, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audit = func(e audit.Event) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.events = append(n.events, e)
	}
	srv.Handle(dimse.CFindRQ, find.New(st, cfg))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	n.addr = l.Addr().String()
	return n
}

func expand(t *testing.T, pat string) []string {
	t.Helper()
	if i := strings.Index(pat, "{"); i >= 0 {
		j := strings.Index(pat, "}")
		var out []string
		for _, alt := range strings.Split(pat[i+1:j], ",") {
			out = append(out, expand(t, pat[:i]+alt+pat[j+1:])...)
		}
		return out
	}
	if strings.Contains(pat, "*") {
		dir := testutil.SharedPath(t, "testdata/dicom/"+filepath.Dir(pat))
		m, err := filepath.Glob(filepath.Join(dir, filepath.Base(pat)))
		if err != nil || len(m) == 0 {
			t.Fatalf("no files %s", pat)
		}
		return m
	}
	return []string{testutil.SharedPath(t, "testdata/dicom/"+pat)}
}

// response is one identifier returned by findscu, keyed by tag "gggg,eeee".
type response map[string]string

// result is what one findscu run returned.
type result struct {
	responses []response
	status    string // final status as findscu logs it
	log       string
}

var elementLine = regexp.MustCompile(`^\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (?:\[(.*)\]|=(\S*)|(\(no value available\))|(\(Sequence with.*))`)

// findscu runs DCMTK findscu with model ("-P" or "-S") and keys, extracts
// the responses and reads them back with dcmdump.
func (n *node) findscu(t *testing.T, model string, extra []string, keys ...string) result {
	t.Helper()
	testutil.RequireTool(t, "findscu")
	testutil.RequireTool(t, "dcmdump")
	out := t.TempDir()
	host, port, _ := net.SplitHostPort(n.addr)
	args := []string{"-v", "-aet", "TESTSCU", "-aec", "MDM2NODE", model, "-X", "-od", out}
	args = append(args, extra...)
	for _, k := range keys {
		args = append(args, "-k", k)
	}
	args = append(args, host, port)
	cmd := exec.Command("findscu", args...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("findscu %v: %v", args, err)
	}
	res := result{log: string(b)}
	for _, line := range strings.Split(res.log, "\n") {
		if k := strings.Index(line, "Final Find Response"); k >= 0 {
			res.status = strings.TrimSpace(line[k+len("Final Find Response"):])
		}
	}
	names, _ := filepath.Glob(filepath.Join(out, "rsp*.dcm"))
	sort.Strings(names)
	for _, name := range names {
		// +U8 converts values to UTF-8 but adds Specific Character Set, so
		// that element is read from a dump without it.
		raw, err := exec.Command("dcmdump", "+L", "-Un", "-q", name).CombinedOutput()
		if err != nil {
			t.Fatalf("dcmdump %s: %v\n%s", name, err, raw)
		}
		dump, err := exec.Command("dcmdump", "+L", "-Un", "+U8", "-q", name).CombinedOutput()
		if err != nil {
			t.Fatalf("dcmdump %s: %v\n%s", name, err, dump)
		}
		r := response{}
		charset, hasCharset := "", false
		for _, line := range strings.Split(string(raw), "\n") {
			if m := elementLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil && m[1] == "0008" && m[2] == "0005" {
				charset, hasCharset = m[4], true
			}
		}
		sc := bufio.NewScanner(strings.NewReader(string(dump)))
		inMeta := false
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "# Dicom-Meta-Information-Header") {
				inMeta = true
			}
			if strings.HasPrefix(line, "# Dicom-Data-Set") {
				inMeta = false
			}
			m := elementLine.FindStringSubmatch(line)
			if m == nil || inMeta {
				continue
			}
			tag := strings.ToUpper(m[1] + "," + m[2])
			switch {
			case m[4] != "" || strings.Contains(line, "[]"):
				r[tag] = m[4]
			case m[5] != "":
				r[tag] = m[5]
			default:
				r[tag] = ""
			}
		}
		delete(r, "0008,0005")
		if hasCharset {
			r["0008,0005"] = charset
		}
		res.responses = append(res.responses, r)
	}
	return res
}

// values returns the values of tag in the responses, sorted.
func (r result) values(tag string) []string {
	var out []string
	for _, rsp := range r.responses {
		out = append(out, rsp[tag])
	}
	sort.Strings(out)
	return out
}

func same(a, b []string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func getNode(t *testing.T) *node {
	t.Helper()
	testutil.RequireTool(t, "findscu")
	testutil.RequireTool(t, "dcmdump")
	return startNode(t)
}

func sortedCopy(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

// tags returns the tags of a response, sorted.
func (r response) tags() []string {
	var out []string
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// onlyKeys checks that every response holds exactly the given tags.
func onlyKeys(t *testing.T, r result, tags ...string) {
	t.Helper()
	want := sortedCopy(tags...)
	for i, rsp := range r.responses {
		got := rsp.tags()
		if !same(got, want) {
			t.Fatalf("response %d has tags %v, want %v", i+1, got, want)
		}
	}
}

func wantValues(t *testing.T, r result, tag string, want ...string) {
	t.Helper()
	got := r.values(tag)
	if !same(got, sortedCopy(want...)) {
		t.Fatalf("%s values %q, want %q\n%s", tag, got, sortedCopy(want...), r.log)
	}
	if !strings.Contains(r.status, "Success") {
		t.Fatalf("final status %q, want Success", r.status)
	}
}

func TestLevels(t *testing.T) {
	n := getNode(t)

	t.Run("patient root, patient level", func(t *testing.T) {
		r := n.findscu(t, "-P", nil, "QueryRetrieveLevel=PATIENT", "PatientID", "PatientName", "NumberOfPatientRelatedStudies", "NumberOfPatientRelatedInstances")
		wantValues(t, r, "0010,0020", "1CT1", "4MR1", "99000", "H31EXAMPLE", "PHANTOM_EXAMPLE", "PR0002", "X1EXAMPLE")
		for _, rsp := range r.responses {
			if rsp["0010,0020"] == "PR0002" && (rsp["0020,1200"] != "1" || rsp["0020,1204"] != "10") {
				t.Errorf("PR0002 counts %v", rsp)
			}
			delete(rsp, "0008,0005")
		}
		onlyKeys(t, r, "0008,0052", "0010,0010", "0010,0020", "0020,1200", "0020,1204")
	})

	t.Run("study root, study level", func(t *testing.T) {
		r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientID", "ModalitiesInStudy",
			"NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances", "StudyDate", "StudyTime", "AccessionNumber")
		if len(r.responses) != 7 {
			t.Fatalf("%d studies, want 7\n%s", len(r.responses), r.log)
		}
		for _, rsp := range r.responses {
			if rsp["0020,000D"] == studyJANCT {
				if rsp["0008,0061"] != `CT\SEG` || rsp["0020,1206"] != "2" || rsp["0020,1208"] != "4" || rsp["0008,0050"] != "03086212" || rsp["0008,0030"] != "104607" {
					t.Errorf("JANCT000 study %v", rsp)
				}
			}
			delete(rsp, "0008,0005")
		}
		onlyKeys(t, r, "0008,0020", "0008,0030", "0008,0050", "0008,0052", "0008,0061", "0010,0020", "0020,000D", "0020,1206", "0020,1208")
	})

	t.Run("patient root, study level", func(t *testing.T) {
		r := n.findscu(t, "-P", nil, "QueryRetrieveLevel=STUDY", "PatientID=99000", "StudyInstanceUID", "StudyDescription")
		wantValues(t, r, "0020,000D", studyJANCT)
		onlyKeys(t, r, "0008,0052", "0010,0020", "0020,000D", "0008,1030")
	})

	t.Run("series level", func(t *testing.T) {
		r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=SERIES", "StudyInstanceUID="+studyRT, "SeriesInstanceUID", "Modality", "NumberOfSeriesRelatedInstances")
		wantValues(t, r, "0008,0060", "CT", "RTSTRUCT")
		for _, rsp := range r.responses {
			want := map[string]string{"CT": "2", "RTSTRUCT": "1"}[rsp["0008,0060"]]
			if rsp["0020,1209"] != want {
				t.Errorf("series %v: %s instances, want %s", rsp["0008,0060"], rsp["0020,1209"], want)
			}
		}
		onlyKeys(t, r, "0008,0052", "0020,000D", "0020,000E", "0008,0060", "0020,1209")
		r = n.findscu(t, "-P", nil, "QueryRetrieveLevel=SERIES", "PatientID=PR0002", "StudyInstanceUID="+studyBarex, "SeriesInstanceUID", "SeriesNumber")
		if len(r.responses) != 1 {
			t.Fatalf("patient root series: %d responses\n%s", len(r.responses), r.log)
		}
	})

	t.Run("image level", func(t *testing.T) {
		series := n.findscu(t, "-S", nil, "QueryRetrieveLevel=SERIES", "StudyInstanceUID="+studyBarex, "SeriesInstanceUID")
		if len(series.responses) != 1 {
			t.Fatalf("%d series", len(series.responses))
		}
		seriesUID := series.responses[0]["0020,000E"]
		r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=IMAGE", "StudyInstanceUID="+studyBarex, "SeriesInstanceUID="+seriesUID, "SOPInstanceUID", "InstanceNumber", "SOPClassUID")
		if len(r.responses) != 10 {
			t.Fatalf("%d instances, want 10\n%s", len(r.responses), r.log)
		}
		onlyKeys(t, r, "0008,0016", "0008,0018", "0008,0052", "0020,000D", "0020,000E", "0020,0013")
		var numbers []string
		for _, rsp := range r.responses {
			numbers = append(numbers, rsp["0020,0013"])
		}
		sort.Strings(numbers)
		if numbers[0] == "" {
			t.Errorf("instance numbers %v", numbers)
		}
		r = n.findscu(t, "-P", nil, "QueryRetrieveLevel=IMAGE", "PatientID=99000", "StudyInstanceUID="+studyJANCT, "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID=1.2.840.10008.5.1.4.1.1.66.4")
		wantValues(t, r, "0008,0016", "1.2.840.10008.5.1.4.1.1.66.4")
	})
}

func TestMatchingRules(t *testing.T) {
	n := getNode(t)
	q := func(keys ...string) result {
		t.Helper()
		return n.findscu(t, "-S", nil, append([]string{"QueryRetrieveLevel=STUDY", "PatientID"}, keys...)...)
	}
	cases := []struct {
		name string
		keys []string
		want []string // Patient IDs
	}{
		{"single value", []string{"PatientID=1CT1"}, []string{"1CT1"}},
		{"single value, other key", []string{"AccessionNumber=03086212"}, []string{"99000"}},
		{"PN without case", []string{"PatientName=compressedsamples^ct1"}, []string{"1CT1"}},
		{"LO with case", []string{"StudyDescription=phantom test"}, nil},
		{"LO exact", []string{"StudyDescription=PHANTOM TEST"}, []string{"PR0002"}},
		{"wildcard star", []string{"PatientName=Compressed*"}, []string{"1CT1", "4MR1"}},
		{"wildcard star inside", []string{"PatientName=*Samples^?R1"}, []string{"4MR1"}},
		{"wildcard question", []string{"PatientID=?MR1"}, []string{"4MR1"}},
		{"PN component group", []string{"PatientName=wang*"}, []string{"X1EXAMPLE"}},
		{"universal empty", []string{"PatientName"}, []string{"1CT1", "4MR1", "99000", "H31EXAMPLE", "PHANTOM_EXAMPLE", "PR0002", "X1EXAMPLE"}},
		{"universal star", []string{"PatientName=*"}, []string{"1CT1", "4MR1", "99000", "H31EXAMPLE", "PHANTOM_EXAMPLE", "PR0002", "X1EXAMPLE"}},
		{"date single", []string{"StudyDate=19980528"}, []string{"PR0002"}},
		{"date range", []string{"StudyDate=20030101-20041231"}, []string{"1CT1", "4MR1", "99000"}},
		{"date until", []string{"StudyDate=-19991231"}, []string{"PR0002"}},
		{"date from", []string{"StudyDate=20200101-"}, []string{"PHANTOM_EXAMPLE"}},
		{"time range", []string{"StudyTime=1000-1100"}, []string{"99000"}},
		{"time partial", []string{"StudyTime=14"}, []string{"PR0002"}},
		{"time until", []string{"StudyTime=-0800"}, []string{"1CT1"}},
		{"date and time", []string{"StudyDate=20040101-", "StudyTime=18-"}, []string{"4MR1"}},
		{"UID list", []string{`StudyInstanceUID=` + studyCT1 + `\` + studyMR1}, []string{"1CT1", "4MR1"}},
		{"UID single", []string{"StudyInstanceUID=" + studyRT}, []string{"PHANTOM_EXAMPLE"}},
		{"modalities list", []string{`ModalitiesInStudy=SEG\RTSTRUCT`}, []string{"99000", "PHANTOM_EXAMPLE"}},
		{"modalities one", []string{"ModalitiesInStudy=MR"}, []string{"4MR1"}},
		{"count", []string{"NumberOfStudyRelatedInstances=10"}, []string{"PR0002"}},
		{"no match", []string{"PatientID=NOBODY"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := q(c.keys...)
			wantValues(t, r, "0010,0020", c.want...)
		})
	}
}

func TestCharacterSets(t *testing.T) {
	n := getNode(t)
	// A UTF-8 value in an ASCII query: the response says ISO_IR 192.
	r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=STUDY", "PatientName=Wang*", "PatientID")
	if len(r.responses) != 1 || r.responses[0]["0010,0010"] != "Wang^XiaoDong=王^小東=" || r.responses[0]["0008,0005"] != "ISO_IR 192" {
		t.Fatalf("responses %v\n%s", r.responses, r.log)
	}
	// ISO 2022 IR 87 stored, matched on the Japanese component.
	r = n.findscu(t, "-S", nil, "SpecificCharacterSet=ISO_IR 192", "QueryRetrieveLevel=STUDY", "PatientName=*山田*", "PatientID")
	if len(r.responses) != 1 || r.responses[0]["0010,0020"] != "H31EXAMPLE" || !strings.Contains(r.responses[0]["0010,0010"], "やまだ^たろう") {
		t.Fatalf("responses %v\n%s", r.responses, r.log)
	}
	// Latin-1 requested: values that fit are returned in it; those that do
	// not make the response ISO_IR 192.
	r = n.findscu(t, "-S", nil, "SpecificCharacterSet=ISO_IR 100", "QueryRetrieveLevel=STUDY", "PatientName", "PatientID")
	for _, rsp := range r.responses {
		cs := rsp["0008,0005"]
		switch rsp["0010,0020"] {
		case "H31EXAMPLE", "X1EXAMPLE":
			if cs != "ISO_IR 192" {
				t.Errorf("%s: charset %q", rsp["0010,0020"], cs)
			}
		default:
			if cs != "ISO_IR 100" {
				t.Errorf("%s: charset %q", rsp["0010,0020"], cs)
			}
		}
	}
}

func TestCancel(t *testing.T) {
	testutil.RequireTool(t, "findscu")
	testutil.RequireTool(t, "dcmdump")
	// Responses 50 ms apart, so that findscu's C-CANCEL-RQ after the
	// second arrives while the node is still matching.
	n := startNodeWith(t, find.Config{PendingInterval: 50 * time.Millisecond})
	r := n.findscu(t, "-S", []string{"--cancel", "2"}, "QueryRetrieveLevel=STUDY", "StudyInstanceUID")
	if len(r.responses) > 3 || !strings.Contains(strings.ToLower(r.status), "cancel") {
		t.Fatalf("%d responses, final %q\n%s", len(r.responses), r.status, r.log)
	}
	// The node keeps serving on a new association.
	r = n.findscu(t, "-S", nil, "QueryRetrieveLevel=STUDY", "StudyInstanceUID")
	if len(r.responses) != 7 {
		t.Fatalf("%d responses after the cancel", len(r.responses))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	found := false
	for _, e := range n.events {
		if e.Type == find.AuditQuery && e.Status == "FE00" {
			found = true
		}
	}
	if !found {
		t.Error("no audit event of the canceled query")
	}
}

func TestBadIdentifiers(t *testing.T) {
	n := getNode(t)
	cases := []struct {
		name  string
		model string
		keys  []string
		want  string // audit status
	}{
		{"no level", "-S", []string{"PatientID"}, "A900"},
		{"patient level in study root", "-S", []string{"QueryRetrieveLevel=PATIENT", "PatientID"}, "A900"},
		{"unknown level", "-P", []string{"QueryRetrieveLevel=FRAME", "PatientID"}, "A900"},
		{"malformed date", "-S", []string{"QueryRetrieveLevel=STUDY", "StudyDate=2020-13"}, "A900"},
		{"reversed range", "-S", []string{"QueryRetrieveLevel=STUDY", "StudyDate=20201231-20200101"}, "A900"},
		{"key below the level", "-S", []string{"QueryRetrieveLevel=STUDY", "SOPInstanceUID=1.2.3"}, "A900"},
		{"unknown character set", "-S", []string{"SpecificCharacterSet=ISO_IR 999", "QueryRetrieveLevel=STUDY", "PatientID"}, "C000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n.mu.Lock()
			before := len(n.events)
			n.mu.Unlock()
			r := n.findscu(t, c.model, nil, c.keys...)
			if len(r.responses) != 0 || strings.Contains(r.status, "Success") {
				t.Fatalf("%d responses, final %q\n%s", len(r.responses), r.status, r.log)
			}
			n.mu.Lock()
			defer n.mu.Unlock()
			if len(n.events) != before+1 || n.events[before].Status != c.want {
				t.Fatalf("audit events %+v, want one with status %s\n%s", n.events[before:], c.want, r.log)
			}
			if !strings.Contains(r.log, fmt.Sprintf("%s", strings.ToLower(c.want))) && !strings.Contains(r.log, c.want) {
				t.Logf("findscu log does not show %s:\n%s", c.want, r.log)
			}
		})
	}
	// The node answers the next query.
	r := n.findscu(t, "-S", nil, "QueryRetrieveLevel=STUDY", "PatientID=1CT1")
	wantValues(t, r, "0010,0020", "1CT1")
}

func TestQueriesAudited(t *testing.T) {
	n := getNode(t)
	n.findscu(t, "-P", nil, "QueryRetrieveLevel=STUDY", "PatientID=99000", "StudyDate=20030101-")
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.events) != 1 {
		t.Fatalf("%d audit events", len(n.events))
	}
	e := n.events[0]
	if e.Type != find.AuditQuery || e.CallingAE != "TESTSCU" || e.CalledAE != "MDM2NODE" || e.SOPClassUID != find.PatientRootFind || e.Status != "0000" {
		t.Fatalf("event %+v", e)
	}
	for _, s := range []string{"STUDY level", `PatientID="99000"`, `StudyDate="20030101-"`, "1 matches"} {
		if !strings.Contains(e.Detail, s) {
			t.Errorf("detail %q lacks %q", e.Detail, s)
		}
	}
}

// The identifier and responses are encoded in the negotiated transfer
// syntax: implicit, explicit little and big endian, and deflated.
func TestTransferSyntaxes(t *testing.T) {
	n := getNode(t)
	for _, opt := range []string{"-xi", "-xe", "-xb", "-xd"} {
		t.Run(opt, func(t *testing.T) {
			r := n.findscu(t, "-S", []string{opt}, "QueryRetrieveLevel=STUDY", "PatientName=Compressed*", "PatientID", "NumberOfStudyRelatedInstances")
			wantValues(t, r, "0010,0020", "1CT1", "4MR1")
			wantValues(t, r, "0020,1208", "1", "1")
		})
	}
}
