package series

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/mdm2node/mdm2node/config"
)

// Role is one of the three series a study needs.
type Role string

// The series roles.
const (
	RoleCT   Role = "ct"
	RoleT1WI Role = "t1wi"
	RoleT2FS Role = "t2fs"
)

// Roles lists every role in a fixed order.
var Roles = []Role{RoleCT, RoleT1WI, RoleT2FS}

// Rules are compiled role rules. Build them with CompileRules.
type Rules struct {
	roles                map[Role]*compiledRule
	fatOptions           map[string]bool
	fatPatterns          []*regexp.Regexp
	stirMaxInversionTime float64
	contrastPatterns     []*regexp.Regexp
	noAgent              map[string]bool
}

type compiledRule struct {
	cfg                config.RoleRule
	excludedImageTypes map[string]bool
	excludedSequences  map[string]bool
	exclude            []*regexp.Regexp
	weighting          []*regexp.Regexp
	cosAxialTolerance  float64
}

// CompileRules compiles the series section of the configuration. It returns
// an error wrapping config.ErrInvalid for a pattern that does not compile.
func CompileRules(cfg config.Series) (*Rules, error) {
	r := &Rules{
		roles:                map[Role]*compiledRule{},
		fatOptions:           upperSet(cfg.FatSuppression.ScanOptions),
		stirMaxInversionTime: cfg.FatSuppression.STIRMaxInversionTimeMs,
		noAgent:              upperSet(cfg.Contrast.NoAgentValues),
	}
	var err error
	if r.fatPatterns, err = compileAll("fat_suppression.patterns", cfg.FatSuppression.Patterns); err != nil {
		return nil, err
	}
	if r.contrastPatterns, err = compileAll("contrast.patterns", cfg.Contrast.Patterns); err != nil {
		return nil, err
	}
	for role, rule := range map[Role]config.RoleRule{RoleCT: cfg.Roles.CT, RoleT1WI: cfg.Roles.T1WI, RoleT2FS: cfg.Roles.T2FS} {
		c := &compiledRule{
			cfg:                rule,
			excludedImageTypes: upperSet(rule.ExcludeImageTypes),
			excludedSequences:  upperSet(rule.ExcludeScanningSequences),
			cosAxialTolerance:  math.Cos(rule.AxialToleranceDeg * math.Pi / 180),
		}
		if c.exclude, err = compileAll(string(role)+".exclude_patterns", rule.ExcludePatterns); err != nil {
			return nil, err
		}
		if c.weighting, err = compileAll(string(role)+".weighting_patterns", rule.WeightingPatterns); err != nil {
			return nil, err
		}
		r.roles[role] = c
	}
	return r, nil
}

func compileAll(key string, patterns []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: series.%s: %v", config.ErrInvalid, key, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func upperSet(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[strings.ToUpper(strings.TrimSpace(v))] = true
	}
	return m
}

func anyMatch(res []*regexp.Regexp, texts ...string) (string, bool) {
	for _, re := range res {
		for _, t := range texts {
			if t != "" && re.MatchString(t) {
				return t, true
			}
		}
	}
	return "", false
}

// Match is the verdict of one role rule on one series.
type Match struct {
	Role Role
	// OK is true when the series can fill the role.
	OK bool
	// Score ranks the series that can fill the role; higher is better.
	Score int
	// Reason lists the evidence for the verdict, or the first reason the
	// series was rejected.
	Reason string
}

// Score points of each kind of evidence. Header attributes written by the
// scanner weigh more than names typed by an operator.
const (
	scoreScanOption  = 3
	scoreAgent       = 3
	scoreTiming      = 2
	scoreDescription = 2
)

// FatSuppressed reports whether the header shows fat suppression, and why.
func (r *Rules) FatSuppressed(s SeriesInfo) (bool, string) {
	for _, o := range s.ScanOptions {
		if r.fatOptions[strings.ToUpper(o)] {
			return true, "scan option " + o
		}
	}
	if containsUpper(s.ScanningSequence, "IR") && s.HasInversionTime && s.InversionTime > 0 && s.InversionTime <= r.stirMaxInversionTime {
		return true, fmt.Sprintf("STIR (inversion recovery, TI %.0f ms)", s.InversionTime)
	}
	if t, ok := anyMatch(r.fatPatterns, s.SeriesDescription, s.ProtocolName, s.SequenceName); ok {
		return true, fmt.Sprintf("name %q", t)
	}
	return false, ""
}

