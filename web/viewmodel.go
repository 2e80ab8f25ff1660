package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"concurrencylab/lab"
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
	}
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
		case "repeat":
			m.Repeat = field(d, v)
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
func (s *Server) limits() string {
	c := s.runs.Config()
	return fmt.Sprintf("Runs take turns: %d at a time, the rest wait in line (at most %d). A run may take up to %s.",
		c.Parallel, c.MaxQueue, c.Timeout)
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
