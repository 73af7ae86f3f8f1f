package config

import (
	"fmt"
	"regexp"
	"time"
)

// Series is the series section: the rules that recognise the three series
// roles of a study, the label patterns that pick the tumour region, and the
// tolerances of volume assembly.
type Series struct {
	// Roles holds one rule per series role.
	Roles SeriesRoles `yaml:"roles"`
	// FatSuppression lists the header evidence of fat suppression.
	FatSuppression FatSuppressionEvidence `yaml:"fat_suppression"`
	// Contrast lists the header evidence of contrast enhancement.
	Contrast ContrastEvidence `yaml:"contrast"`
	// RegionLabels are regular expressions matched against SEG Segment
	// Label and RTSTRUCT ROI Name; the first pattern that matches exactly one
	// region picks it.
	RegionLabels []string `yaml:"region_labels"`
	// Volume holds the tolerances of volume assembly.
	Volume VolumeTolerances `yaml:"volume"`
	// Readiness holds the timers of the study tracker.
	Readiness Readiness `yaml:"readiness"`
}

// Readiness holds the timers that decide when a study is complete.
type Readiness struct {
	// QuietPeriod is how long no instance of a study may arrive before the
	// study is evaluated and, when complete, queued.
	QuietPeriod time.Duration `yaml:"quiet_period"`
	// MaxWait is how long after its first instance a study may stay
	// incomplete before it is marked incomplete with what is missing.
	MaxWait time.Duration `yaml:"max_wait"`
}

// SeriesRoles holds the rule of each role.
type SeriesRoles struct {
	CT   RoleRule `yaml:"ct"`
	T1WI RoleRule `yaml:"t1wi"`
	T2FS RoleRule `yaml:"t2fs"`
}

// RoleRule decides whether a series can fill a role and scores it.
type RoleRule struct {
	// Modality is the required Modality (0008,0060).
	Modality string `yaml:"modality"`
	// ExcludeImageTypes rejects a series when any value of Image Type
	// (0008,0008) is in the list.
	ExcludeImageTypes []string `yaml:"exclude_image_types"`
	// AxialToleranceDeg is the largest angle in degrees between the image
	// plane normal and the patient's head-foot axis.
	AxialToleranceDeg float64 `yaml:"axial_tolerance_deg"`
	// ExcludePatterns reject a series whose Series Description or Protocol
	// Name matches any of them.
	ExcludePatterns []string `yaml:"exclude_patterns"`
	// WeightingPatterns are matched against Series Description and Protocol
	// Name. A match adds to the score, and is required when Repetition Time
	// or Echo Time is absent.
	WeightingPatterns []string `yaml:"weighting_patterns"`
	// ExcludeScanningSequences rejects a series when any value of Scanning
	// Sequence (0018,0020) is in the list.
	ExcludeScanningSequences []string `yaml:"exclude_scanning_sequences"`
	// RepetitionTimeMs and EchoTimeMs bound Repetition Time (0018,0080) and
	// Echo Time (0018,0081) in milliseconds when the series has them.
	RepetitionTimeMs Range `yaml:"repetition_time_ms"`
	EchoTimeMs       Range `yaml:"echo_time_ms"`
	// FatSuppressed is required, forbidden or any.
	FatSuppressed string `yaml:"fat_suppressed"`
	// Contrast is required, forbidden or any.
	Contrast string `yaml:"contrast"`
}

// Range is a closed interval; Max 0 means no upper bound.
type Range struct {
	Min float64 `yaml:"min"`
	Max float64 `yaml:"max"`
}

// FatSuppressionEvidence lists what marks a series as fat-suppressed.
type FatSuppressionEvidence struct {
	// ScanOptions are values of Scan Options (0018,0022).
	ScanOptions []string `yaml:"scan_options"`
	// Patterns are matched against Series Description, Protocol Name and
	// Sequence Name.
	Patterns []string `yaml:"patterns"`
	// STIRMaxInversionTimeMs: an inversion recovery series (Scanning Sequence
	// IR) with Inversion Time up to this value is a STIR, so fat-suppressed.
	STIRMaxInversionTimeMs float64 `yaml:"stir_max_inversion_time_ms"`
}

// ContrastEvidence lists what marks a series as contrast-enhanced.
type ContrastEvidence struct {
	// Patterns are matched against Series Description and Protocol Name.
	Patterns []string `yaml:"patterns"`
	// NoAgentValues are Contrast/Bolus Agent (0018,0010) values that mean no
	// agent was given, compared without case.
	NoAgentValues []string `yaml:"no_agent_values"`
}

