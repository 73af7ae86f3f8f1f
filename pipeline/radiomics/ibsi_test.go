package radiomics

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/series/volume"
)

// ibsiFeature maps an IBSI feature tag (without its aggregation suffix) to
// a PyRadiomics class and feature. Offset is added to the computed value
// before the comparison, because PyRadiomics reports kurtosis as m4/m2^2 and
// the IBSI the excess kurtosis.
type ibsiFeature struct {
	class, name string
	offset      float64
}

// ibsiMap lists the IBSI features whose definition PyRadiomics shares,
// following PyRadiomics' featuresDict_IBSIv7.tsv and the IBSI reference
// manual (arXiv:1612.07003).
var ibsiMap = map[string]ibsiFeature{
	"morph_volume":         {"shape", "MeshVolume", 0},
	"morph_vol_approx":     {"shape", "VoxelVolume", 0},
	"morph_area_mesh":      {"shape", "SurfaceArea", 0},
	"morph_av":             {"shape", "SurfaceVolumeRatio", 0},
	"morph_comp_1":         {"shape", "Compactness1", 0},
	"morph_comp_2":         {"shape", "Compactness2", 0},
	"morph_sph_dispr":      {"shape", "SphericalDisproportion", 0},
	"morph_sphericity":     {"shape", "Sphericity", 0},
	"morph_diam":           {"shape", "Maximum3DDiameter", 0},
	"morph_pca_maj_axis":   {"shape", "MajorAxisLength", 0},
	"morph_pca_min_axis":   {"shape", "MinorAxisLength", 0},
	"morph_pca_least_axis": {"shape", "LeastAxisLength", 0},
	"morph_pca_elongation": {"shape", "Elongation", 0},
	"morph_pca_flatness":   {"shape", "Flatness", 0},

	"stat_mean": {"firstorder", "Mean", 0}, "stat_var": {"firstorder", "Variance", 0},
	"stat_skew": {"firstorder", "Skewness", 0}, "stat_kurt": {"firstorder", "Kurtosis", -3},
	"stat_median": {"firstorder", "Median", 0}, "stat_min": {"firstorder", "Minimum", 0},
	"stat_p10": {"firstorder", "10Percentile", 0}, "stat_p90": {"firstorder", "90Percentile", 0},
	"stat_max": {"firstorder", "Maximum", 0}, "stat_iqr": {"firstorder", "InterquartileRange", 0},
	"stat_range": {"firstorder", "Range", 0}, "stat_mad": {"firstorder", "MeanAbsoluteDeviation", 0},
	"stat_rmad": {"firstorder", "RobustMeanAbsoluteDeviation", 0}, "stat_energy": {"firstorder", "Energy", 0},
	"stat_rms":      {"firstorder", "RootMeanSquared", 0},
	"ih_entropy":    {"firstorder", "Entropy", 0},
	"ih_uniformity": {"firstorder", "Uniformity", 0},

	"cm_joint_max": {"glcm", "MaximumProbability", 0}, "cm_joint_avg": {"glcm", "JointAverage", 0},
	"cm_joint_var": {"glcm", "SumSquares", 0}, "cm_joint_entr": {"glcm", "JointEntropy", 0},
	"cm_diff_avg": {"glcm", "DifferenceAverage", 0}, "cm_diff_var": {"glcm", "DifferenceVariance", 0},
	"cm_diff_entr": {"glcm", "DifferenceEntropy", 0}, "cm_sum_avg": {"glcm", "SumAverage", 0},
	"cm_sum_var": {"glcm", "ClusterTendency", 0}, "cm_sum_entr": {"glcm", "SumEntropy", 0},
	"cm_energy": {"glcm", "JointEnergy", 0}, "cm_contrast": {"glcm", "Contrast", 0},
	"cm_dissimilarity": {"glcm", "DifferenceAverage", 0}, "cm_inv_diff": {"glcm", "Id", 0},
	"cm_inv_diff_norm": {"glcm", "Idn", 0}, "cm_inv_diff_mom": {"glcm", "Idm", 0},
	"cm_inv_diff_mom_norm": {"glcm", "Idmn", 0}, "cm_inv_var": {"glcm", "InverseVariance", 0},
	"cm_corr": {"glcm", "Correlation", 0}, "cm_auto_corr": {"glcm", "Autocorrelation", 0},
	"cm_clust_tend": {"glcm", "ClusterTendency", 0}, "cm_clust_shade": {"glcm", "ClusterShade", 0},
	"cm_clust_prom": {"glcm", "ClusterProminence", 0}, "cm_info_corr1": {"glcm", "Imc1", 0},
	"cm_info_corr2": {"glcm", "Imc2", 0},

	"rlm_sre": {"glrlm", "ShortRunEmphasis", 0}, "rlm_lre": {"glrlm", "LongRunEmphasis", 0},
	"rlm_lgre": {"glrlm", "LowGrayLevelRunEmphasis", 0}, "rlm_hgre": {"glrlm", "HighGrayLevelRunEmphasis", 0},
	"rlm_srlge": {"glrlm", "ShortRunLowGrayLevelEmphasis", 0}, "rlm_srhge": {"glrlm", "ShortRunHighGrayLevelEmphasis", 0},
	"rlm_lrlge": {"glrlm", "LongRunLowGrayLevelEmphasis", 0}, "rlm_lrhge": {"glrlm", "LongRunHighGrayLevelEmphasis", 0},
	"rlm_glnu": {"glrlm", "GrayLevelNonUniformity", 0}, "rlm_glnu_norm": {"glrlm", "GrayLevelNonUniformityNormalized", 0},
	"rlm_rlnu": {"glrlm", "RunLengthNonUniformity", 0}, "rlm_rlnu_norm": {"glrlm", "RunLengthNonUniformityNormalized", 0},
	"rlm_r_perc": {"glrlm", "RunPercentage", 0}, "rlm_gl_var": {"glrlm", "GrayLevelVariance", 0},
	"rlm_rl_var": {"glrlm", "RunVariance", 0}, "rlm_rl_entr": {"glrlm", "RunEntropy", 0},

	"szm_sze": {"glszm", "SmallAreaEmphasis", 0}, "szm_lze": {"glszm", "LargeAreaEmphasis", 0},
	"szm_lgze": {"glszm", "LowGrayLevelZoneEmphasis", 0}, "szm_hgze": {"glszm", "HighGrayLevelZoneEmphasis", 0},
	"szm_szlge": {"glszm", "SmallAreaLowGrayLevelEmphasis", 0}, "szm_szhge": {"glszm", "SmallAreaHighGrayLevelEmphasis", 0},
	"szm_lzlge": {"glszm", "LargeAreaLowGrayLevelEmphasis", 0}, "szm_lzhge": {"glszm", "LargeAreaHighGrayLevelEmphasis", 0},
	"szm_glnu": {"glszm", "GrayLevelNonUniformity", 0}, "szm_glnu_norm": {"glszm", "GrayLevelNonUniformityNormalized", 0},
	"szm_zsnu": {"glszm", "SizeZoneNonUniformity", 0}, "szm_zsnu_norm": {"glszm", "SizeZoneNonUniformityNormalized", 0},
	"szm_z_perc": {"glszm", "ZonePercentage", 0}, "szm_gl_var": {"glszm", "GrayLevelVariance", 0},
	"szm_zs_var": {"glszm", "ZoneVariance", 0}, "szm_zs_entr": {"glszm", "ZoneEntropy", 0},

	"ngt_coarseness": {"ngtdm", "Coarseness", 0}, "ngt_contrast": {"ngtdm", "Contrast", 0},
	"ngt_busyness": {"ngtdm", "Busyness", 0}, "ngt_complexity": {"ngtdm", "Complexity", 0},
	"ngt_strength": {"ngtdm", "Strength", 0},

	"ngl_lde": {"gldm", "SmallDependenceEmphasis", 0}, "ngl_hde": {"gldm", "LargeDependenceEmphasis", 0},
	"ngl_lgce": {"gldm", "LowGrayLevelEmphasis", 0}, "ngl_hgce": {"gldm", "HighGrayLevelEmphasis", 0},
	"ngl_ldlge": {"gldm", "SmallDependenceLowGrayLevelEmphasis", 0}, "ngl_ldhge": {"gldm", "SmallDependenceHighGrayLevelEmphasis", 0},
	"ngl_hdlge": {"gldm", "LargeDependenceLowGrayLevelEmphasis", 0}, "ngl_hdhge": {"gldm", "LargeDependenceHighGrayLevelEmphasis", 0},
	"ngl_glnu": {"gldm", "GrayLevelNonUniformity", 0}, "ngl_glnu_norm": {"gldm", "GrayLevelNonUniformityNormalized", 0},
	"ngl_dcnu": {"gldm", "DependenceNonUniformity", 0}, "ngl_dcnu_norm": {"gldm", "DependenceNonUniformityNormalized", 0},
	"ngl_dc_perc": {"gldm", "DependencePercentage", 0}, "ngl_gl_var": {"gldm", "GrayLevelVariance", 0},
	"ngl_dc_var": {"gldm", "DependenceVariance", 0}, "ngl_dc_entr": {"gldm", "DependenceEntropy", 0},
}

