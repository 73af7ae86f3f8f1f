package evalhtml

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/mdm2node/mdm2node/report/plots"
	"github.com/mdm2node/mdm2node/report/stats"
)

// Report is an evaluation ready to be written: the summaries in input order
// and the figures.
type Report struct {
	Title     string
	Options   Options
	Summaries []Summary
	Figures   []Figure
}

// Figure is one PNG plot of the report.
type Figure struct {
	// File is the base name the PNG gets when written beside the HTML.
	File  string
	Title string
	PNG   []byte
}

// NewFigure renders p as a PNG figure of the given size.
func NewFigure(file, title string, p *plot.Plot, width, height vg.Length) (Figure, error) {
	data, err := plots.PNG(p, width, height)
	if err != nil {
		return Figure{}, fmt.Errorf("evalhtml: figure %s: %w", file, err)
	}
	return Figure{File: file, Title: title, PNG: data}, nil
}

// Build summarizes every group and draws, for each cohort, the ROC,
// precision-recall, calibration and decision curves of all its models.
// Cohorts and models keep the order in which they first appear in groups.
func Build(title string, groups []Group, opt Options) (*Report, error) {
	if len(groups) == 0 {
		return nil, ErrNoGroups
	}
	r := &Report{Title: title, Options: opt}
	for _, g := range groups {
		s, err := Summarize(g, opt)
		if err != nil {
			return nil, err
		}
		r.Summaries = append(r.Summaries, s)
	}
	for i, cohort := range r.Cohorts() {
		key := fmt.Sprint(i + 1)
		if name := slug(cohort); name != "" {
			key += "-" + name
		}
		figures, err := cohortFigures(key, cohort, r.cohortSummaries(cohort))
		if err != nil {
			return nil, err
		}
		r.Figures = append(r.Figures, figures...)
	}
	return r, nil
}

// Cohorts returns the distinct cohort names in order of first appearance.
func (r *Report) Cohorts() []string {
	var cohorts []string
	seen := map[string]bool{}
	for _, s := range r.Summaries {
		if !seen[s.Cohort] {
			seen[s.Cohort] = true
			cohorts = append(cohorts, s.Cohort)
		}
	}
	return cohorts
}

func (r *Report) cohortSummaries(cohort string) []Summary {
	var out []Summary
	for _, s := range r.Summaries {
		if s.Cohort == cohort {
			out = append(out, s)
		}
	}
	return out
}

// cohortFigures draws the four plots of one cohort; key makes the file
// names unique.
func cohortFigures(key, cohort string, summaries []Summary) ([]Figure, error) {
	var (
		roc  []plots.ROCSeries
		pr   []plots.PRSeries
		cal  []plots.CalibrationSeries
		dcas []plots.DecisionSeries
	)
	for _, s := range summaries {
		roc = append(roc, plots.ROCSeries{Name: fmt.Sprintf("%s (AUC %.3f)", s.Model, s.AUC.AUC), Curve: s.ROC})
		pr = append(pr, plots.PRSeries{Name: fmt.Sprintf("%s (AP %.3f)", s.Model, s.AveragePrecision), Curve: s.PR})
		cal = append(cal, plots.CalibrationSeries{Name: s.Model, Bins: s.Calibration})
		dcas = append(dcas, plots.DecisionSeries{Name: s.Model, Curve: s.Decision})
	}
	suffix := ""
	if cohort != "" {
		suffix = ", " + cohort
	}

	type spec struct {
		file, title   string
		build         func() (*plot.Plot, error)
		width, height vg.Length
	}
	specs := []spec{
		{"roc", "ROC curve" + suffix, func() (*plot.Plot, error) { return plots.ROC("ROC curve"+suffix, roc) }, plots.SquareSize, plots.SquareSize},
		{"pr", "Precision-recall curve" + suffix, func() (*plot.Plot, error) { return plots.PrecisionRecall("Precision-recall curve"+suffix, pr) }, plots.SquareSize, plots.SquareSize},
		{"calibration", "Calibration curve" + suffix, func() (*plot.Plot, error) { return plots.Calibration("Calibration curve"+suffix, cal) }, plots.SquareSize, plots.SquareSize},
		{"decision", "Decision curve" + suffix, func() (*plot.Plot, error) { return plots.DecisionCurve("Decision curve"+suffix, dcas) }, plots.WideWidth, plots.WideHeight},
	}
	var figures []Figure
	for _, sp := range specs {
		p, err := sp.build()
		if err != nil {
			return nil, fmt.Errorf("evalhtml: %s: %w", sp.title, err)
		}
		f, err := NewFigure(sp.file+"-"+key+".png", sp.title, p, sp.width, sp.height)
		if err != nil {
			return nil, err
		}
		figures = append(figures, f)
	}
	return figures, nil
}

// slug returns name in lower case with every run of characters other than
// ASCII letters and digits replaced by one hyphen, for file names.
func slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, c := range strings.ToLower(name) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			hyphen = false
			continue
		}
		if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// AddNomogram draws the points nomogram of a logistic model and appends it
// to the figures as nomogram.png, or nomogram-2.png and so on for later
// ones.
func (r *Report) AddNomogram(title string, nomo *stats.Nomogram) error {
	p, err := plots.Nomogram(title, nomo)
	if err != nil {
		return fmt.Errorf("evalhtml: nomogram: %w", err)
	}
	file := "nomogram.png"
	var count int
	for _, f := range r.Figures {
		if strings.HasPrefix(f.File, "nomogram") {
			count++
		}
	}
	if count > 0 {
		file = fmt.Sprintf("nomogram-%d.png", count+1)
	}
	f, err := NewFigure(file, title, p, plots.WideWidth, plots.WideHeight)
	if err != nil {
		return err
	}
	r.Figures = append(r.Figures, f)
	return nil
}