// VolumeTolerances are the tolerances of volume assembly.
type VolumeTolerances struct {
	// SpacingToleranceMm is the largest deviation in millimetres of one
	// slice gap from the median gap.
	SpacingToleranceMm float64 `yaml:"spacing_tolerance_mm"`
	// OrientationTolerance is the largest difference of direction cosines
	// between slices, and between the slice stacking direction and the
	// plane normal.
	OrientationTolerance float64 `yaml:"orientation_tolerance"`
}

// Requirement values of RoleRule.FatSuppressed and RoleRule.Contrast.
const (
	Required  = "required"
	Forbidden = "forbidden"
	Any       = "any"
)

// Name patterns below use (?:\b|_) as a word boundary, because vendors
// separate words in protocol names with underscores (t2_tse_fs_tra).
func (s *Series) setDefaults() {
	excludeTypes := []string{"LOCALIZER", "DERIVED", "SECONDARY", "DIFFUSION", "ADC", "TRACEW", "FA", "PROJECTION IMAGE"}
	mrExclude := []string{
		`(?i)(scout|locali[sz]er|survey|3.?plane|(?:\b|_)loc(?:\b|_)|calibration|ref.?scan)`,
		`(?i)(dwi|diff|(?:\b|_)(adc|trace|dti|b\d{2,4})(?:\b|_)|ep2d)`,
		`(?i)((?:\b|_)(sub|mip|mpr|cine)(?:\b|_)|subtract|perfusion)`,
	}
	s.Roles = SeriesRoles{
		CT: RoleRule{
			Modality:          "CT",
			ExcludeImageTypes: excludeTypes,
			AxialToleranceDeg: 10,
			ExcludePatterns: []string{
				`(?i)(scout|topo|locali[sz]er|surview|scanogram|dose|report|sagittal|coronal|(?:\b|_)(mip|mpr|cor|sag)(?:\b|_))`,
				`(?i)(non.?con|w/o|without|plain|native|nativ(?:\b|_)|pre.?con|unenhanced|(?:\b|_)nc(?:\b|_))`,
			},
			WeightingPatterns:        []string{`(?i)(abd|pelvi|thigh|extremit|body|chest|soft|std|standard)`},
			ExcludeScanningSequences: []string{},
			FatSuppressed:            Any,
			Contrast:                 Required,
		},
		T1WI: RoleRule{
			Modality:                 "MR",
			ExcludeImageTypes:        excludeTypes,
			AxialToleranceDeg:        15,
			ExcludePatterns:          append(append([]string(nil), mrExclude...), `(?i)(t2|flair|stir|tirm|(?:\b|_)pd(?:\b|_))`),
			WeightingPatterns:        []string{`(?i)(t1|fl2d|fl3d|spgr|vibe|lava|thrive|(?:\b|_)se(?:\b|_))`},
			ExcludeScanningSequences: []string{"EP"},
			RepetitionTimeMs:         Range{Min: 2, Max: 1000},
			EchoTimeMs:               Range{Min: 0, Max: 30},
			FatSuppressed:            Forbidden,
			Contrast:                 Forbidden,
		},
		T2FS: RoleRule{
			Modality:                 "MR",
			ExcludeImageTypes:        excludeTypes,
			AxialToleranceDeg:        15,
			ExcludePatterns:          append(append([]string(nil), mrExclude...), `(?i)(t1|flair)`),
			WeightingPatterns:        []string{`(?i)(t2|stir|tirm)`},
			ExcludeScanningSequences: []string{"EP"},
			RepetitionTimeMs:         Range{Min: 1500, Max: 0},
			EchoTimeMs:               Range{Min: 40, Max: 0},
			FatSuppressed:            Required,
			Contrast:                 Any,
		},
	}
	s.FatSuppression = FatSuppressionEvidence{
		ScanOptions: []string{"FS", "SFS", "FAT_SAT", "FATSAT", "SPAIR", "SPIR", "SPECIAL", "CHESS"},
		Patterns: []string{
			`(?i)(fat.?sat|fat.?sup|(?:\b|_)(fs|sfs|fsat|spair|spir|stir|tirm|chess|special)(?:\b|_)|dixon.?w(?:\b|_)|ideal.*water)`,
		},
		STIRMaxInversionTimeMs: 250,
	}
	s.Contrast = ContrastEvidence{
		Patterns: []string{
			`(?i)(c\+|\+c(?:\b|_)|(?:\b|_)post(?:\b|_)|contrast|kontrast|venous|portal|arterial|enhanced|(?:\b|_)(ce|km|gd|gad|dotarem|with)(?:\b|_))`,
		},
		NoAgentValues: []string{"", "NONE", "NO", "N/A", "NA", "0"},
	}
	s.RegionLabels = []string{`(?i)(tumou?r|lesion|mass|gtv|lipom|liposarcom|sarcom|neoplasm)`}
	s.Volume = VolumeTolerances{SpacingToleranceMm: 0.1, OrientationTolerance: 1e-3}
	s.Readiness = Readiness{QuietPeriod: 2 * time.Minute, MaxWait: 24 * time.Hour}
}

