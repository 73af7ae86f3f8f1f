package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mdm2node/mdm2node/store"
)

// studyWithState is a study of `mdm2node studies -json` with its readiness.
type studyWithState struct {
	store.StudyListing
	State *store.StudyStatus `json:"state,omitempty"`
}

// readStudyStates returns the readiness of each study by Study Instance
// UID: from the index, or from the running tracker's snapshot when
// fromSnapshot is true (the server holds the index) or the index is locked.
// A data folder the tracker never ran on has no states.
func readStudyStates(dir string, fromSnapshot bool, wait time.Duration) (map[string]store.StudyStatus, error) {
	var list []store.StudyStatus
	if !fromSnapshot {
		ix, err := store.OpenIndexReadOnly(dir, wait)
		switch {
		case errors.Is(err, store.ErrLocked):
			fromSnapshot = true
		case err != nil:
			return nil, err
		default:
			list, err = ix.StudyStatuses()
			ix.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	if fromSnapshot {
		snap, err := store.ReadStatesSnapshot(dir)
		if errors.Is(err, os.ErrNotExist) {
			return map[string]store.StudyStatus{}, nil
		}
		if err != nil {
			return nil, err
		}
		list = snap.States
	}
	m := make(map[string]store.StudyStatus, len(list))
	for _, s := range list {
		m[s.StudyInstanceUID] = s
	}
	return m, nil
}

// printStudyStates prints, after the listing of printStudies, each study's
// state, version and reason, and the series and region of each role:
//
//	STUDY 1.2.3  ready  version 1  since 2026-01-02 10:00:00
//	  reason  every role has a series and a region; queued
//	  ct      series 1.2.4  region 1.2.5 "Tumour"  <why this series>
//	  t1wi    series -      region -               missing: <what is missing>
func printStudyStates(w io.Writer, listing []store.StudyListing, states map[string]store.StudyStatus) error {
	if len(listing) == 0 {
		return nil
	}
	for _, st := range listing {
		fmt.Fprintln(w)
		s, ok := states[st.StudyInstanceUID]
		if !ok {
			fmt.Fprintf(w, "STUDY %s  not evaluated yet\n", st.StudyInstanceUID)
			continue
		}
		fmt.Fprintf(w, "STUDY %s  %s  version %d  since %s\n", st.StudyInstanceUID, s.State, s.Version,
			s.Since.Local().Format(time.DateTime))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  reason\t%s\n", oneLine(s.Reason))
		for _, r := range s.Roles {
			series := orDash(r.SeriesUID)
			if r.Assigned {
				series += " (assigned)"
			}
			region := "-"
			if r.RegionSOPInstanceUID != "" {
				region = r.RegionSOPInstanceUID
				if r.RegionLabel != "" {
					region += fmt.Sprintf(" %q", r.RegionLabel)
				}
			}
			note := r.SeriesReason
			if r.Missing != "" {
				note = "missing: " + r.Missing
			}
			fmt.Fprintf(tw, "  %s\tseries %s\tregion %s\t%s\n", r.Role, series, region, oneLine(note))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// encodeStudiesWithStates writes the -json form: each study with its series
// and its state.
func encodeStudiesWithStates(w io.Writer, listing []store.StudyListing, states map[string]store.StudyStatus) error {
	out := make([]studyWithState, 0, len(listing))
	for _, st := range listing {
		v := studyWithState{StudyListing: st}
		if s, ok := states[st.StudyInstanceUID]; ok {
			s := s
			v.State = &s
		}
		out = append(out, v)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
