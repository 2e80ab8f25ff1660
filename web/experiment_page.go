package web

import (
	"net/http"
	"net/url"
	"strings"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// experimentPage shows an experiment with its form filled from the query
// string: that URL is the share link. A link with bad values keeps every
// value it can, fills the rest with defaults and names the values it
// dropped, with status 400.
func (s *Server) experimentPage(w http.ResponseWriter, r *http.Request) {
	exp, err := s.runs.Experiment(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, http.StatusNotFound, "There is no experiment called "+errs.Truncate(r.PathValue("id"), serve.MaxQuoted)+".")
		return
	}
	info := exp.Info()
	status := http.StatusOK
	var formErr string
	// A query string that does not parse still gives the pairs before the
	// fault.
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	values, dropped := lab.ParseLink(info, q)
	if qerr != nil {
		dropped = append([]error{qerr}, dropped...)
	}
	if len(dropped) > 0 {
		status, formErr = http.StatusBadRequest, droppedNote(dropped)
	}
	m := s.experimentView(info, values, serve.Nonce(r))
	m.FormError = formErr
	s.render(w, r, status, templates.ExperimentView(m))
}

// droppedNote is the page's note on the values a share link lost.
func droppedNote(dropped []error) string {
	msgs := make([]string, len(dropped))
	for i, err := range dropped {
		msgs[i] = err.Error()
	}
	return "Not used from this link (the rest of it is filled in): " + strings.Join(msgs, "; ") + "."
}
