package find

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/dimse"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

// C-FIND statuses (PS3.4 C.4.1.1.4).
const (
	StatusSuccess          uint16 = 0x0000
	StatusPending          uint16 = 0xFF00
	StatusCanceled         uint16 = 0xFE00
	StatusOutOfResources   uint16 = 0xA700
	StatusIdentifierNoSOP  uint16 = 0xA900 // Identifier does not match SOP Class
	StatusUnableToProcess  uint16 = 0xC000
	StatusSOPClassNotSuppd uint16 = 0x0122
)

// AuditQuery is the audit event type of a query (PS3.15 A.5.3.13 Query,
// EventID DCM 110112). Detail lists the level, the keys with their values
// and the number of matches.
const AuditQuery audit.Type = "Query"

// DefaultMaxIdentifier is the default of Config.MaxIdentifier.
const DefaultMaxIdentifier = 1 << 20

// Config configures the C-FIND service.
type Config struct {
	// RetrieveAETitle is returned in Retrieve AE Title (0008,0054) of every
	// response when the node can retrieve (C-MOVE or C-GET); empty when it
	// cannot, and the attribute is then returned empty only when requested.
	RetrieveAETitle string
	// Audit receives one AuditQuery event per query; nil records nothing.
	Audit func(audit.Event)
	// Log receives the application log; nil discards it.
	Log *slog.Logger
	// MaxIdentifier bounds the request identifier, in bytes. Default
	// DefaultMaxIdentifier.
	MaxIdentifier int
	// HeaderCache is how many instance headers are kept in memory. Default
	// 20000.
	HeaderCache int
	// PendingInterval is the least time between two pending responses of
	// one query; 0 sends them as fast as the association takes them. It
	// rate-limits large answers, and lets tests cancel a query midway.
	PendingInterval time.Duration
}

// Service is the Query/Retrieve FIND SCP of the Patient Root and Study Root
// information models (PS3.4 Annex C) over a store. Register it with
// scp.Server.Handle(dimse.CFindRQ, svc); the server then accepts the two
// FIND SOP classes.
type Service struct {
	st      *store.Store
	cfg     Config
	log     *slog.Logger
	headers *headerCache
}

// New returns the C-FIND service of st.
func New(st *store.Store, cfg Config) *Service {
	if cfg.MaxIdentifier <= 0 {
		cfg.MaxIdentifier = DefaultMaxIdentifier
	}
	if cfg.HeaderCache <= 0 {
		cfg.HeaderCache = 20000
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, cfg: cfg, log: log, headers: newHeaderCache(cfg.HeaderCache)}
}

// Begin implements scp.Service.
func (s *Service) Begin(req *scp.Request) scp.Operation {
	return &operation{s: s, req: req}
}

// operation collects the identifier of one C-FIND-RQ.
type operation struct {
	s       *Service
	req     *scp.Request
	buf     bytes.Buffer
	tooLong bool
}

func (o *operation) Write(p []byte) (int, error) {
	if o.buf.Len()+len(p) > o.s.cfg.MaxIdentifier {
		o.tooLong = true
		return len(p), nil
	}
	return o.buf.Write(p)
}

func (o *operation) Abort() {}

// failure is a failure status with its comment and offending element.
type failure struct {
	status    uint16
	comment   string
	offending Tag
}

func (f *failure) Error() string { return fmt.Sprintf("%04X: %s", f.status, f.comment) }

func fail(status uint16, t Tag, format string, args ...any) *failure {
	return &failure{status: status, offending: t, comment: fmt.Sprintf(format, args...)}
}

