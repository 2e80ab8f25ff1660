package workshop

import (
	"context"
	"errors"
	"fmt"
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
// roster. The first message is a welcome, then the room's state (push,
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
		default:
			s.sessionError(w, code, err)
			return
		}
	} else {
		join = q.Has("name")
	}
	var name string
	if join {
		var err error
		if name, err = session.CheckName(q.Get("name")); err != nil {
			s.sessionError(w, code, err)
			return
		}
		if !s.allowed(w, r, s.hubs.joins, false) {
			return
		}
	}
	h, full, err := s.joinHub(r.Context(), code)
	if errors.Is(err, errClosing) {
		serve.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if err != nil {
		s.sessionError(w, code, err)
		return
	}
	defer s.leaveHub(h)
	conn, err := serve.Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with a 4xx (a foreign origin gets 403)
	}
	if full {
		refuseSocket(conn, websocket.CloseTryAgainLater,
			fmt.Sprintf("this session has %d pages open, the most it holds: try again later", s.hubs.maxSockets))
		return
	}
	if join {
		l, token, err := s.sessions.Join(r.Context(), code, name)
		if err != nil {
			refuseSocket(conn, s.joinCloseCode(code, err), joinCloseReason(err))
			return
		}
		learner, l.Connected = l.ID, true
		welcome["role"], welcome["learner"], welcome["token"] = "learner", l, token
	}
	c := &client{send: make(chan *websocket.PreparedMessage, sessionSendBuffer), welcome: mustJSON(welcome), learner: learner != ""}
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
	case errors.Is(err, session.ErrFull), errors.Is(err, session.ErrBadName), errors.Is(err, lab.ErrNotFound):
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
	if errors.Is(err, session.ErrFull) || errors.Is(err, session.ErrBadName) || errors.Is(err, session.ErrTooMany) {
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
		case pm, ok := <-c.send:
			if !ok {
				serve.Goodbye(conn, websocket.CloseTryAgainLater, "this page fell behind the room: reconnect to catch up")
				return
			}
			conn.SetWriteDeadline(time.Now().Add(serve.WriteWait))
			if err := conn.WritePreparedMessage(pm); err != nil {
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
