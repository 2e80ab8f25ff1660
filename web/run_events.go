package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
)

// sendBudget is the most bytes of events one run socket may have on the
// way to its client: the kernel's send buffer of the connection is set to
// it, and a client more than that behind the live stream skips superseded
// progress and samples. A client that takes nothing for writeWait is
// dropped. The replay of earlier events is streamed from the run's one
// shared log (sharedLogs), never copied per socket, so a socket costs its
// buffers and two goroutines however long the run and whatever its
// client does.
const sendBudget = 64 << 10

// runEvents streams a run's events over a websocket: every earlier event
// first, then live ones, then a close frame when the run has ended.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !runs.ValidID(id) {
		serve.Error(w, http.StatusNotFound, "no run "+errs.Truncate(id, serve.MaxQuoted))
		return
	}
	events, replay, err := s.logs.acquire(r.Context(), id, s.runs.Events)
	if err != nil {
		s.runError(w, id, err)
		return
	}
	defer s.logs.release(id)
	s.socketsMu.Lock()
	if s.socketsClosed {
		s.socketsMu.Unlock()
		serve.Error(w, http.StatusServiceUnavailable, "the server is restarting: reconnect in a moment")
		return
	}
	s.socketsWait.Add(1)
	s.socketsMu.Unlock()
	defer s.socketsWait.Done()
	release, refused := s.runSockets.acquire(id, s.client(r))
	if refused != "" {
		tooManySockets(w, r, refused)
		return
	}
	defer release()
	// Counted before the upgrade answers, so a client that has its socket
	// finds it counted.
	s.meter.SocketOpened()
	defer s.meter.SocketClosed()
	conn, cork, err := serve.UpgradeCorked(w, r)
	if err != nil {
		return // the upgrader has answered with a 4xx
	}
	cork.SetWriteBuffer(sendBudget)
	ctx, cancel := context.WithCancel(s.sockets)
	defer cancel()
	pong, _ := s.keepalive()
	go serve.ReadNothing(conn, cancel, pong, "a run's events")
	s.writeEvents(ctx, conn, cork, events, replay)
}

// writeTimeout is the longest one message may take to be taken by the
// client: serve.WriteWait, or the test's override.
func (s *Server) writeTimeout() time.Duration {
	if s.writeWait > 0 {
		return s.writeWait
	}
	return serve.WriteWait
}

// keepalive returns the server's pong wait and ping period. A test's
// short pong wait gets pings at half of it, leaving room for a busy
// machine's scheduling that a tenth of a second does not.
func (s *Server) keepalive() (pong, ping time.Duration) {
	if s.pongWait > 0 {
		return s.pongWait, s.pongWait / 2
	}
	return serve.PongWait, serve.PingPeriod
}

// writeEvents is the connection's one writer.
// A batch of events goes out corked: a replay of thousands of small
// events leaves in a few writes, not a system call each, and as much of
// it as the run's sockets share leaves as frames built once (replay).
func (s *Server) writeEvents(ctx context.Context, conn *websocket.Conn, cork *serve.Cork, events *runs.EventLog, replay *framedReplay) {
	defer conn.Close()
	_, pingPeriod := s.keepalive()
	next := 0
	replayed := false // the first batch is the replay: sent whole, for the charts
	lastPing := time.Now()
	for {
		// Ping on schedule whether events flow or not: browsers answer
		// pings but never send their own, and the reader's deadline counts.
		if time.Since(lastPing) >= pingPeriod {
			conn.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
			lastPing = time.Now()
		}
		wait, stop := context.WithTimeout(ctx, pingPeriod-time.Since(lastPing))
		batch, ok := events.Next(wait, next)
		timedOut := wait.Err() != nil
		stop()
		switch {
		case ok:
		case ctx.Err() != nil:
			if s.sockets.Err() != nil {
				serve.Goodbye(conn, websocket.CloseGoingAway, "the server is restarting: reload in a moment")
			}
			return
		case timedOut:
			continue // time to ping
		default:
			serve.Goodbye(conn, websocket.CloseNormalClosure, "the run has ended")
			return
		}
		next = int(batch[len(batch)-1].Seq) + 1
		if replayed && bytesOf(batch) > sendBudget {
			n := len(batch)
			batch = runs.Skip(batch)
			s.meter.Dropped(n - len(batch))
		}
		if !replayed {
			frames, upTo := replay.frames(batch, time.Now())
			if err := cork.WriteFrames(frames, s.writeTimeout()); err != nil {
				return // a slow or dead client is dropped
			}
			batch = batch[upTo+1:] // what the frames did not hold
		}
		replayed = true
		cork.Hold()
		for _, e := range batch {
			conn.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
			if err := conn.WriteMessage(websocket.TextMessage, e.Data); err != nil {
				return // a slow or dead client is dropped
			}
		}
		if err := cork.Flush(); err != nil {
			return
		}
	}
}

// bytesOf is the size of events as sent.
func bytesOf(events []runs.Event) int {
	n := 0
	for _, e := range events {
		n += len(e.Data)
	}
	return n
}