func (o *operation) Finish(rsp scp.Responder) {
	q, f := o.parse()
	matches := 0
	status := StatusSuccess
	var detail string
	if f == nil {
		matches, status, detail = o.s.run(o.req, q, rsp)
	} else {
		status, detail = f.status, f.comment
		c := dimse.NewResponse(o.req.Command, dimse.CFindRSP, f.status)
		c.SetString(dimse.TagErrorComment, truncate(f.comment, 64))
		if f.offending != 0 {
			var b [4]byte
			binary.LittleEndian.PutUint16(b[0:], f.offending.Group())
			binary.LittleEndian.PutUint16(b[2:], f.offending.Element())
			c.SetRaw(dimse.TagOffendingElement, b[:])
		}
		if err := rsp.Respond(c, nil); err != nil {
			detail += "; response not sent: " + err.Error()
		}
	}
	o.s.audit(o.req, q, status, matches, detail)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// key is one attribute of the request identifier.
type key struct {
	tag   Tag
	vr    string
	level Level // the level whose entity supplies the value
	match matcher
	// universal is true when the key matches everything (a return key).
	universal bool
	// below is true for a zero-length key of a level below the query
	// level: returned empty.
	below bool
	text  string // the value as received, decoded, for the audit log
}

// query is a parsed C-FIND request.
type query struct {
	model Model
	level Level
	cs    *Charset
	keys  []*key
	// uids restrict the search through the unique keys, nil for none.
	studyUIDs matcher
}

// parse decodes and checks the identifier.
func (o *operation) parse() (*query, *failure) {
	model, ok := modelOf(o.req.AbstractSyntax)
	if !ok {
		return nil, fail(StatusSOPClassNotSuppd, 0, "SOP class %s is not a FIND SOP class", o.req.AbstractSyntax)
	}
	if c, _ := o.req.Command.String(dimse.TagAffectedSOPClassUID); c != o.req.AbstractSyntax {
		return nil, fail(StatusSOPClassNotSuppd, 0, "Affected SOP Class %s is not the context's", c)
	}
	if !o.req.Command.HasDataSet() {
		return nil, fail(StatusIdentifierNoSOP, 0, "C-FIND-RQ without identifier")
	}
	if o.tooLong {
		return nil, fail(StatusOutOfResources, 0, "identifier longer than %d bytes", o.s.cfg.MaxIdentifier)
	}
	ds, err := Decode(o.buf.Bytes(), o.req.TransferSyntax)
	if err != nil {
		return nil, fail(StatusUnableToProcess, 0, "identifier cannot be decoded: %v", err)
	}
	q := &query{model: model}

	// Query/Retrieve Level.
	lv := ds.String(TagQueryRetrieveLevel)
	if ds.Get(TagQueryRetrieveLevel) == nil {
		return nil, fail(StatusIdentifierNoSOP, TagQueryRetrieveLevel, "no Query/Retrieve Level (0008,0052)")
	}
	q.level, ok = parseLevel(strings.ToUpper(lv))
	if !ok || q.level < model.top() {
		return nil, fail(StatusIdentifierNoSOP, TagQueryRetrieveLevel, "Query/Retrieve Level %q is not a level of this information model", lv)
	}

	// Specific Character Set of the request.
	if q.cs, err = ParseCharset(ds.String(TagSpecificCharacterSet)); err != nil {
		return nil, fail(StatusUnableToProcess, TagSpecificCharacterSet, "%v", err)
	}

	for _, e := range ds.Elements {
		t := e.Tag
		if t == TagQueryRetrieveLevel || t == TagSpecificCharacterSet || t.Element() == 0 || t.Group() <= 2 {
			continue
		}
		k := &key{tag: t, vr: e.VR, level: q.level, universal: true}
		if k.vr == "" || k.vr == "UN" {
			k.vr = dictVR(t)
		}
		if responseOnly[t] {
			q.keys = append(q.keys, k)
			continue
		}
		if lv, known := levelOf(model, t); known {
			k.level = lv
		}
		var value string
		switch {
		case e.VR == "SQ":
			// Sequence keys are return keys: returned without items.
		case swapUnit(k.vr) > 1:
			value = strings.Join(binaryStrings(k.vr, e.Value), `\`)
		default:
			value = q.cs.Decode(k.vr, e.Value)
		}
		k.text = strings.Trim(value, " \x00")
		if k.level > q.level {
			if strings.Trim(value, " \x00") != "" {
				return nil, fail(StatusIdentifierNoSOP, t, "key %s is below the %v level", t.Keyword(), q.level)
			}
			k.below = true
			q.keys = append(q.keys, k)
			continue
		}
		if e.VR != "SQ" {
			m, univ, err := compileKey(k.vr, value)
			if err != nil {
				return nil, fail(StatusIdentifierNoSOP, t, "key %s: %v", t.Keyword(), err)
			}
			k.match, k.universal = m, univ
			if t == TagStudyInstanceUID && !univ {
				q.studyUIDs = m
			}
		}
		q.keys = append(q.keys, k)
	}
	return q, nil
}

// run searches and streams the pending responses, then the final one. It
// returns the number of matches sent, the final status and a note.
func (s *Service) run(req *scp.Request, q *query, rsp scp.Responder) (int, uint16, string) {
	cc, _ := rsp.(scp.CancelChecker)
	sent := 0
	var sendErr error
	canceled := false
	var last time.Time
	err := s.search(q, func(e *entity) bool {
		if d := s.cfg.PendingInterval; d > 0 && !last.IsZero() {
			time.Sleep(time.Until(last.Add(d)))
		}
		last = time.Now()
		if cc != nil && cc.Canceled() {
			canceled = true
			return false
		}
		ds, err := s.response(q, e)
		if err != nil {
			s.log.Warn("C-FIND match skipped", "err", err)
			return true
		}
		b, err := ds.Encode(req.TransferSyntax)
		if err != nil {
			s.log.Warn("C-FIND match skipped", "err", err)
			return true
		}
		c := dimse.NewResponse(req.Command, dimse.CFindRSP, StatusPending)
		if sendErr = rsp.Respond(c, bytes.NewReader(b)); sendErr != nil {
			return false
		}
		sent++
		return true
	})
	if sendErr != nil {
		return sent, StatusUnableToProcess, "association ended while responding: " + sendErr.Error()
	}
	status, note := StatusSuccess, ""
	switch {
	case canceled || (cc != nil && cc.Canceled()):
		status, note = StatusCanceled, "canceled by C-CANCEL-RQ"
	case err != nil:
		status, note = StatusUnableToProcess, err.Error()
		s.log.Error("C-FIND failed", "err", err)
	}
	c := dimse.NewResponse(req.Command, dimse.CFindRSP, status)
	if status == StatusUnableToProcess {
		c.SetString(dimse.TagErrorComment, truncate(note, 64))
	}
	if err := rsp.Respond(c, nil); err != nil {
		note += "; final response not sent: " + err.Error()
	}
	return sent, status, note
}

// search calls emit for each matching entity at the query level, in UID
// order, until emit returns false.
func (s *Service) search(q *query, emit func(*entity) bool) error {
	studies, err := s.st.Studies()
	if err != nil {
		return err
	}
	groups := groupPatients(studies)
	for _, g := range groups {
		sort.Slice(g.studies, func(i, j int) bool { return g.studies[i].StudyInstanceUID < g.studies[j].StudyInstanceUID })
		prep, err := s.studyRep(g.newest())
		if err != nil {
			s.log.Warn("C-FIND: patient skipped", "patient", g.id, "err", err)
			continue
		}
		pe := &entity{level: LevelPatient, patientID: g.id, patient: g, study: g.newest(), reps: map[Level]*store.InstanceRecord{LevelPatient: prep}}
		if q.model == PatientRoot {
			if ok, err := s.matches(q, pe, LevelPatient); err != nil || !ok {
				continue
			}
			if q.level == LevelPatient {
				if !emit(pe) {
					return nil
				}
				continue
			}
		}
		for i := range g.studies {
			st := &g.studies[i]
			if q.studyUIDs != nil && !q.studyUIDs([]string{st.StudyInstanceUID}) {
				continue
			}
			srep, err := s.studyRep(st)
			if err != nil {
				s.log.Warn("C-FIND: study skipped", "study", st.StudyInstanceUID, "err", err)
				continue
			}
			se := &entity{level: LevelStudy, patientID: g.id, patient: g, study: st, reps: map[Level]*store.InstanceRecord{LevelPatient: prep, LevelStudy: srep}}
			if ok, err := s.matches(q, se, LevelStudy); err != nil || !ok {
				continue
			}
			if q.level == LevelStudy {
				if !emit(se) {
					return nil
				}
				continue
			}
			seriesList, err := s.st.SeriesOfStudy(st.StudyInstanceUID)
			if err != nil {
				return err
			}
			for j := range seriesList {
				sr := &seriesList[j]
				insts, err := s.st.InstancesOfSeries(st.StudyInstanceUID, sr.SeriesInstanceUID)
				if err != nil {
					return err
				}
				if len(insts) == 0 {
					continue
				}
				re := &entity{level: LevelSeries, patientID: g.id, patient: g, study: st, series: sr,
					reps: map[Level]*store.InstanceRecord{LevelPatient: prep, LevelStudy: srep, LevelSeries: &insts[0]}}
				if ok, err := s.matches(q, re, LevelSeries); err != nil || !ok {
					continue
				}
				if q.level == LevelSeries {
					if !emit(re) {
						return nil
					}
					continue
				}
				for k := range insts {
					ie := &entity{level: LevelImage, patientID: g.id, patient: g, study: st, series: sr, instance: &insts[k],
						reps: map[Level]*store.InstanceRecord{LevelPatient: prep, LevelStudy: srep, LevelSeries: &insts[0], LevelImage: &insts[k]}}
					if ok, err := s.matches(q, ie, LevelImage); err != nil || !ok {
						continue
					}
					if !emit(ie) {
						return nil
					}
				}
			}
		}
	}
	return nil
}

// studyRep returns the instance that represents a study: the first
// instance of its first series.
func (s *Service) studyRep(st *store.StudyRecord) (*store.InstanceRecord, error) {
	series, err := s.st.SeriesOfStudy(st.StudyInstanceUID)
	if err != nil {
		return nil, err
	}
	for _, se := range series {
		insts, err := s.st.InstancesOfSeries(st.StudyInstanceUID, se.SeriesInstanceUID)
		if err != nil {
			return nil, err
		}
		if len(insts) > 0 {
			return &insts[0], nil
		}
	}
	return nil, fmt.Errorf("study %s has no instance", st.StudyInstanceUID)
}

// matches applies the keys of level l to e. A key of a level above the
// query level is checked at its own level (keys of the patient level of
// the Patient Root model at the patient entity, in Study Root at the
// study).
func (s *Service) matches(q *query, e *entity, l Level) (bool, error) {
	for _, k := range q.keys {
		if k.universal || k.below || k.match == nil || k.level != l {
			continue
		}
		a, ok, err := s.value(q, e, k)
		if err != nil {
			s.log.Warn("C-FIND: entity skipped", "err", err)
			return false, err
		}
		if !ok || !k.match(a.values) {
			return false, nil
		}
	}
	return true, nil
}

// value returns the value of k for e.
func (s *Service) value(q *query, e *entity, k *key) (attr, bool, error) {
	switch k.tag {
	case TagPatientRelatedStudies, TagPatientRelatedSeries, TagPatientRelatedInsts:
		st, se, in := e.patient.counts()
		n := map[Tag]int{TagPatientRelatedStudies: st, TagPatientRelatedSeries: se, TagPatientRelatedInsts: in}[k.tag]
		return attr{vr: "IS", values: formatInt(n)}, true, nil
	case TagStudyRelatedSeries:
		return attr{vr: "IS", values: formatInt(e.study.Series)}, true, nil
	case TagStudyRelatedInsts:
		return attr{vr: "IS", values: formatInt(e.study.Instances)}, true, nil
	case TagModalitiesInStudy:
		m := append([]string(nil), e.study.Modalities...)
		sort.Strings(m)
		return attr{vr: "CS", values: m}, len(m) > 0, nil
	case TagSOPClassesInStudy:
		insts, err := s.st.InstancesOfStudy(e.study.StudyInstanceUID)
		if err != nil {
			return attr{}, false, err
		}
		set := map[string]bool{}
		var classes []string
		for _, in := range insts {
			if !set[in.SOPClassUID] {
				set[in.SOPClassUID] = true
				classes = append(classes, in.SOPClassUID)
			}
		}
		sort.Strings(classes)
		return attr{vr: "UI", values: classes}, true, nil
	case TagSeriesRelatedInsts:
		if e.series == nil {
			return attr{}, false, nil
		}
		return attr{vr: "IS", values: formatInt(e.series.Instances)}, true, nil
	case TagInstanceAvailability:
		return attr{vr: "CS", values: []string{"ONLINE"}}, true, nil
	case TagRetrieveAETitle:
		if s.cfg.RetrieveAETitle == "" {
			return attr{vr: "AE"}, false, nil
		}
		return attr{vr: "AE", values: []string{s.cfg.RetrieveAETitle}}, true, nil
	case TagQueryRetrieveLevel:
		return attr{vr: "CS", values: []string{q.level.String()}}, true, nil
	}
	rep := e.reps[k.level]
	if rep == nil {
		return attr{}, false, nil
	}
	h, err := s.headers.get(s.st.Dir(), rep)
	if err != nil {
		return attr{}, false, err
	}
	a, ok := headerAttr(h, k.tag)
	return a, ok, nil
}

// response builds the identifier of one pending response: the request's
// keys with the entity's values, the Query/Retrieve Level, Retrieve AE Title
// when the node retrieves, and Specific Character Set when a value needs
// one. Values are encoded in the request's character set when they fit,
// otherwise in ISO_IR 192.
func (s *Service) response(q *query, e *entity) (*DataSet, error) {
	type val struct {
		k *key
		a attr
		// present is false for an empty value.
		present bool
	}
	var vals []val
	for _, k := range q.keys {
		if k.below {
			vals = append(vals, val{k: k})
			continue
		}
		a, ok, err := s.value(q, e, k)
		if err != nil {
			return nil, err
		}
		vals = append(vals, val{k: k, a: a, present: ok})
	}
	retrieve := s.cfg.RetrieveAETitle != ""

	encodeWith := func(cs *Charset) (*DataSet, bool, bool) {
		out := &DataSet{}
		nonASCII := false
		for _, v := range vals {
			vr := v.k.vr
			if v.present && v.a.vr != "" && v.a.vr != "UN" && v.a.vr != "SQ" {
				vr = v.a.vr
			}
			el := &Element{Tag: v.k.tag, VR: vr}
			switch {
			case v.k.vr == "SQ" || v.a.seq:
				el.VR = "SQ"
			case !v.present:
			case v.a.raw != nil:
				el.Value = v.a.raw
			default:
				text := strings.Join(v.a.values, `\`)
				b, ok := cs.Encode(vr, text)
				if !ok {
					return nil, false, false
				}
				if !isASCII(b) {
					nonASCII = true
				}
				el.Value = b
			}
			out.Put(el)
		}
		return out, true, nonASCII
	}
	cs := q.cs
	out, ok, nonASCII := encodeWith(cs)
	if !ok {
		cs = utf8Charset
		out, _, nonASCII = encodeWith(cs)
	}
	out.Put(&Element{Tag: TagQueryRetrieveLevel, VR: "CS", Value: []byte(q.level.String())})
	if retrieve {
		out.Put(&Element{Tag: TagRetrieveAETitle, VR: "AE", Value: []byte(s.cfg.RetrieveAETitle)})
	}
	if (nonASCII || len(q.cs.Terms) > 0) && cs.Value() != "" {
		out.Put(&Element{Tag: TagSpecificCharacterSet, VR: "CS", Value: []byte(cs.Value())})
	}
	return out, nil
}

// audit writes the query to the audit log.
func (s *Service) audit(req *scp.Request, q *query, status uint16, matches int, note string) {
	if s.cfg.Audit == nil {
		return
	}
	var b strings.Builder
	if q != nil {
		fmt.Fprintf(&b, "%v level", q.level)
		for _, k := range q.keys {
			fmt.Fprintf(&b, "; %s=%q", k.tag.Keyword(), k.text)
		}
		fmt.Fprintf(&b, "; %d matches", matches)
	}
	if note != "" {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(note)
	}
	outcome := audit.Success
	switch {
	case status == StatusCanceled:
		outcome = audit.Success
	case status != StatusSuccess:
		outcome = audit.MinorFailure
	}
	s.cfg.Audit(audit.Event{
		Type: AuditQuery, Outcome: outcome,
		Association: req.Association.ID, CallingAE: req.Association.CallingAE, CalledAE: req.Association.CalledAE,
		PeerAddr: req.Association.PeerAddr, SOPClassUID: req.AbstractSyntax,
		Status: fmt.Sprintf("%04X", status), Detail: b.String(),
	})
}
