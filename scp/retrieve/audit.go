package retrieve

import (
	"sort"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/store"
)

// Record describes one finished C-MOVE or C-GET, for the audit log.
type Record struct {
	// Operation is "C-MOVE" or "C-GET".
	Operation   string
	Association scp.AssociationInfo
	// Destination is the Move Destination AE title; empty for C-GET.
	Destination string
	// Status is the status of the final response.
	Status                      uint16
	Completed, Failed, Warnings int
	// Studies lists the studies of the matched instances, sorted by UID,
	// with the number of matched instances of each.
	Studies []StudyCount
	// Comment is the Error Comment of a failure, empty otherwise.
	Comment string
}

// StudyCount is the number of matched instances of one study.
type StudyCount struct {
	StudyInstanceUID string
	Instances        int
}

// auditor collects what a Record needs while a retrieve runs.
type auditor struct {
	emit        func(Record)
	operation   string
	destination string
	studies     []StudyCount
}

// matched records the studies of the matched instances.
func (a *auditor) matched(recs []store.InstanceRecord) {
	index := map[string]int{}
	for _, r := range recs {
		i, ok := index[r.StudyInstanceUID]
		if !ok {
			i = len(a.studies)
			index[r.StudyInstanceUID] = i
			a.studies = append(a.studies, StudyCount{StudyInstanceUID: r.StudyInstanceUID})
		}
		a.studies[i].Instances++
	}
	sort.Slice(a.studies, func(i, j int) bool { return a.studies[i].StudyInstanceUID < a.studies[j].StudyInstanceUID })
}

// done emits the Record of a retrieve that ended with status; c is nil for
// a failure before any sub-operation.
func (a *auditor) done(o *retrieveOp, status uint16, c *counts, comment string) {
	if a == nil || a.emit == nil {
		return
	}
	rec := Record{
		Operation:   a.operation,
		Association: o.req.Association,
		Destination: a.destination,
		Status:      status,
		Studies:     a.studies,
		Comment:     comment,
	}
	if c != nil {
		rec.Completed, rec.Failed, rec.Warnings = c.completed, c.failed, c.warning
	}
	a.emit(rec)
}