func (s *Series) validate() error {
	roles := []struct {
		name string
		rule RoleRule
	}{{"ct", s.Roles.CT}, {"t1wi", s.Roles.T1WI}, {"t2fs", s.Roles.T2FS}}
	for _, r := range roles {
		if err := r.rule.validate("series.roles." + r.name); err != nil {
			return err
		}
	}
	if err := checkPatterns("series.fat_suppression.patterns", s.FatSuppression.Patterns); err != nil {
		return err
	}
	if err := checkPatterns("series.contrast.patterns", s.Contrast.Patterns); err != nil {
		return err
	}
	if err := checkPatterns("series.region_labels", s.RegionLabels); err != nil {
		return err
	}
	if !(s.Volume.SpacingToleranceMm > 0) {
		return fmt.Errorf("%w: series.volume.spacing_tolerance_mm %v must be positive", ErrInvalid, s.Volume.SpacingToleranceMm)
	}
	if !(s.Volume.OrientationTolerance > 0 && s.Volume.OrientationTolerance < 0.5) {
		return fmt.Errorf("%w: series.volume.orientation_tolerance %v must be in (0, 0.5)", ErrInvalid, s.Volume.OrientationTolerance)
	}
	if s.Readiness.QuietPeriod <= 0 {
		return fmt.Errorf("%w: series.readiness.quiet_period %v must be positive", ErrInvalid, s.Readiness.QuietPeriod)
	}
	if s.Readiness.MaxWait <= s.Readiness.QuietPeriod {
		return fmt.Errorf("%w: series.readiness.max_wait %v must be longer than quiet_period %v", ErrInvalid, s.Readiness.MaxWait, s.Readiness.QuietPeriod)
	}
	return nil
}

func (r RoleRule) validate(key string) error {
	if r.Modality == "" {
		return fmt.Errorf("%w: %s.modality is empty", ErrInvalid, key)
	}
	if !(r.AxialToleranceDeg >= 0 && r.AxialToleranceDeg <= 90) {
		return fmt.Errorf("%w: %s.axial_tolerance_deg %v must be 0 to 90", ErrInvalid, key, r.AxialToleranceDeg)
	}
	for _, p := range []struct {
		name string
		list []string
	}{{"exclude_patterns", r.ExcludePatterns}, {"weighting_patterns", r.WeightingPatterns}} {
		if err := checkPatterns(key+"."+p.name, p.list); err != nil {
			return err
		}
	}
	for _, rg := range []struct {
		name string
		r    Range
	}{{"repetition_time_ms", r.RepetitionTimeMs}, {"echo_time_ms", r.EchoTimeMs}} {
		if rg.r.Min < 0 || rg.r.Max < 0 || (rg.r.Max != 0 && rg.r.Max < rg.r.Min) {
			return fmt.Errorf("%w: %s.%s [%v, %v] is not a range", ErrInvalid, key, rg.name, rg.r.Min, rg.r.Max)
		}
	}
	for _, q := range []struct{ name, v string }{{"fat_suppressed", r.FatSuppressed}, {"contrast", r.Contrast}} {
		switch q.v {
		case Required, Forbidden, Any:
		default:
			return fmt.Errorf("%w: %s.%s %q must be required, forbidden or any", ErrInvalid, key, q.name, q.v)
		}
	}
	return nil
}

func checkPatterns(key string, patterns []string) error {
	for i, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			return fmt.Errorf("%w: %s[%d]: %v", ErrInvalid, key, i, err)
		}
	}
	return nil
}
