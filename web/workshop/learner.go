// The learners' actions: each names the learner and carries its token.

package workshop

import (
	"encoding/json"
	"net/http"

	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
)

// learnerRequest is what a learner's page sends: who it is, and more.
type learnerRequest struct {
	Learner string          `json:"learner"`
	Token   string          `json:"token"`
	Params  json.RawMessage `json:"params"`
	Value   *float64        `json:"value"`
}

// joinSession answers POST /api/sessions/{code}/join with {"name"}: 201
// {"learner": {...}, "token"}. The page joins this way, so a bad name gets
// a message, then holds the socket with ?learner=&token=. 429 past the
// limit of joins per client.
func (s *Server) joinSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if !s.sessionRequest(w, r, &req) {
		return
	}
	if _, err := session.CheckName(req.Name); err != nil {
		s.sessionError(w, r.PathValue("code"), err) // a typo spends no join
		return
	}
	code := r.PathValue("code")
	if !s.joinAllowed(w, r, code) {
		return
	}
	l, token, err := s.sessions.Join(r.Context(), code, req.Name)
	if err != nil {
		s.unjoin(r, code)
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	serve.JSON(w, http.StatusCreated, map[string]any{"learner": l, "token": token})
}

// learnerRun answers POST /api/sessions/{code}/runs with
// {"learner", "token", "params"}: the learner's own run of the pushed
// experiment, through the same queue as every run, on the class board.
// 201 {"id", "url", "events", "position"}; 429 if the learner already has
// a run waiting or the queue is full.
func (s *Server) learnerRun(w http.ResponseWriter, r *http.Request) {
	var req learnerRequest
	if !s.sessionRequest(w, r, &req) {
		return
	}
	run, err := s.sessions.SubmitRun(r.Context(), r.PathValue("code"), req.Learner, req.Token, req.Params)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	s.runCreated(w, run)
}

// guessSession answers POST /api/sessions/{code}/guess with
// {"learner", "token", "value"}: 204.
func (s *Server) guessSession(w http.ResponseWriter, r *http.Request) {
	var req learnerRequest
	if !s.sessionRequest(w, r, &req) {
		return
	}
	if req.Value == nil {
		serve.Error(w, http.StatusBadRequest, `value is missing: send {"learner": id, "token": token, "value": 12345}`)
		return
	}
	if err := s.sessions.Guess(r.Context(), r.PathValue("code"), req.Learner, req.Token, *req.Value); err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sessionRequest decodes a session action's body into v (an empty body is
// an empty object); it answers the error itself and returns false.
func (s *Server) sessionRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	if status, err := serve.DecodeJSON(w, r, v); err != nil {
		serve.Error(w, status, err.Error())
		return false
	}
	return true
}