// ibsiAggregations maps the tag suffixes PyRadiomics can reproduce to the
// settings that produce them. Per-slice "2D" aggregations have no
// PyRadiomics counterpart.
var ibsiAggregations = map[string]func(s *Settings){
	"":          func(s *Settings) {},
	"_3D_avg":   func(s *Settings) {},
	"_3D_comb":  func(s *Settings) { s.WeightingNorm = "no_weighting" },
	"_3D":       func(s *Settings) {},
	"_2_5D_avg": func(s *Settings) { s.Force2D = true },
	"_2_5D_comb": func(s *Settings) {
		s.Force2D = true
		s.WeightingNorm = "no_weighting"
	},
	"_2_5D": func(s *Settings) { s.Force2D = true },
}

// ibsiRow is one reference value.
type ibsiRow struct {
	tag       string
	value     float64
	tolerance float64
}

func readIBSI(t *testing.T, set string) []ibsiRow {
	t.Helper()
	f, err := os.Open(testutil.SharedPath(t, "reference/radiomics/ibsi/reference_values/ibsi1_reference_values_"+set+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []ibsiRow
	for _, r := range rows[1:] {
		if r[6] == "" {
			continue
		}
		v, err1 := strconv.ParseFloat(r[6], 64)
		tol, err2 := strconv.ParseFloat(r[7], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: bad number", r)
		}
		out = append(out, ibsiRow{tag: r[4], value: v, tolerance: tol})
	}
	return out
}

// ibsiMatch applies the IBSI workbook's rule: the difference is truncated
// toward zero at the decimal position of the reference's third significant
// digit (at the units when the reference is 0) and must not exceed the
// tolerance.
func ibsiMatch(got, ref, tol float64) bool {
	unit := 1.0
	if ref != 0 {
		unit = math.Pow(10, math.Floor(math.Log10(math.Abs(ref)))-2)
	}
	d := math.Trunc((ref-got)/unit*(1+1e-12)) * unit
	return math.Abs(d) <= tol*(1+1e-9)
}

// splitTag returns the base tag and the aggregation suffix of a tag.
func splitTag(tag string) (string, string) {
	for _, suf := range []string{"_2_5D_avg", "_2_5D_comb", "_2D_avg", "_2D_comb", "_3D_avg", "_3D_comb", "_2_5D", "_2D", "_3D"} {
		if strings.HasSuffix(tag, suf) {
			return strings.TrimSuffix(tag, suf), suf
		}
	}
	return tag, ""
}

// checkIBSI extracts every mapped feature in each aggregation and compares
// it with the reference rows; known lists tags that differ by definition
// (documented in docs/RADIOMICS.md) and are reported but not failed.
//
// With known == nil every mismatch is only logged and the number of matches
// is returned for the caller to judge.
func checkIBSI(t *testing.T, img *volume.Volume, mask *volume.Mask, base Settings, rows []ibsiRow, known map[string]string) (matched, compared int) {
	results := map[string]*Result{}
	for _, r := range rows {
		baseTag, suf := splitTag(r.tag)
		m, ok := ibsiMap[baseTag]
		if !ok {
			continue
		}
		set, ok := ibsiAggregations[suf]
		if !ok {
			continue
		}
		res, ok := results[suf]
		if !ok {
			p := Params{Setting: base, ImageType: map[string]ImageType{"Original": {}}, FeatureClass: map[string][]string{}}
			set(&p.Setting)
			for _, f := range ibsiMap {
				p.FeatureClass[f.class] = append(p.FeatureClass[f.class], f.name)
			}
			for c, names := range p.FeatureClass {
				p.FeatureClass[c] = dedupe(names)
			}
			var err error
			res, err = Extract(context.Background(), img, mask, p)
			if err != nil {
				t.Fatalf("aggregation %q: %v", suf, err)
			}
			results[suf] = res
		}
		got, ok := res.Value("original_" + m.class + "_" + m.name)
		if !ok {
			t.Fatalf("%s: feature %s_%s not computed", r.tag, m.class, m.name)
		}
		got += m.offset
		compared++
		if ibsiMatch(got, r.value, r.tolerance) {
			matched++
			continue
		}
		if known == nil {
			t.Logf("%s (%s_%s) = %.5g, reference %.4g +- %g", r.tag, m.class, m.name, got, r.value, r.tolerance)
			continue
		}
		if reason, ok := known[r.tag]; ok {
			t.Logf("%s: %.4g, reference %.4g +- %g (known difference: %s)", r.tag, got, r.value, r.tolerance, reason)
			continue
		}
		t.Errorf("%s (%s_%s) = %.5g, reference %.4g +- %g", r.tag, m.class, m.name, got, r.value, r.tolerance)
	}
	t.Logf("%d of %d compared features match", matched, compared)
	return matched, compared
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func readNIfTIPair(t *testing.T, dir string) (*volume.Volume, *volume.Mask) {
	t.Helper()
	fi, err := os.Open(testutil.SharedPath(t, dir+"/image/phantom.nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer fi.Close()
	img, err := volume.ReadNIfTI(fi)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := os.Open(testutil.SharedPath(t, dir+"/mask/mask.nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer fm.Close()
	mask, err := volume.ReadNIfTIMask(fm, 1)
	if err != nil {
		t.Fatal(err)
	}
	return img, mask
}

func TestIBSIDigitalPhantom(t *testing.T) {
	img, mask := readNIfTIPair(t, "reference/radiomics/ibsi/digital_phantom/nifti")
	s := DefaultSettings()
	s.BinWidth = 1
	s.MinimumROIDimensions = 1
	checkIBSI(t, img, mask, s, readIBSI(t, "digital_phantom"), digitalPhantomKnown)
}

// digitalPhantomKnown lists the digital-phantom features where PyRadiomics'
// definition differs from the IBSI's.
var digitalPhantomKnown = map[string]string{
	"morph_pca_least_axis": "PyRadiomics divides the covariance by N, the IBSI values match N-1 (74 voxels: a factor sqrt(74/73))",
}

// ctPhantom reads the IBSI CT phantom with the image rounded to integers,
// which the IBSI requires for its reference sets.
func ctPhantom(t *testing.T) (*volume.Volume, *volume.Mask) {
	img, mask := readNIfTIPair(t, "reference/radiomics/ibsi/ct_radiomics_phantom/nifti")
	r := *img
	r.Data = make([]float32, len(img.Data))
	for i, v := range img.Data {
		r.Data[i] = float32(math.RoundToEven(float64(v)))
	}
	return &r, mask
}

func TestIBSICTPhantomConfigA(t *testing.T) {
	if testing.Short() {
		t.Skip("CT phantom comparison skipped in -short mode")
	}
	img, mask := ctPhantom(t)
	s := DefaultSettings()
	s.ResegmentRange = []float64{-500, 400}
	s.BinWidth = 25
	checkIBSI(t, img, mask, s, readIBSI(t, "config_A"), configAKnown)
}

// configAKnown lists the configuration A features where PyRadiomics'
// definition differs from the IBSI's.
var configAKnown = map[string]string{}