// Contrasted reports whether the header shows contrast enhancement, and
// why: a Contrast/Bolus Agent that is not a "none" value, or a name that
// matches a contrast pattern.
func (r *Rules) Contrasted(s SeriesInfo) (bool, string) {
	if a := strings.TrimSpace(s.ContrastBolusAgent); !r.noAgent[strings.ToUpper(a)] {
		return true, fmt.Sprintf("contrast agent %q", a)
	}
	if t, ok := anyMatch(r.contrastPatterns, s.SeriesDescription, s.ProtocolName); ok {
		return true, fmt.Sprintf("name %q", t)
	}
	return false, ""
}

func containsUpper(values []string, v string) bool {
	for _, x := range values {
		if strings.EqualFold(strings.TrimSpace(x), v) {
			return true
		}
	}
	return false
}

// Evaluate applies the rule of role to one series.
func (r *Rules) Evaluate(role Role, s SeriesInfo) Match {
	m := Match{Role: role}
	rule, ok := r.roles[role]
	if !ok {
		m.Reason = "unknown role " + string(role)
		return m
	}
	reject := func(format string, args ...any) Match {
		m.Reason = fmt.Sprintf(format, args...)
		return m
	}
	cfg := rule.cfg

	// 1. Hard requirements: modality, image type, orientation, names.
	if !strings.EqualFold(s.Modality, cfg.Modality) {
		return reject("modality %q is not %s", s.Modality, cfg.Modality)
	}
	for _, v := range s.ImageType {
		if rule.excludedImageTypes[strings.ToUpper(v)] {
			return reject("image type %s excluded", strings.Join(s.ImageType, `\`))
		}
	}
	for _, v := range s.ScanningSequence {
		if rule.excludedSequences[strings.ToUpper(v)] {
			return reject("scanning sequence %s excluded", strings.Join(s.ScanningSequence, `\`))
		}
	}
	if !s.HasOrientation {
		return reject("no image orientation")
	}
	angle, axial := axialAngle(s.ImageOrientation, rule.cosAxialTolerance)
	if !axial {
		return reject("not axial: plane normal %.1f degrees from the head-foot axis (tolerance %.1f)", angle, cfg.AxialToleranceDeg)
	}
	if t, ok := anyMatch(rule.exclude, s.SeriesDescription, s.ProtocolName); ok {
		return reject("name %q matches an exclude pattern", t)
	}

	// 2. Timing: out of range rejects; absent timing needs a weighting name.
	var evidence []string
	timed := false
	if s.HasRepetitionTime && s.HasEchoTime {
		if !inRange(s.RepetitionTime, cfg.RepetitionTimeMs) {
			return reject("repetition time %.1f ms outside %s", s.RepetitionTime, rangeString(cfg.RepetitionTimeMs))
		}
		if !inRange(s.EchoTime, cfg.EchoTimeMs) {
			return reject("echo time %.1f ms outside %s", s.EchoTime, rangeString(cfg.EchoTimeMs))
		}
		if cfg.Modality == "MR" {
			timed = true
			m.Score += scoreTiming
			evidence = append(evidence, fmt.Sprintf("TR %.0f ms, TE %.1f ms", s.RepetitionTime, s.EchoTime))
		}
	}
	if t, ok := anyMatch(rule.weighting, s.SeriesDescription, s.ProtocolName, s.SequenceName); ok {
		m.Score += scoreDescription
		evidence = append(evidence, fmt.Sprintf("name %q", t))
	} else if cfg.Modality == "MR" && !timed {
		return reject("no repetition and echo time and no name matching the weighting patterns")
	}

	// 3. Fat suppression and contrast as the rule requires.
	fat, fatWhy := r.FatSuppressed(s)
	switch {
	case cfg.FatSuppressed == config.Required && !fat:
		return reject("no fat suppression")
	case cfg.FatSuppressed == config.Forbidden && fat:
		return reject("fat-suppressed (%s)", fatWhy)
	case cfg.FatSuppressed == config.Required:
		m.Score += scoreWeight(fatWhy, scoreScanOption)
		evidence = append(evidence, "fat suppression: "+fatWhy)
	}
	con, conWhy := r.Contrasted(s)
	switch {
	case cfg.Contrast == config.Required && !con:
		return reject("no contrast agent and no contrast name")
	case cfg.Contrast == config.Forbidden && con:
		return reject("contrast-enhanced (%s)", conWhy)
	case cfg.Contrast == config.Required:
		m.Score += scoreWeight(conWhy, scoreAgent)
		evidence = append(evidence, "contrast: "+conWhy)
	}

	m.OK = true
	m.Reason = strings.Join(append([]string{fmt.Sprintf("axial (%.1f degrees)", angle)}, evidence...), "; ")
	return m
}

// scoreWeight scores evidence from a header attribute higher than evidence
// from a name.
func scoreWeight(why string, attrScore int) int {
	if strings.HasPrefix(why, "name ") {
		return scoreDescription
	}
	return attrScore
}

// axialAngle returns the angle in degrees between the plane normal and the
// head-foot axis, and whether its cosine is at least cosTol.
func axialAngle(iop [6]float64, cosTol float64) (float64, bool) {
	n := cross([3]float64{iop[0], iop[1], iop[2]}, [3]float64{iop[3], iop[4], iop[5]})
	l := norm(n)
	if l == 0 {
		return 90, false
	}
	c := math.Abs(n[2]) / l
	return math.Acos(math.Min(1, c)) * 180 / math.Pi, c >= cosTol-cosineRoundOff
}

// cosineRoundOff absorbs the rounding of cos(tolerance), so that a tolerance
// of 90 degrees accepts an exactly sagittal or coronal plane, whose cosine
// is 0 while cos(90°) evaluates to about 6e-17.
const cosineRoundOff = 1e-12

func inRange(v float64, r config.Range) bool {
	return v >= r.Min && (r.Max == 0 || v <= r.Max)
}

func rangeString(r config.Range) string {
	if r.Max == 0 {
		return fmt.Sprintf("[%g, no limit]", r.Min)
	}
	return fmt.Sprintf("[%g, %g]", r.Min, r.Max)
}

// Choice is the series chosen for a role, with the reason.
type Choice struct {
	Role   Role
	Series SeriesInfo
	Score  int
	Reason string
}

// Choose picks the series for role among candidates. Series that pass the
// rule are ordered by score (highest first), then by number of frames (more
// first, for the longer coverage), then by Series Number (lowest first, for
// the earlier acquisition), then by Series Instance UID. The choice
// therefore does not depend on the order of candidates. ok is false when no series passes;
// the reason then lists why each candidate was rejected.
func (r *Rules) Choose(role Role, candidates []SeriesInfo) (Choice, bool) {
	type scored struct {
		s SeriesInfo
		m Match
	}
	var passed []scored
	var rejected []string
	for _, s := range candidates {
		m := r.Evaluate(role, s)
		if m.OK {
			passed = append(passed, scored{s, m})
		} else {
			rejected = append(rejected, fmt.Sprintf("series %s (%q): %s", s.SeriesInstanceUID, s.SeriesDescription, m.Reason))
		}
	}
	sort.Strings(rejected)
	if len(passed) == 0 {
		reason := "no series fits role " + string(role)
		if len(rejected) > 0 {
			reason += ": " + strings.Join(rejected, "; ")
		}
		return Choice{Role: role, Reason: reason}, false
	}
	sort.Slice(passed, func(i, j int) bool {
		a, b := passed[i], passed[j]
		if a.m.Score != b.m.Score {
			return a.m.Score > b.m.Score
		}
		if a.s.Frames != b.s.Frames {
			return a.s.Frames > b.s.Frames
		}
		if a.s.SeriesNumber != b.s.SeriesNumber {
			return a.s.SeriesNumber < b.s.SeriesNumber
		}
		return a.s.SeriesInstanceUID < b.s.SeriesInstanceUID
	})
	best := passed[0]
	reason := fmt.Sprintf("series %s (%q) score %d: %s", best.s.SeriesInstanceUID, best.s.SeriesDescription, best.m.Score, best.m.Reason)
	if len(passed) > 1 {
		others := make([]string, 0, len(passed)-1)
		for _, o := range passed[1:] {
			others = append(others, fmt.Sprintf("%s score %d, %d frames, number %d", o.s.SeriesInstanceUID, o.m.Score, o.s.Frames, o.s.SeriesNumber))
		}
		reason += "; ranked above " + strings.Join(others, "; ")
	}
	return Choice{Role: role, Series: best.s, Score: best.m.Score, Reason: reason}, true
}

// DefaultRules compiles the built-in defaults of the series section.
func DefaultRules() *Rules {
	r, err := CompileRules(config.Default().Series)
	if err != nil {
		panic("series: default rules do not compile: " + err.Error())
	}
	return r
}
