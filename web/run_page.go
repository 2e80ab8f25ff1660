package web

import (
	"net/http"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// runPage shows a run, live or finished, in the experiment's own view: it is
// the run's permalink.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	run, err := s.lookupRun(r, id)
	if status := serve.StatusOf(err); status == http.StatusServiceUnavailable {
		s.pageError(w, r, status, "Run "+errs.Truncate(id, serve.MaxQuoted)+" cannot be shown now: "+err.Error()+".")
		return
	} else if err != nil {
		s.pageError(w, r, status, "There is no run "+errs.Truncate(id, serve.MaxQuoted)+": the link may be mistyped.")
		return
	}
	exp, err := s.runs.Experiment(run.Experiment)
	if err != nil {
		s.pageError(w, r, http.StatusNotFound, "Run "+id+" is of an experiment this server no longer has.")
		return
	}
	m := s.experimentView(exp.Info(), paramStrings(run.Params), serve.Nonce(r))
	m.Title = exp.Info().Title
	m.Page.Title = "Run " + run.ID + " · " + exp.Info().Title
	m.Run = &templates.RunInfo{
		ID:        run.ID,
		Status:    string(run.Status),
		EventsURL: "/runs/" + run.ID + "/events",
		APIURL:    "/api/runs/" + run.ID,
		Created:   run.Created.Format(time.RFC3339),
		Error:     run.Error,
	}
	if ran := s.ranYours(r.Context(), run, m.ShareURL); ran != nil {
		if m.Edit == nil {
			m.Edit = s.editPanel(exp.Info(), ran.ID)
		}
		m.Edit.Ran = ran
	}
	s.render(w, r, http.StatusOK, templates.ExperimentView(m))
}

// lookupRun finds a run, refusing malformed ids before any lookup.
func (s *Server) lookupRun(r *http.Request, id string) (runs.Run, error) {
	if !runs.ValidID(id) {
		return runs.Run{}, lab.ErrNotFound
	}
	return s.runs.Get(r.Context(), id)
}
