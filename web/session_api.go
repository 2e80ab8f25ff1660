package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/session"
)

// sessionJSON is a session as GET /api/sessions/{code} shows it: the
// public view, the links to its pages, and whether the request carried
// the key.
type sessionJSON struct {
	session.View
	JoinURL    string `json:"join_url"`
	BoardURL   string `json:"board_url"`
	QRURL      string `json:"qr_url"`
	Instructor bool   `json:"instructor"`
}

// createSession answers POST /api/sessions with 201
// {"id", "code", "join_url", "instructor_url", "key"}. The key appears in
// this answer only; the server keeps just its hash. 429 past the limit of
// new sessions per client, 503 while the server holds as many live
// sessions as it can.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	if s.sessions == nil {
		s.apiNotFound(w, r)
		return
	}
	if r.ContentLength != 0 {
		var req struct{}
		if status, err := decodeJSON(w, r, &req); err != nil {
			apiError(w, status, err.Error())
			return
		}
	}
	if !s.allowed(w, r, s.hubs.creates, false) {
		return
	}
	c, err := s.sessions.Create(r.Context())
	if errors.Is(err, session.ErrTooMany) {
		s.sessionError(w, "", err)
		return
	}
	if err != nil {
		s.log.Error("create session", "err", err)
		apiError(w, http.StatusInternalServerError, "the session could not be stored; try again")
		return
	}
	w.Header().Set("Location", "/api/sessions/"+c.Code)
	writeJSON(w, http.StatusCreated, map[string]string{
		"id": c.ID, "code": c.Code,
		"join_url":       s.joinOrigin(r) + joinPath(c.Code),
		"instructor_url": s.joinOrigin(r) + consolePath(c.Code, c.Key),
		"key":            c.Key,
	})
}

func joinPath(code string) string { return "/sessions/" + code }

// consolePath is the instructor's link: the key rides in the fragment,
// which browsers never send to a server, so it stays out of every log.
func consolePath(code, key string) string { return "/sessions/" + code + "/console#key=" + key }

// origin is the scheme and host the request came to, for absolute links
// (the QR code must hold one).
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// bearer returns the key of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// getSession answers GET /api/sessions/{code}: the public view, with
// "instructor": true when the request carries the right key (and 403 when
// it carries a wrong one).
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	if s.sessions == nil {
		s.apiNotFound(w, r)
		return
	}
	code := r.PathValue("code")
	instructor := false
	if key := bearer(r); key != "" || r.Header.Get("Authorization") != "" {
		if err := s.sessions.Authorize(r.Context(), code, key); err != nil {
			s.sessionError(w, code, err)
			return
		}
		instructor = true
	}
	v, err := s.sessions.View(r.Context(), code)
	if err != nil {
		s.sessionError(w, code, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionJSON{
		View: v, JoinURL: s.joinOrigin(r) + joinPath(v.Code), BoardURL: "/sessions/" + v.Code + "/board",
		QRURL: "/sessions/" + v.Code + "/qr.svg", Instructor: instructor,
	})
}

// pushRequest is the body of POST /api/sessions/{code}/push.
type pushRequest struct {
	Experiment string          `json:"experiment"`
	Params     json.RawMessage `json:"params"`
	Lock       bool            `json:"lock"`
}

// pushSession answers POST /api/sessions/{code}/push (key): 200 with the push.
func (s *Server) pushSession(w http.ResponseWriter, r *http.Request) {
	var req pushRequest
	if !s.instructorRequest(w, r, &req) {
		return
	}
	if req.Experiment == "" {
		apiError(w, http.StatusBadRequest, `experiment is missing: send {"experiment": "race", "params": {...}, "lock": true}`)
		return
	}
	p, err := s.sessions.Push(r.Context(), r.PathValue("code"), bearer(r), req.Experiment, req.Params, req.Lock)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// roomRun answers POST /api/sessions/{code}/run (key): one run of the
// pushed experiment for the whole room, 201 {"id", "url", "events"}.
func (s *Server) roomRun(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	run, err := s.sessions.RoomRun(r.Context(), r.PathValue("code"), bearer(r))
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	s.runCreated(w, run)
}

// runCreated answers 201 {"id", "url", "events", "position"} for a new
// run, and "eta_s" (as its queued status event has it) while it waits.
func (s *Server) runCreated(w http.ResponseWriter, run lab.Run) {
	url := "/runs/" + run.ID
	w.Header().Set("Location", url)
	body := map[string]any{"id": run.ID, "url": url, "events": url + "/events", "position": s.queuePosition(run.ID)}
	if body["position"] != 0 {
		if eta, ok := s.runs.ETA(run.ID); ok {
			body["eta_s"] = math.Ceil(eta)
		}
	}
	writeJSON(w, http.StatusCreated, body)
}

// queuePosition is the run's place in the queue (1 is next), 0 if it is
// already running or over.
func (s *Server) queuePosition(id string) int {
	log, err := s.runs.Events(s.sockets, id)
	if err != nil {
		return 0
	}
	pos := 0
	for _, e := range log.Events(0) {
		if e.Type == lab.TypeStatus {
			var body struct {
				Position int `json:"position"`
			}
			json.Unmarshal(e.Data, &body)
			pos = body.Position
		}
	}
	return pos
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
	ask, err := s.sessions.Ask(r.Context(), r.PathValue("code"), bearer(r), open)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ask": ask})
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
	p, err := s.sessions.Predict(r.Context(), r.PathValue("code"), bearer(r), req.Question, req.Prompt)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"prediction": p})
}

