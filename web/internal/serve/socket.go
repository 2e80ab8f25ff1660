package serve

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The websockets' keepalive, as gorilla's chat example has it.
const (
	// WriteWait is the time allowed to write one message; a client slower
	// than that is dropped.
	WriteWait = 10 * time.Second
	// PongWait is the time allowed to read the next pong from the client.
	PongWait = 60 * time.Second
	// PingPeriod sends pings at this period, busy or idle; it must be less
	// than PongWait.
	PingPeriod = PongWait * 9 / 10
	// MaxMessageSize is the largest message read from a client: the
	// sockets expect none, only control frames.
	MaxMessageSize = 512
)

// Upgrader keeps gorilla's default origin check: a page from another site
// cannot open a socket. Write buffers come from a pool: a socket holds one
// only while it writes a message, so thousands of idle sockets hold none.
var Upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 16 << 10, WriteBufferPool: &sync.Pool{}}

// ReadNothing is a socket's one reader, for sockets that only send
// (about says what: "a run's events"): it handles pongs and close frames,
// pushing the read deadline pongWait ahead on each pong, and closes the
// socket on any message with 1003 and a reason. It cancels when the
// socket is done.
func ReadNothing(conn *websocket.Conn, cancel context.CancelFunc, pongWait time.Duration, about string) {
	defer cancel()
	conn.SetReadLimit(MaxMessageSize)
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	kind, _, err := conn.ReadMessage()
	if err != nil {
		return // closed, timed out or over the read limit (gorilla sent 1009)
	}
	what := "a text message"
	if kind == websocket.BinaryMessage {
		what = "a binary message"
	}
	msg := websocket.FormatCloseMessage(websocket.CloseUnsupportedData,
		"this socket only sends "+about+"; it takes no messages, got "+what)
	conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(WriteWait))
}

// Goodbye sends a close frame with a code and a reason.
func Goodbye(conn *websocket.Conn, code int, text string) {
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(WriteWait))
}

// SameOrigin is gorilla's default origin check, which the upgrader applies
// again: no Origin header (not a browser), or one naming this host.
// Checked first, it answers a foreign page with a message rather than a
// bare 403.
func SameOrigin(r *http.Request) bool {
	origin := r.Header["Origin"]
	if len(origin) == 0 {
		return true
	}
	u, err := url.Parse(origin[0])
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
