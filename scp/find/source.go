package find

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mdm2node/mdm2node/store"
)

// header is the decoded top-level header of one stored instance.
type header struct {
	sha string
	ds  *DataSet
	cs  *Charset
}

// headerCache keeps the headers read from instance files, keyed by SOP
// Instance UID and checked against the file's digest. It is reset when it
// grows past its limit.
type headerCache struct {
	mu    sync.Mutex
	m     map[string]*header
	limit int
}

func newHeaderCache(limit int) *headerCache {
	return &headerCache{m: map[string]*header{}, limit: limit}
}

// headerPrefix is how much of an instance file is read first; a header
// longer than that is read in full.
const headerPrefix = 64 << 10

func (c *headerCache) get(dataDir string, rec *store.InstanceRecord) (*header, error) {
	c.mu.Lock()
	h, ok := c.m[rec.SOPInstanceUID]
	c.mu.Unlock()
	if ok && h.sha == rec.SHA256 {
		return h, nil
	}
	h, err := readHeader(filepath.Join(dataDir, rec.Path), rec)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.limit {
		c.m = map[string]*header{}
	}
	c.m[rec.SOPInstanceUID] = h
	c.mu.Unlock()
	return h, nil
}

func readHeader(path string, rec *store.InstanceRecord) (*header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size() - rec.DataSetOffset
	n := min(size, headerPrefix)
	for {
		b := make([]byte, n)
		if _, err := f.ReadAt(b, rec.DataSetOffset); err != nil && err != io.EOF {
			return nil, err
		}
		ds, truncated, err := DecodeHeader(b, rec.TransferSyntaxUID)
		if err != nil {
			return nil, fmt.Errorf("instance %s: %w", rec.SOPInstanceUID, err)
		}
		if truncated && n < size {
			n = size
			continue
		}
		cs, err := ParseCharset(ds.String(TagSpecificCharacterSet))
		if err != nil {
			cs = nil // values read as ASCII, Latin-1 beyond
		}
		return &header{sha: rec.SHA256, ds: ds, cs: cs}, nil
	}
}

// attr is an attribute value of an entity: its VR, the element (for raw
// binary values and sequences), and its values in UTF-8.
type attr struct {
	vr     string
	values []string
	raw    []byte // binary VRs: the little-endian value
	seq    bool
}

// headerAttr returns the value of t in h.
func headerAttr(h *header, t Tag) (attr, bool) {
	e := h.ds.Get(t)
	if e == nil {
		return attr{}, false
	}
	return elementAttr(e, h.cs), true
}

func elementAttr(e *Element, cs *Charset) attr {
	a := attr{vr: e.VR}
	switch {
	case e.VR == "SQ":
		a.seq = true
	case swapUnit(e.VR) > 1 || e.VR == "OB" || e.VR == "UN":
		a.raw = e.Value
		a.values = binaryStrings(e.VR, e.Value)
	default:
		s := cs.Decode(e.VR, e.Value)
		a.values = splitValues(e.VR, s)
	}
	return a
}

// splitValues splits a decoded string value into its values, without
// padding.
func splitValues(vr, s string) []string {
	var parts []string
	switch vr {
	case "LT", "ST", "UT", "UR":
		parts = []string{s}
	default:
		parts = strings.Split(s, `\`)
	}
	out := parts[:0]
	for _, p := range parts {
		p = trimValue(vr, p)
		out = append(out, p)
	}
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// binaryStrings renders the numbers of a binary value as decimal strings,
// for matching.
func binaryStrings(vr string, v []byte) []string {
	var out []string
	le := binary.LittleEndian
	switch vr {
	case "US":
		for i := 0; i+2 <= len(v); i += 2 {
			out = append(out, strconv.Itoa(int(le.Uint16(v[i:]))))
		}
	case "SS":
		for i := 0; i+2 <= len(v); i += 2 {
			out = append(out, strconv.Itoa(int(int16(le.Uint16(v[i:])))))
		}
	case "UL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, strconv.FormatUint(uint64(le.Uint32(v[i:])), 10))
		}
	case "SL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, strconv.Itoa(int(int32(le.Uint32(v[i:])))))
		}
	case "FL":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(v[i:]))), 'g', -1, 32))
		}
	case "FD":
		for i := 0; i+8 <= len(v); i += 8 {
			out = append(out, strconv.FormatFloat(math.Float64frombits(le.Uint64(v[i:])), 'g', -1, 64))
		}
	case "AT":
		for i := 0; i+4 <= len(v); i += 4 {
			out = append(out, fmt.Sprintf("%04X%04X", le.Uint16(v[i:]), le.Uint16(v[i+2:])))
		}
	}
	return out
}

// entity is one match candidate: a patient, study, series or instance, with
// the records above it.
type entity struct {
	level     Level
	patientID string
	patient   *patientGroup
	study     *store.StudyRecord
	series    *store.SeriesRecord
	instance  *store.InstanceRecord
	// rep is the instance whose header supplies the attributes of the
	// entity's own level; reps holds those of the levels above.
	reps map[Level]*store.InstanceRecord
}

// patientGroup is the studies of one Patient ID.
type patientGroup struct {
	id      string
	studies []store.StudyRecord
}

func (p *patientGroup) counts() (studies, series, instances int) {
	for _, s := range p.studies {
		series += s.Series
		instances += s.Instances
	}
	return len(p.studies), series, instances
}

// newest returns the study whose instances arrived last, which represents
// the patient.
func (p *patientGroup) newest() *store.StudyRecord {
	var best *store.StudyRecord
	for i := range p.studies {
		s := &p.studies[i]
		if best == nil || s.LastReceived.After(best.LastReceived) {
			best = s
		}
	}
	return best
}

func groupPatients(studies []store.StudyRecord) []*patientGroup {
	m := map[string]*patientGroup{}
	var out []*patientGroup
	for _, s := range studies {
		g := m[s.PatientID]
		if g == nil {
			g = &patientGroup{id: s.PatientID}
			m[s.PatientID] = g
			out = append(out, g)
		}
		g.studies = append(g.studies, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func formatInt(n int) []string { return []string{strconv.Itoa(n)} }