// revealSession answers POST /api/sessions/{code}/reveal (key): the
// prediction closes and every guess becomes public.
func (s *Server) revealSession(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !s.instructorRequest(w, r, &req) {
		return
	}
	p, err := s.sessions.Reveal(r.Context(), r.PathValue("code"), bearer(r))
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"prediction": p})
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
	spot, err := s.sessions.Spotlight(r.Context(), r.PathValue("code"), bearer(r), req.Run)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"spotlight": spot})
}

// learnerRequest is what a learner's page sends: who it is, and more.
type learnerRequest struct {
	Learner string          `json:"learner"`
	Token   string          `json:"token"`
	Params  json.RawMessage `json:"params"`
	Value   *float64        `json:"value"`
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
	if !s.allowed(w, r, s.hubs.joins, false) {
		return
	}
	l, token, err := s.sessions.Join(r.Context(), r.PathValue("code"), req.Name)
	if err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"learner": l, "token": token})
}

// guessSession answers POST /api/sessions/{code}/guess with
// {"learner", "token", "value"}: 204.
func (s *Server) guessSession(w http.ResponseWriter, r *http.Request) {
	var req learnerRequest
	if !s.sessionRequest(w, r, &req) {
		return
	}
	if req.Value == nil {
		apiError(w, http.StatusBadRequest, `value is missing: send {"learner": id, "token": token, "value": 12345}`)
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
	if s.sessions == nil {
		s.apiNotFound(w, r)
		return false
	}
	if r.ContentLength == 0 {
		return true
	}
	if status, err := decodeJSON(w, r, v); err != nil {
		apiError(w, status, err.Error())
		return false
	}
	return true
}

// instructorRequest is sessionRequest for the instructor's actions: the
// key is checked first, so a wrong or missing one is 403 whatever the body.
func (s *Server) instructorRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	if s.sessions == nil {
		s.apiNotFound(w, r)
		return false
	}
	if err := s.sessions.Authorize(r.Context(), r.PathValue("code"), bearer(r)); err != nil {
		s.sessionError(w, r.PathValue("code"), err)
		return false
	}
	return s.sessionRequest(w, r, v)
}

// sessionError answers a session error with its status and a message a
// person can act on.
func (s *Server) sessionError(w http.ResponseWriter, code string, err error) {
	status, msg := statusOf(err), err.Error()
	var ue *session.UnknownExperimentError
	switch {
	case errors.As(err, &ue):
		msg = fmt.Sprintf("%v; known: %s", ue, s.experimentIDs())
	case status == http.StatusNotFound:
		msg = fmt.Sprintf("no session %q: check the room code", errs.Truncate(code, maxQuoted))
	case status == http.StatusInternalServerError:
		s.log.Error("session", "session", code, "err", err)
		msg = "the session could not be updated; try again"
	}
	switch {
	case errors.Is(err, session.ErrTooMany):
		w.Header().Set("Retry-After", "300")
	case status == http.StatusTooManyRequests && !errors.Is(err, session.ErrBusy):
		s.retryAfter(w) // the queue is full: try when a run should be over
	}
	apiError(w, status, msg)
}

// mayCancel refuses, with 403, to cancel a session's run without the
// right secret, sent as Authorization: Bearer: a room run (the current one
// or an earlier one) or the spotlit run needs the session's key; a
// learner's own run on the board, the key or that learner's token. Runs
// of no session are anyone's to cancel, as before.
func (s *Server) mayCancel(w http.ResponseWriter, r *http.Request, id string) bool {
	if s.sessions == nil {
		return true
	}
	err := s.sessions.MayCancel(r.Context(), id, bearer(r))
	if err == nil {
		return true
	}
	var ce *session.CancelError
	if errors.As(err, &ce) {
		apiError(w, http.StatusForbidden, ce.Error())
		return false
	}
	s.sessionError(w, "", err)
	return false
}
