package workshop

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/session"
	"concurrencylab/web/internal/serve"
)

// sessionEvents serves GET /sessions/{code}/events, the websocket a
// session's pages hold. With ?name= it admits a new learner; with
// ?learner=&token= it brings a learner back (a reload, a lost network);
// with neither it is a watcher (the console, the board), who is not on the
// roster: with ?key= (the instructor's) one of the session's instructor
// pages, else one of the few an address may open (places.go). The first message is a welcome, then the room's state (push,
// run, ask, prediction, spotlight, roster, board), then every change.
//
// A learner joins only once the socket is open: a request that is no
// websocket handshake, or that the upgrader refuses (a page on another
// site), admits nobody. What can be checked before (the name, the token,
// the join limit) is answered with a status; what can fail after (a full
// session) closes the socket with a reason.
func (s *Server) sessionEvents(w http.ResponseWriter, r *http.Request) {
	code, ok := session.NormalizeCode(r.PathValue("code"))
	if !ok {
		serve.Error(w, http.StatusNotFound, "no session "+errs.Truncate(r.PathValue("code"), maxQuoted))
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		serve.Error(w, http.StatusUpgradeRequired, "this is the session's websocket: open /sessions/"+code+" in a browser to join")
		return
	}
	if !serve.SameOrigin(r) {
		serve.Error(w, http.StatusForbidden, "this socket opens only from this site's pages")
		return
	}
	q := r.URL.Query()
	welcome := map[string]any{"type": "welcome", "role": "watcher", "code": code}
	var learner string
	join := false
	if id := q.Get("learner"); id != "" {
		l, err := s.sessions.Learner(r.Context(), code, id, q.Get("token"))
		switch {
		case err == nil:
			learner, l.Connected = l.ID, true // as of this socket
			welcome["role"], welcome["learner"] = "learner", l
		case errors.Is(err, session.ErrLearner) && q.Has("name"):
			join = true // not known here (another server's data?): join afresh
		case errors.Is(err, session.ErrRemoved):
			tellRemoved(w, r) // their token proved who they are: the page says so, and stops
			return
		default:
			s.sessionError(w, code, err)
			return
		}
	} else {
		join = q.Has("name")
	}
	p := place{role: roleLearner}
	if learner == "" && !join {
		p = place{role: roleOpen, addr: s.client(r)}
		if key := q.Get("key"); key != "" {
			if err := s.sessions.Authorize(r.Context(), code, key); err != nil {
				s.sessionError(w, code, err)
				return
			}
			p.role = roleKeyed
		}
	}
	var name string
	if join {
		var err error
		if name, err = session.CheckName(q.Get("name")); err != nil {
			s.sessionError(w, code, err)
			return
		}
		if !s.joinAllowed(w, r, code) {
			return
		}
	}
	h, refused, err := s.joinHub(r.Context(), code, p)
	if err == nil && refused != "" {
		err = errors.New(refused)
	}
	if err != nil {
		if join {
			s.unjoin(r, code)
		}
		switch {
		case refused != "":
			w.Header().Set("Retry-After", "30")
			serve.Error(w, http.StatusTooManyRequests, refused)
		case errors.Is(err, errClosing):
			serve.Error(w, http.StatusServiceUnavailable, err.Error())
		default:
			s.sessionError(w, code, err)
		}
		return
	}
	defer s.leaveHub(h, p)
	conn, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		if join {
			s.unjoin(r, code)
		}
		return // the upgrader has answered with a 4xx (a foreign origin gets 403)
	}
	if join {
		l, token, err := s.sessions.Join(r.Context(), code, name)
		if err != nil {
			s.unjoin(r, code)
			refuseSocket(conn, s.joinCloseCode(code, err), joinCloseReason(err))
			return
		}
		learner, l.Connected = l.ID, true
		welcome["role"], welcome["learner"], welcome["token"] = "learner", l, token
	}
	c := &client{send: make(chan out, sessionSendBuffer), welcome: mustJSON(welcome), learner: learner != "", learnerID: learner}
	h.register <- c
	if learner != "" {
		s.sessions.Connect(r.Context(), code, learner)
		defer s.sessions.Disconnect(context.WithoutCancel(r.Context()), code, learner)
	}
	ctx, cancel := context.WithCancel(s.sockets)
	defer cancel()
	go serve.ReadNothing(conn, cancel, serve.PongWait, "the session's events (act through the API)")
	s.writeSession(ctx, conn, c)
	h.unregister <- c
}

