package workshop

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
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
	if r.ContentLength != 0 {
		var req struct{}
		if status, err := serve.DecodeJSON(w, r, &req); err != nil {
			serve.Error(w, status, err.Error())
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
		serve.Error(w, http.StatusInternalServerError, "the session could not be stored; try again")
		return
	}
	w.Header().Set("Location", "/api/sessions/"+c.Code)
	serve.JSON(w, http.StatusCreated, map[string]string{
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

// getSession answers GET /api/sessions/{code}: the public view, with
// "instructor": true when the request carries the right key (and 403 when
// it carries a wrong one).
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	instructor := false
	if key := serve.Bearer(r); key != "" || r.Header.Get("Authorization") != "" {
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
	serve.JSON(w, http.StatusOK, sessionJSON{
		View: v, JoinURL: s.joinOrigin(r) + joinPath(v.Code), BoardURL: "/sessions/" + v.Code + "/board",
		QRURL: "/sessions/" + v.Code + "/qr.svg", Instructor: instructor,
	})
}

// runCreated answers 201 {"id", "url", "events", "position"} for a new
// run, and "eta_s" (as its queued status event has it) while it waits.
func (s *Server) runCreated(w http.ResponseWriter, run runs.Run) {
	url := "/runs/" + run.ID
	w.Header().Set("Location", url)
	body := map[string]any{"id": run.ID, "url": url, "events": url + "/events", "position": 0}
	if st, err := s.runs.State(context.Background(), run.ID); err == nil && st.Position > 0 {
		body["position"] = st.Position
		if st.HasETA {
			body["eta_s"] = st.EtaS
		}
	}
	serve.JSON(w, http.StatusCreated, body)
}

// sessionError answers a session error with its status and a message a
// person can act on.
func (s *Server) sessionError(w http.ResponseWriter, code string, err error) {
	status, msg := serve.StatusOf(err), err.Error()
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
	serve.Error(w, status, msg)
}
