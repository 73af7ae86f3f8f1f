package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/series"
	"github.com/mdm2node/mdm2node/series/volume"
)

// readDICOMInput assembles the image series in seriesDir (every regular file
// of the folder, not its sub-folders) and rasterises the region of
// regionFile, a DICOM SEG or RT Structure Set, on its grid. The segment or
// ROI is chosen by series.region_labels of the configuration at configPath,
// or of the defaults when configPath is empty. It returns the modality of
// the series too.
func readDICOMInput(seriesDir, regionFile, configPath string) (*volume.Volume, *volume.Mask, string, error) {
	cfg := config.Default()
	if configPath != "" {
		var err error
		if cfg, err = config.Load(configPath); err != nil {
			return nil, nil, "", err
		}
	}
	entries, err := os.ReadDir(seriesDir)
	if err != nil {
		return nil, nil, "", err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join(seriesDir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, nil, "", fmt.Errorf("no files in series folder %s", seriesDir)
	}
	sort.Strings(files)

	s, err := series.LoadSeries(files, cfg.Series.Volume)
	if err != nil {
		return nil, nil, "", fmt.Errorf("series %s: %w", seriesDir, err)
	}
	region, err := series.LoadMask(regionFile, s, cfg.Series.RegionLabels, cfg.Series.Volume)
	if err != nil {
		return nil, nil, "", fmt.Errorf("region %s: %w", regionFile, err)
	}
	return s.Volume, region.Mask, s.Info.Modality, nil
}
