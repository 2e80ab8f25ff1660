// The instructor's actions: each needs the session's key, sent as
// Authorization: Bearer, checked before the body is read.

package workshop

import (
	"encoding/json"
	"net/http"

	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
)

// pushRequest is the body of POST /api/sessions/{code}/push.
type pushRequest struct {
	Experiment string          `json:"experiment"`
	Params     json.RawMessage `json:"params"`
	Lock       bool            `json:"lock"`
	// Edit opens the editor: learners may run their own variant too.
	Edit bool `json:"edit"`
}

// pushSession answers POST /api/sessions/{code}/push (key): 200 with the push.
func (s *Server) pushSession(w http.ResponseWriter, r *http.Request) {
	var req pushRequest
	if !s.instructorRequest(w, r, &req) {
		return
	}
	if req.Experiment == "" {
		serve.Error(w, http.StatusBadRequest, `experiment is missing: send {"experiment": "race", "params": {...}, "lock": true}`)
		return
	}
	if req.Edit && s.editOff != "" {
		serve.Error(w, http.StatusBadRequest, "edit: learners' own code is off on this server: "+s.editOff)
		return
	}
	p, err := s.sessions.PushWith(r.Context(), r.PathValue("code"), serve.Bearer(r), req.Experiment, req.Params,
		session.PushOptions{Lock: req.Lock, Edit: req.Edit})
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, p)
}

// roomRun answers POST /api/sessions/{code}/run (key): one run of the
// pushed experiment for the whole room, 201 {"id", "url", "events"}.
func (s *Server) roomRun(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	run, err := s.sessions.RoomRun(r.Context(), r.PathValue("code"), serve.Bearer(r))
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	s.runCreated(w, run)
}

// askSession answers POST /api/sessions/{code}/ask (key) with {"open": bool}
// (default true): every learner is asked to run the pushed experiment.
func (s *Server) askSession(w http.ResponseWriter, r *http.Request) {
	req := struct {
		Open *bool `json:"open"`
	}{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	open := req.Open == nil || *req.Open
	ask, err := s.sessions.Ask(r.Context(), r.PathValue("code"), serve.Bearer(r), open)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"ask": ask})
}

// predictSession answers POST /api/sessions/{code}/predict (key) with
// {"question": "count" | "speedup", "prompt": "..."}: learners may guess.
func (s *Server) predictSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Question string `json:"question"`
		Prompt   string `json:"prompt"`
	}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	p, err := s.sessions.Predict(r.Context(), r.PathValue("code"), serve.Bearer(r), req.Question, req.Prompt)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"prediction": p})
}

// revealSession answers POST /api/sessions/{code}/reveal (key): the
// prediction closes and every guess becomes public.
func (s *Server) revealSession(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	p, err := s.sessions.Reveal(r.Context(), r.PathValue("code"), serve.Bearer(r))
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"prediction": p})
}

// spotlightSession answers POST /api/sessions/{code}/spotlight (key) with
// {"run": id}, or {"run": ""} to turn the spotlight off.
func (s *Server) spotlightSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Run string `json:"run"`
	}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	spot, err := s.sessions.Spotlight(r.Context(), r.PathValue("code"), serve.Bearer(r), req.Run)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"spotlight": spot})
}

// instructorRequest is sessionRequest for the instructor's actions: the
// key is checked first, so a wrong or missing one is 403 whatever the body.
func (s *Server) instructorRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := s.sessions.Authorize(r.Context(), r.PathValue("code"), serve.Bearer(r)); err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return false
	}
	return s.sessionRequest(w, r, v)
}
