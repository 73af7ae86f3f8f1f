package evalhtml

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mdm2node/mdm2node/report/stats"
)

// HTMLFile is the name of the report written by WriteFiles.
const HTMLFile = "report.html"

// WriteHTML writes the report as one HTML document with the figures
// embedded as data URIs, so the file can be read on its own.
func (r *Report) WriteHTML(w io.Writer) error {
	if err := reportTemplate.Execute(w, r.view()); err != nil {
		return fmt.Errorf("evalhtml: write HTML: %w", err)
	}
	return nil
}

// WriteFiles creates dir when needed and writes report.html (self-contained)
// and each figure as a PNG file beside it.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("evalhtml: %w", err)
	}
	for _, f := range r.Figures {
		if err := os.WriteFile(filepath.Join(dir, f.File), f.PNG, 0o644); err != nil {
			return fmt.Errorf("evalhtml: %w", err)
		}
	}
	out, err := os.Create(filepath.Join(dir, HTMLFile))
	if err != nil {
		return fmt.Errorf("evalhtml: %w", err)
	}
	if err := r.WriteHTML(out); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("evalhtml: %w", err)
	}
	return nil
}

// row is one line of the metrics tables; ModelRows is the row span of the
// model cell on its first line and 0 on the others.
type row struct {
	Summary
	ModelRows int
}

type figureView struct {
	Title string
	Src   template.URL
	File  string
}

type reportView struct {
	Title     string
	Threshold float64
	Level     float64
	HLGroups  int
	Rows      []row
	Figures   []figureView
}

// view groups the summaries by model, keeping the first-appearance order of
// models and the input order within a model, as Table 2 lists each model's
// training and validation rows together.
func (r *Report) view() reportView {
	v := reportView{Title: r.Title, Threshold: r.Options.Threshold, Level: r.Options.Level, HLGroups: r.Options.HLGroups}
	var models []string
	byModel := map[string][]Summary{}
	for _, s := range r.Summaries {
		if _, ok := byModel[s.Model]; !ok {
			models = append(models, s.Model)
		}
		byModel[s.Model] = append(byModel[s.Model], s)
	}
	for _, m := range models {
		for i, s := range byModel[m] {
			span := 0
			if i == 0 {
				span = len(byModel[m])
			}
			v.Rows = append(v.Rows, row{Summary: s, ModelRows: span})
		}
	}
	for _, f := range r.Figures {
		src := template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG))
		v.Figures = append(v.Figures, figureView{Title: f.Title, Src: src, File: f.File})
	}
	return v
}

// formatAUC formats an AUC as "0.950 (0.881-1.000)" with an en dash.
func formatAUC(a stats.AUCInterval) string {
	return fmt.Sprintf("%.3f (%.3f–%.3f)", a.AUC, a.Lower, a.Upper)
}

// formatPercent formats a proportion in percent as "92.11 (77.52-97.95)",
// or "n/a" when its denominator is 0.
func formatPercent(p stats.Proportion) string {
	if p.Den == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", 100*p.Value, 100*p.Lower, 100*p.Upper)
}

// formatNumber formats v with the given decimals, or "n/a" when v is not
// finite.
func formatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"auc":     formatAUC,
	"percent": formatPercent,
	"number":  formatNumber,
	"level": func(v float64) string {
		return strconv.FormatFloat(math.Round(1000*v)/10, 'f', -1, 64)
	},
}).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2em; font-size: 0.9em; }
th, td { border-top: 1px solid #999; border-bottom: 1px solid #999; padding: 0.35em 0.7em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { display: inline-block; margin: 0 1em 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; }
p.note { font-size: 0.85em; color: #555; max-width: 60em; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>

<h2>Performance of the models</h2>
<table>
<thead>
<tr><th>Model</th><th>Cohort</th><th>AUC ({{level .Level}} % CI)</th><th>Accuracy, % ({{level .Level}} % CI)</th><th>Sensitivity, % ({{level .Level}} % CI)</th><th>Specificity, % ({{level .Level}} % CI)</th><th>PPV, % ({{level .Level}} % CI)</th><th>NPV, % ({{level .Level}} % CI)</th></tr>
</thead>
<tbody>
{{- range .Rows}}
<tr>{{if .ModelRows}}<td rowspan="{{.ModelRows}}">{{.Model}}</td>{{end}}<td>{{.Cohort}}</td><td class="num">{{auc .AUC}}</td><td class="num" title="{{.Diagnostics.Accuracy.Num}}/{{.Diagnostics.Accuracy.Den}}">{{percent .Diagnostics.Accuracy}}</td><td class="num" title="{{.Diagnostics.Sensitivity.Num}}/{{.Diagnostics.Sensitivity.Den}}">{{percent .Diagnostics.Sensitivity}}</td><td class="num" title="{{.Diagnostics.Specificity.Num}}/{{.Diagnostics.Specificity.Den}}">{{percent .Diagnostics.Specificity}}</td><td class="num" title="{{.Diagnostics.PPV.Num}}/{{.Diagnostics.PPV.Den}}">{{percent .Diagnostics.PPV}}</td><td class="num" title="{{.Diagnostics.NPV.Num}}/{{.Diagnostics.NPV.Den}}">{{percent .Diagnostics.NPV}}</td></tr>
{{- end}}
</tbody>
</table>
<p class="note">A case is called positive (WDLPS) when its predicted probability is at least {{.Threshold}}.
AUC intervals are DeLong's; the intervals of the proportions are Wilson score intervals with continuity correction (Newcombe 1998, method 4).
PPV, positive predictive value; NPV, negative predictive value.</p>

<h2>Further statistics</h2>
<table>
<thead>
<tr><th>Model</th><th>Cohort</th><th>Cases (WDLPS)</th><th>TP / FP / TN / FN</th><th>Average precision</th><th>C-index</th><th>Hosmer-Lemeshow χ² (df)</th><th>p</th></tr>
</thead>
<tbody>
{{- range .Rows}}
<tr>{{if .ModelRows}}<td rowspan="{{.ModelRows}}">{{.Model}}</td>{{end}}<td>{{.Cohort}}</td><td class="num">{{.N}} ({{.Positives}})</td><td class="num">{{.Confusion.TP}} / {{.Confusion.FP}} / {{.Confusion.TN}} / {{.Confusion.FN}}</td><td class="num">{{number .AveragePrecision 3}}</td><td class="num">{{number .CIndex.C 3}}</td>{{with .HosmerLemeshow}}<td class="num">{{number .Statistic 3}} ({{.DF}})</td><td class="num">{{number .PValue 3}}</td>{{else}}<td>n/a</td><td>n/a</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
<p class="note">Hosmer-Lemeshow groups: up to {{.HLGroups}} of equal size by rank of the predicted probability; a small p-value suggests poor calibration.
The C-index of a binary outcome equals the ROC AUC.</p>

<h2>Figures</h2>
{{- range .Figures}}
<figure><img src="{{.Src}}" alt="{{.Title}}"><figcaption>{{.Title}} ({{.File}})</figcaption></figure>
{{- end}}
</body>
</html>
`
