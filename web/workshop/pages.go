package workshop

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// newSessionForm answers the catalog's New session button (POST /sessions):
// it creates a session and sends the instructor to the console, with the
// key in the link's fragment.
func (s *Server) newSessionForm(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, s.hubs.creates, true) {
		return
	}
	c, err := s.sessions.Create(r.Context())
	if errors.Is(err, session.ErrTooMany) {
		s.tooManySessions(w, r)
		return
	}
	if err != nil {
		s.log.Error("create session", "err", err)
		s.pageError(w, r, http.StatusInternalServerError, "The session could not be stored; try again.")
		return
	}
	// "&new": the console asks the instructor to save the link first.
	http.Redirect(w, r, consolePath(c.Code, c.Key)+"&new", http.StatusSeeOther)
}

// joinByCode answers GET /sessions: a form for the room code, or with
// ?code= a redirect to that session's page.
func (s *Server) joinByCode(w http.ResponseWriter, r *http.Request) {
	m := templates.SessionPage{Page: templates.Page{Title: "Join a session", Nonce: serve.Nonce(r)}, JoinHost: s.joinHost(r)}
	typed := r.URL.Query().Get("code")
	if typed == "" {
		s.render(w, r, http.StatusOK, templates.SessionCodeView(m, ""))
		return
	}
	code, ok := session.NormalizeCode(typed)
	if ok {
		_, err := s.sessions.View(r.Context(), code)
		if err == nil {
			http.Redirect(w, r, joinPath(code), http.StatusSeeOther)
			return
		}
		if errors.Is(err, session.ErrTooMany) {
			s.tooManySessions(w, r)
			return
		}
	}
	s.render(w, r, http.StatusNotFound, templates.SessionCodeView(m,
		fmt.Sprintf("There is no session %q. Check the code on the projector: %d letters and digits.", errs.Truncate(typed, maxQuoted), session.CodeLen)))
}

// tooManySessions answers 503 while the server holds as many live
// sessions as it can (session.MaxLiveSessions).
func (s *Server) tooManySessions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "300")
	s.pageError(w, r, http.StatusServiceUnavailable, "Sorry: "+session.ErrTooMany.Error()+".")
}

// sessionView loads the session a page is for, answering 404 (or a
// redirect to the code in capitals) itself; ok is false if it answered.
func (s *Server) sessionView(w http.ResponseWriter, r *http.Request, suffix string) (session.View, bool) {
	typed := r.PathValue("code")
	code, ok := session.NormalizeCode(typed)
	if ok && code != typed {
		http.Redirect(w, r, "/sessions/"+code+suffix, http.StatusMovedPermanently)
		return session.View{}, false
	}
	v, err := s.sessions.View(r.Context(), code)
	if errors.Is(err, lab.ErrNotFound) || !ok {
		s.pageError(w, r, http.StatusNotFound, "There is no session "+errs.Truncate(typed, maxQuoted)+": check the room code.")
		return session.View{}, false
	}
	if errors.Is(err, session.ErrTooMany) {
		s.tooManySessions(w, r)
		return session.View{}, false
	}
	if err != nil {
		s.log.Error("load session", "session", code, "err", err)
		s.pageError(w, r, http.StatusInternalServerError, "The session could not be read; try again.")
		return session.View{}, false
	}
	return v, true
}

// sessionPage fills what every session page shows.
func (s *Server) sessionPage(r *http.Request, v session.View, title string) templates.SessionPage {
	ended := ""
	if v.Ended != nil {
		ended = v.Ended.UTC().Format(time.RFC3339)
	}
	return templates.SessionPage{
		Ended:    ended,
		Page:     templates.Page{Title: title, Nonce: serve.Nonce(r)},
		Code:     v.Code,
		JoinURL:  s.joinOrigin(r) + joinPath(v.Code),
		JoinHost: s.joinHost(r),
		QRURL:    "/sessions/" + v.Code + "/qr.svg",
		BoardURL: "/sessions/" + v.Code + "/board",
	}
}

// joinPage answers GET /sessions/{code}: the join screen (room code, QR
// code, name), then the page that follows the room.
func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.sessionView(w, r, "")
	if !ok {
		return
	}
	m := s.sessionPage(r, v, "Room "+v.Code)
	m.Stage = s.stage(v.Push, serve.Nonce(r))
	m.Panel = m.Stage.Exp
	s.render(w, r, http.StatusOK, templates.SessionJoinView(m))
}

