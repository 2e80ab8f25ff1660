package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// createRunRequest is the body of POST /api/runs.
type createRunRequest struct {
	Experiment string          `json:"experiment"`
	Params     json.RawMessage `json:"params"`
}

// createRun answers POST /api/runs: it checks the parameters and queues the run.
func (s *Server) createRun(w http.ResponseWriter, r *http.Request) {
	var req createRunRequest
	if status, err := serve.DecodeJSON(w, r, &req); err != nil {
		serve.Error(w, status, err.Error())
		return
	}
	if req.Experiment == "" {
		serve.Error(w, http.StatusBadRequest, `experiment is missing: send {"experiment": "race", "params": {...}}`)
		return
	}
	exp, err := s.runs.Experiment(req.Experiment)
	if err != nil {
		serve.Error(w, http.StatusNotFound, fmt.Sprintf("no experiment %q; known: %s", errs.Truncate(req.Experiment, serve.MaxQuoted), s.experimentIDs()))
		return
	}
	p, err := lab.ParseJSON(exp.Info(), req.Params)
	if err != nil {
		serve.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	if s.editOff != "" && slices.Contains(p.Variants(), lab.Yours) {
		serve.Error(w, http.StatusBadRequest, "variants names yours, but editing is off on this server: "+s.editOff)
		return
	}
	run, err := s.runs.SubmitAnonymous(r.Context(), req.Experiment, p, s.client(r))
	if err != nil {
		status := serve.StatusOf(err)
		if status == http.StatusTooManyRequests {
			s.retryAfter(w)
		}
		if status == http.StatusInternalServerError {
			s.log.Error("submit run", "experiment", req.Experiment, "err", err)
			serve.Error(w, status, "the run could not be stored; try again")
			return
		}
		serve.Error(w, status, err.Error())
		return
	}
	url := "/runs/" + run.ID
	w.Header().Set("Location", url)
	serve.JSON(w, http.StatusCreated, map[string]string{"id": run.ID, "url": url, "events": url + "/events"})
}

func (s *Server) experimentIDs() string {
	var ids []string
	for _, e := range s.runs.Experiments() {
		ids = append(ids, e.Info().ID)
	}
	return strings.Join(ids, ", ")
}

// getRun answers GET /api/runs/{id}.
func (s *Server) getRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	run, err := s.lookupRun(r, id)
	if err != nil {
		s.runError(w, id, err)
		return
	}
	serve.JSON(w, http.StatusOK, run)
}

// cancelRun answers POST /api/runs/{id}/cancel.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !runs.ValidID(id) {
		s.runError(w, id, lab.ErrNotFound)
		return
	}
	if !s.mayCancel(w, r, id) { // a workshop's run: its key or token only
		return
	}
	if err := s.runs.Cancel(r.Context(), id); err != nil {
		s.runError(w, id, err)
		return
	}
	serve.JSON(w, http.StatusAccepted, map[string]string{"id": id, "status": "cancelling"})
}

func (s *Server) runError(w http.ResponseWriter, id string, err error) {
	status := serve.StatusOf(err)
	switch status {
	case http.StatusNotFound:
		serve.Error(w, status, fmt.Sprintf("no run %q", errs.Truncate(id, serve.MaxQuoted)))
	case http.StatusInternalServerError:
		s.log.Error("run lookup", "run", id, "err", err)
		serve.Error(w, status, "the run could not be read; try again")
	default:
		serve.Error(w, status, fmt.Sprintf("run %s: %v", id, err))
	}
}

// retryAfter tells a client refused for a full queue when to try again:
// when the first running run is expected to finish.
func (s *Server) retryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(s.runs.RetryAfter().Seconds())))
}

// health answers GET /healthz.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	running, waiting := s.runs.Queue()
	serve.JSON(w, http.StatusOK, map[string]any{"ok": true, "running": running, "queued": waiting})
}

// mayCancel asks every mounted feature that owns runs whether the
// request may cancel run id; if one refuses, it answers the refusal and
// returns false.
func (s *Server) mayCancel(w http.ResponseWriter, r *http.Request, id string) bool {
	for _, f := range s.features {
		g, ok := f.(cancelGuard)
		if !ok {
			continue
		}
		err := g.MayCancel(r.Context(), id, serve.Bearer(r))
		if err == nil {
			continue
		}
		status := serve.StatusOf(err)
		if status == http.StatusInternalServerError {
			s.log.Error("may cancel", "run", id, "err", err)
			serve.Error(w, status, "the session could not be updated; try again")
			return false
		}
		serve.Error(w, status, err.Error())
		return false
	}
	return true
}