// removedReason is the close frame's reason for a learner the instructor
// removed; removedMessage, the event their page gets first.
const removedReason = "the instructor removed you from this session"

var removedMessage = mustJSON(map[string]string{"type": "removed", "reason": removedReason})

// tellRemoved opens the socket of a removed learner's page only to say
// so ({"type": "removed"}, then a 1008 close, after which the page stops
// reconnecting): a refused handshake would look like a lost network. No
// place is taken: the token has already proved who is asking.
func tellRemoved(w http.ResponseWriter, r *http.Request) {
	conn, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with a 4xx
	}
	conn.SetWriteDeadline(time.Now().Add(serve.WriteWait))
	if conn.WriteMessage(websocket.TextMessage, removedMessage) == nil {
		serve.Goodbye(conn, websocket.ClosePolicyViolation, removedReason)
	}
	conn.Close()
}

// refuseSocket closes a socket just opened, with a code and a reason.
func refuseSocket(conn *websocket.Conn, code int, reason string) {
	serve.Goodbye(conn, code, reason)
	conn.Close()
}

// joinCloseCode is the close code for a join that failed on an open
// socket: 1008 (the page stops retrying) if the session will not admit the
// learner, else 1011 (it retries).
func (s *Server) joinCloseCode(code string, err error) int {
	switch {
	case errors.Is(err, session.ErrFull), errors.Is(err, session.ErrBadName), errors.Is(err, lab.ErrNotFound), errors.Is(err, session.ErrEnded):
		return websocket.ClosePolicyViolation
	case errors.Is(err, session.ErrTooMany):
		return websocket.CloseTryAgainLater
	}
	s.log.Error("join a session", "session", code, "err", err)
	return websocket.CloseInternalServerErr
}

// joinCloseReason is the reason a failed join's close frame gives: the
// error's message if it is one a person can act on, cut to what a close
// frame holds (123 bytes).
func joinCloseReason(err error) string {
	msg := "the server could not add you to the session: try again"
	if errors.Is(err, session.ErrFull) || errors.Is(err, session.ErrBadName) || errors.Is(err, session.ErrTooMany) || errors.Is(err, session.ErrEnded) {
		msg = err.Error()
	}
	if len(msg) > 123 {
		msg = strings.ToValidUTF8(msg[:120], "") + "…"
	}
	return msg
}

// writeSession is the connection's one writer.
func (s *Server) writeSession(ctx context.Context, conn *websocket.Conn, c *client) {
	defer conn.Close()
	ping := time.NewTicker(serve.PingPeriod)
	defer ping.Stop()
	for {
		select {
		case m, ok := <-c.send:
			if !ok {
				if c.closeCode != 0 {
					serve.Goodbye(conn, c.closeCode, c.closeReason)
					return
				}
				serve.Goodbye(conn, websocket.CloseTryAgainLater, "this page fell behind the room: reconnect to catch up")
				return
			}
			conn.SetWriteDeadline(time.Now().Add(serve.WriteWait))
			err := conn.WritePreparedMessage(m.pm)
			c.queued.Add(-m.n)
			if err != nil {
				return // a slow or dead client is dropped
			}
		case <-ping.C:
			conn.SetWriteDeadline(time.Now().Add(serve.WriteWait))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-ctx.Done():
			if s.sockets.Err() != nil {
				serve.Goodbye(conn, websocket.CloseGoingAway, "the server is restarting: reconnecting in a moment")
			}
			return
		}
	}
}
