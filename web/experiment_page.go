package web

import (
	"net/http"
	"net/url"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// experimentPage shows an experiment with its form filled from the query
// string: that URL is the share link. A bad query string shows the form
// with the defaults and says what was wrong, with status 400.
func (s *Server) experimentPage(w http.ResponseWriter, r *http.Request) {
	exp, err := s.runs.Experiment(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, http.StatusNotFound, "There is no experiment called "+errs.Truncate(r.PathValue("id"), serve.MaxQuoted)+".")
		return
	}
	info := exp.Info()
	q, err := url.ParseQuery(r.URL.RawQuery)
	status := http.StatusOK
	var formErr string
	values := map[string]string{}
	if err == nil {
		_, err = lab.ParseQuery(info, q)
		for k, vs := range q {
			values[k] = vs[0]
		}
	}
	if err != nil {
		status, formErr, values = http.StatusBadRequest, "This link's parameters were not used: "+err.Error()+".", map[string]string{}
	}
	m := s.experimentView(info, values, serve.Nonce(r))
	m.FormError = formErr
	s.render(w, r, status, templates.ExperimentView(m))
}