// consolePage answers GET /sessions/{code}/console. The page itself is
// public (it holds no secret); its script reads the key from the link's
// fragment and sends it with every action.
func (s *Server) consolePage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.sessionView(w, r, "/console")
	if !ok {
		return
	}
	m := s.sessionPage(r, v, "Console · room "+v.Code)
	m.Reach = s.reach(r, v.Code)
	m.PublicURL = s.publicURL
	for _, e := range s.runs.Experiments() {
		info := e.Info()
		st := templates.SessionStage{Exp: s.experimentView(info, nil, serve.Nonce(r))}
		if v.Push != nil && v.Push.Experiment == info.ID {
			st = s.stage(v.Push, serve.Nonce(r))
		}
		st.Exp, st.Editable = withoutYours(st.Exp), s.editable(info)
		m.Experiments = append(m.Experiments, st)
	}
	m.Stage = s.stage(v.Push, serve.Nonce(r))
	m.Panel = m.Stage.Exp
	s.render(w, r, http.StatusOK, templates.SessionConsoleView(m))
}

// boardPage answers GET /sessions/{code}/board, the class board's permalink.
func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.sessionView(w, r, "/board")
	if !ok {
		return
	}
	m := s.sessionPage(r, v, "Class board · room "+v.Code)
	m.Board = v
	m.Rounds, m.Rows = boardTable(v)
	s.render(w, r, http.StatusOK, templates.SessionBoardView(m))
}

// stageFragment answers GET /sessions/{code}/stage: the pushed experiment's
// part of the learner's page, which the page swaps in on a push.
func (s *Server) stageFragment(w http.ResponseWriter, r *http.Request) {
	v, ok := s.sessionView(w, r, "/stage")
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, templates.SessionStageView(s.stage(v.Push, serve.Nonce(r))))
}

// stage is the learner's view of a push.
func (s *Server) stage(p *session.Push, nonce string) templates.SessionStage {
	if p == nil {
		return templates.SessionStage{}
	}
	exp, err := s.runs.Experiment(p.Experiment)
	if err != nil {
		return templates.SessionStage{}
	}
	st := templates.SessionStage{
		Pushed: true, Round: p.Round, Lock: p.Lock, Edit: p.Edit && s.editable(exp.Info()),
		Editable: s.editable(exp.Info()), Exp: s.experimentView(exp.Info(), p.Params, nonce),
	}
	if !st.Edit {
		st.Exp = withoutYours(st.Exp)
	}
	return st
}

// boardTable returns the board's rounds and the latest round's rows.
func boardTable(v session.View) ([]templates.BoardRound, []templates.BoardRow) {
	var rounds []templates.BoardRound
	latest := 0
	if v.Push != nil {
		latest = v.Push.Round
	}
	counts := map[int]int{}
	titles := map[int]string{}
	for _, e := range v.Board {
		counts[e.Round]++
		titles[e.Round] = e.Experiment
		latest = max(latest, e.Round)
	}
	if v.Push != nil {
		titles[v.Push.Round] = v.Push.Title
	}
	for i := latest; i >= 1; i-- {
		if counts[i] > 0 || (v.Push != nil && i == v.Push.Round) {
			rounds = append(rounds, templates.BoardRound{Round: i, Title: titles[i], Entries: counts[i]})
		}
	}
	var rows []templates.BoardRow
	for _, e := range v.Board {
		if e.Round == latest {
			rows = append(rows, templates.BoardRow{Run: e.Run, Label: e.Label, Status: string(e.Status), Summary: summary(e)})
		}
	}
	return rounds, rows
}

// summary is an entry's line on the board: the one the session wrote
// when its run finished (session.Figures.Summary), or why it has none.
func summary(e session.Entry) string {
	if e.Figures == nil {
		return e.Error
	}
	return e.Figures.Summary
}

// sessionQR answers GET /sessions/{code}/qr.svg: the join link as a QR code.
func (s *Server) sessionQR(w http.ResponseWriter, r *http.Request) {
	v, ok := s.sessionView(w, r, "/qr.svg")
	if !ok {
		return
	}
	svg, err := qrSVG(s.joinOrigin(r) + joinPath(v.Code))
	if err != nil {
		s.log.Error("QR code", "session", v.Code, "err", err)
		http.Error(w, "the QR code could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(svg)
}
