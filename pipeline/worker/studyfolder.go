package worker

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mdm2node/mdm2node/pipeline"
	"github.com/mdm2node/mdm2node/series"
)

// SOP classes of region objects (PS3.4 Annex B.5).
const (
	segmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4"
	rtStructureSetStore = "1.2.840.10008.5.1.4.1.1.481.3"
)

// StudyRoles finds the role inputs of a study kept as files under dir, as
// the node's tracker does for a stored study. It groups the DICOM files by
// series and chooses a series for each role with rules. It then pairs each
// chosen series with the SEG or RTSTRUCT file that references it, the first
// by path when several do. Files that are not DICOM, such as a manifest, are
// skipped. The error wraps ErrRole and names the role that could not be
// filled, with the rules' reason.
func StudyRoles(dir string, rules *series.Rules) ([]pipeline.RoleInput, error) {
	// 1. Group the files by series, regions apart.
	bySeries := map[string][]string{}
	infos := map[string]series.SeriesInfo{}
	var regions []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && path != dir {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		info, err := series.ReadSeriesInfo(path)
		if err != nil {
			return nil
		}
		if info.SOPClassUID == segmentationStorage || info.SOPClassUID == rtStructureSetStore {
			regions = append(regions, path)
			return nil
		}
		uid := info.SeriesInstanceUID
		if _, seen := infos[uid]; !seen {
			infos[uid] = info
		} else {
			i := infos[uid]
			i.Instances += info.Instances
			i.Frames += info.Frames
			infos[uid] = i
		}
		bySeries[uid] = append(bySeries[uid], path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCohort, dir, err)
	}
	candidates := make([]series.SeriesInfo, 0, len(infos))
	for _, info := range infos {
		candidates = append(candidates, info)
	}

	// 2. Which series each region file covers.
	covered := map[string][]string{}
	for _, r := range regions {
		refs, err := series.ReferencedSeries(r)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrRole, r, err)
		}
		for _, uid := range refs {
			covered[uid] = append(covered[uid], r)
		}
	}

	// 3. One series and one region per role.
	var out []pipeline.RoleInput
	for _, role := range roles {
		choice, ok := rules.Choose(series.Role(role), candidates)
		if !ok {
			return nil, fmt.Errorf("%w: %s: no series fits role %s: %s", ErrRole, dir, role, choice.Reason)
		}
		uid := choice.Series.SeriesInstanceUID
		regionFiles := covered[uid]
		if len(regionFiles) == 0 {
			return nil, fmt.Errorf("%w: %s: no SEG or RTSTRUCT references the %s series %s", ErrRole, dir, role, uid)
		}
		sort.Strings(regionFiles)
		files := append([]string(nil), bySeries[uid]...)
		sort.Strings(files)
		out = append(out, pipeline.RoleInput{
			Role: role, SeriesUID: uid, Files: files, RegionFile: regionFiles[0], Reason: choice.Reason,
		})
	}
	return out, nil
}
