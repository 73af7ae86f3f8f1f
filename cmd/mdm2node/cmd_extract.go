package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/mdm2node/mdm2node/series/volume"
)

func init() {
	register("extract", "compute features of one region: extract (-image FILE -mask FILE | -series DIR -region FILE) [-params FILE] [-features radiomics,deep] [-format json|csv]", runExtract)
}

func runExtract(args []string) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	image := fs.String("image", "", "image `file` (.nrrd, .nii or .nii.gz)")
	maskPath := fs.String("mask", "", "mask `file` on the same grid as the image (.nrrd, .nii or .nii.gz)")
	seriesDir := fs.String("series", "", "DICOM series `folder` (instead of -image): every file of one image series")
	regionFile := fs.String("region", "", "DICOM SEG or RT Structure Set `file` of the region on the -series images (instead of -mask); the segment or ROI is chosen by series.region_labels")
	params := fs.String("params", "", "PyRadiomics-style YAML parameter `file`; default: Original and Wavelet images, all classes (851 features)")
	features := fs.String("features", "radiomics", "comma-separated feature `sets` to compute")
	format := fs.String("format", "json", "output format: json (one object of feature name to value) or csv (a header row and a value row)")
	label := fs.Int("label", 0, "mask `value` of the region; 0 takes setting.label from -params, else 1")
	modality := fs.String("modality", "", "modality of the image (CT or MR) for feature sets that use it")
	config := fs.String("config", "", "node configuration `file`, for feature sets that read it")
	out := fs.String("o", "", "output `file` (default standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fileInput := *image != "" || *maskPath != ""
	dicomInput := *seriesDir != "" || *regionFile != ""
	switch {
	case fileInput && dicomInput:
		return errors.New("give either -image and -mask, or -series and -region, not both")
	case dicomInput && (*seriesDir == "" || *regionFile == ""):
		return errors.New("both -series and -region are required")
	case !dicomInput && (*image == "" || *maskPath == ""):
		return errors.New("both -image and -mask are required (or -series and -region for DICOM input)")
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("invalid -format %q: use json or csv", *format)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	// 1. Look up every requested feature set before doing any work.
	var sets []featureSet
	for _, name := range strings.Split(*features, ",") {
		name = strings.TrimSpace(name)
		set, ok := featureSets[name]
		if !ok {
			return fmt.Errorf("unknown feature set %q (available: %s)", name, strings.Join(featureSetNames(), ", "))
		}
		sets = append(sets, set)
	}

	// 2. Read image and mask: a DICOM series and its region, or files.
	if dicomInput {
		img, mask, mod, err := readDICOMInput(*seriesDir, *regionFile, *config)
		if err != nil {
			return err
		}
		if *modality == "" {
			*modality = mod
		}
		return computeAndWrite(sets, extractInput{Image: img, Mask: mask, Modality: *modality, ConfigPath: *config, ParamsPath: *params}, *format, *out)
	}
	lab := *label
	if lab == 0 {
		lab = 1
		if *params != "" {
			p, err := loadRadiomicsParams(*params)
			if err != nil {
				return err
			}
			lab = p.Setting.Label
		}
	}
	img, err := readImageFile(*image)
	if err != nil {
		return err
	}
	mask, err := readMaskFile(*maskPath, lab)
	if err != nil {
		return err
	}

	return computeAndWrite(sets, extractInput{Image: img, Mask: mask, Modality: *modality, ConfigPath: *config, ParamsPath: *params}, *format, *out)
}

// computeAndWrite runs every feature set on in, joins their rows and writes
// them in format (json or csv) to the file out, or to standard output when
// out is empty.
func computeAndWrite(sets []featureSet, in extractInput, format, out string) error {
	// 1. Compute and join the rows.
	var names []string
	var values []float64
	for _, set := range sets {
		n, v, err := set(in)
		if err != nil {
			return err
		}
		names = append(names, n...)
		values = append(values, v...)
	}

	// 2. Write.
	w := io.Writer(os.Stdout)
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	var err error
	if format == "json" {
		err = writeFeaturesJSON(bw, names, values)
	} else {
		err = writeFeaturesCSV(bw, names, values)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func featureSetNames() []string {
	var n []string
	for k := range featureSets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// readImageFile reads a NRRD or NIfTI-1 image, chosen by the file name.
func readImageFile(path string) (*volume.Volume, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var v *volume.Volume
	switch {
	case strings.HasSuffix(path, ".nrrd"):
		v, err = volume.ReadNRRD(bufio.NewReader(f))
	case strings.HasSuffix(path, ".nii"), strings.HasSuffix(path, ".nii.gz"):
		v, err = volume.ReadNIfTI(bufio.NewReader(f))
	default:
		return nil, fmt.Errorf("%s: unknown image format; use .nrrd, .nii or .nii.gz", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readMaskFile reads a NRRD or NIfTI-1 label map and keeps the voxels equal
// to label.
func readMaskFile(path string, label int) (*volume.Mask, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m *volume.Mask
	switch {
	case strings.HasSuffix(path, ".nrrd"):
		m, err = volume.ReadNRRDMask(bufio.NewReader(f), label)
	case strings.HasSuffix(path, ".nii"), strings.HasSuffix(path, ".nii.gz"):
		m, err = volume.ReadNIfTIMask(bufio.NewReader(f), label)
	default:
		return nil, fmt.Errorf("%s: unknown mask format; use .nrrd, .nii or .nii.gz", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// writeFeaturesJSON writes one JSON object of name to value in the given
// order; NaN and infinite values become null.
func writeFeaturesJSON(w io.Writer, names []string, values []float64) error {
	if _, err := io.WriteString(w, "{\n"); err != nil {
		return err
	}
	for i, n := range names {
		key, _ := json.Marshal(n)
		val := "null"
		if v := values[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			val = strconv.FormatFloat(v, 'g', -1, 64)
		}
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		if _, err := fmt.Fprintf(w, "  %s: %s%s\n", key, val, sep); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}\n")
	return err
}

// writeFeaturesCSV writes a header row of names and one row of values.
func writeFeaturesCSV(w io.Writer, names []string, values []float64) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(values))
	for i, v := range values {
		row[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
