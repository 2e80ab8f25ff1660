package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/web/templates"
)

// experimentView builds the experiment page's view model for info with the
// form showing values (as a query string holds them).
func (s *Server) experimentView(info lab.Info, values map[string]string, nonce string) templates.ExperimentPage {
	m := templates.ExperimentPage{
		Page:    templates.Page{Title: info.Title, Nonce: nonce},
		ID:      info.ID,
		Title:   info.Title,
		Summary: info.Summary,
		Lesson:  paragraphs(info.Lesson),
		Limits:  s.limits(),
		// the figure the table shows first
		KeyFigure: info.MainFigure(),
		Declared:  declared(info),
	}
	m.Views, m.ViewAssets = s.views(info)
	for _, d := range lab.AllParams(info) {
		v, ok := values[d.Name]
		if !ok {
			v = d.Default
		}
		switch d.Name {
		case "variants":
			chosen := strings.Split(v, ",")
			for _, vr := range info.Variants {
				m.Variants = append(m.Variants, templates.VariantChoice{
					Name: vr.Name, Summary: vr.Summary, Baseline: vr.Baseline,
					Checked: slices.Contains(chosen, vr.Name),
				})
			}
			if info.Edit != nil && s.editOff == "" {
				m.Variants = append(m.Variants, templates.VariantChoice{
					Name: lab.Yours, Summary: "your own code, from the editor below",
					Checked: slices.Contains(chosen, lab.Yours),
				})
			}
		case "code":
			m.Edit = s.editPanel(info, v)
		case "repeat":
			m.Repeat = field(d, v)
		case "cores":
			m.Cores = field(d, v)
		default:
			m.Fields = append(m.Fields, field(d, v))
		}
	}
	for _, f := range info.Source {
		m.Source = append(m.Source, templates.SourceFile{Name: f.Name, Code: f.Code})
	}
	q := make([]string, 0, len(values))
	for _, d := range lab.AllParams(info) {
		if v, ok := values[d.Name]; ok {
			q = append(q, d.Name+"="+url.QueryEscape(v))
		}
	}
	m.ShareURL = "/experiments/" + info.ID
	if len(q) > 0 {
		m.ShareURL += "?" + strings.Join(q, "&")
	}
	return m
}

// editPanel is the learner's own variant's panel: the starting file, the
// code the page was opened with, or why editing is off.
func (s *Server) editPanel(info lab.Info, code string) *templates.EditPanel {
	start, _ := info.Edit.StartingFile()
	return &templates.EditPanel{Off: s.editOff, Start: start, Code: code, Func: info.Edit.Func.String()}
}

func field(d lab.Param, value string) templates.Field {
	f := templates.Field{
		Name: d.Name, Label: d.Label, Kind: string(d.Kind), Value: value,
		Default: d.Default, Choices: d.Choices, Help: d.Help,
	}
	if d.Kind == lab.KindInt || d.Kind == lab.KindFloat {
		f.Min = strconv.FormatFloat(d.Min, 'f', -1, 64)
		f.Max = strconv.FormatFloat(d.Max, 'f', -1, 64)
	}
	return f
}

// limits describes the server's run limits in one line.
func (s *Server) limits() string { return limitsText(s.runs.Config(), s.runs.Cores()) }

// limitsText says how runs share the machine under c, where a run may use
// cores CPUs: with runner slots each run has cores of its own, one run a
// slot; without, the runs at once share the machine's.
func limitsText(c runs.Config, cores int) string {
	var b strings.Builder
	switch {
	case len(c.Slots) == 1:
		fmt.Fprintf(&b, "Each run gets %s of its own: one run executes at a time", plural(cores, "core", "cores"))
	case len(c.Slots) > 1:
		fmt.Fprintf(&b, "Each run gets %s of its own: %d runs execute at once, one per runner slot",
			plural(cores, "core", "cores"), len(c.Slots))
	case c.Parallel <= 1:
		fmt.Fprintf(&b, "Each run has this machine's %s to itself: one executes at a time", plural(cores, "core", "cores"))
	default:
		fmt.Fprintf(&b, "Runs share this machine's %s: %d execute at once", plural(cores, "core", "cores"), c.Parallel)
	}
	fmt.Fprintf(&b, ", the rest wait in line (at most %d). A run may take up to %s.", c.MaxQueue, duration(c.Timeout))
	return b.String()
}

// plural writes n with the noun that fits it: "1 core", "2 cores".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// duration writes d for a reader: "2 minutes", "90 seconds", "1m30.5s".
func duration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute", "minutes")
	case d >= time.Second && d%time.Second == 0:
		return plural(int(d/time.Second), "second", "seconds")
	}
	return d.String()
}

// declared is what the experiment declares its page shows, as the JSON
// the page's scripts read: its figures and every chart of a run.
func declared(info lab.Info) string {
	b, err := json.Marshal(map[string]any{"figures": info.Figures, "charts": lab.AllCharts(info)})
	if err != nil {
		return "{}" // plain values: cannot happen
	}
	return string(b)
}

// paragraphs splits text at blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// paramStrings turns a stored run's JSON params back into query strings.
func paramStrings(params map[string]any) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// ExperimentView returns what builds the view model of an experiment's
// page, its form showing values (as a query string holds them), for the
// runs of m: workshop pages show a pushed experiment with it, so it looks
// as on its own page.
//
// editOff says why learners' own code is off on this server ("" where it
// is on), as EditingOff does.
func ExperimentView(m *runs.Manager, editOff string) func(info lab.Info, values map[string]string, nonce string) templates.ExperimentPage {
	return (&Server{runs: m, log: slog.New(slog.DiscardHandler), editOff: editOff}).experimentView
}
