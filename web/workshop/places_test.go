package workshop

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/web/internal/serve"
)

// from is a header that makes a request come from addr, through the
// trusted proxy the test server sits behind.
func from(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }

// welcome reads a socket's first message and returns its role, or fails.
func welcome(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w map[string]any
	if err := conn.ReadJSON(&w); err != nil || w["type"] != "welcome" {
		t.Fatalf("first message: got %v %v, want the welcome", w, err)
	}
	return w
}

// TestFloodLeavesPlaces: one address opens far more session sockets than
// it may, as watchers and as joins; each past its cap is refused before
// the upgrade, and a learner from another address still gets a place, as
// do the instructor's pages with the key.
func TestFloodLeavesPlaces(t *testing.T) {
	const perAddr, joins = 4, 6
	ts, _, _ := newSessionServerOpts(t, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, func(s *Server) {
		s.hubs.watchersPerAddr = perAddr
		s.hubs.joins = serve.NewRateLimit("joins", 1, joins)
	})
	code, key := ts.newSession(t)
	events := "/sessions/" + code + "/events"
	const flood = 60
	counts := map[int]int{}
	for i := range flood {
		path := events
		if i%2 == 1 {
			path += "?name=flood"
		}
		conn, status, err := ts.wsDial(path, from("192.0.2.1"))
		if err == nil {
			defer conn.Close()
			status = http.StatusSwitchingProtocols
		}
		counts[status]++
	}
	if counts[http.StatusSwitchingProtocols] != perAddr+joins || counts[http.StatusTooManyRequests] != flood-perAddr-joins {
		t.Errorf("%d sockets from one address: got %v, want %d opened (%d watchers, %d joins) and the rest 429", flood, counts, perAddr+joins, perAddr, joins)
	}
	ann, _, err := ts.wsDial(events+"?name=Ann", from("198.51.100.2"))
	if err != nil {
		t.Fatalf("a learner from another address during the flood: %v, want a place", err)
	}
	defer ann.Close()
	if w := welcome(t, ann); w["role"] != "learner" {
		t.Errorf("Ann's welcome: got %v, want a learner's", w)
	}
	board, _, err := ts.wsDial(events, from("198.51.100.2"))
	if err != nil {
		t.Fatalf("a board from another address: %v", err)
	}
	defer board.Close()
	for range perAddr + 2 {
		console, _, err := ts.wsDial(events+"?key="+url.QueryEscape(key), from("192.0.2.1"))
		if err != nil {
			t.Fatalf("the instructor's page from the flooding address: %v, want a place (the key's)", err)
		}
		defer console.Close()
	}
	if _, status, err := ts.wsDial(events+"?key=wrong", from("203.0.113.9")); err == nil || status != http.StatusForbidden {
		t.Errorf("a watcher with a wrong key: got %d %v, want 403", status, err)
	}
}

// TestOneSocketPerLearner: a learner's second page takes the place; the
// first is closed with 1008 and a reason, and does not come back by itself.
func TestOneSocketPerLearner(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, _ := ts.newSession(t)
	events := "/sessions/" + code + "/events"
	first := ts.dial(t, events+"?name=Ann")
	w := welcome(t, first)
	l := w["learner"].(map[string]any)
	id, token := l["id"].(string), w["token"].(string)
	second := ts.dial(t, events+"?learner="+id+"&token="+url.QueryEscape(token))
	if w := welcome(t, second); w["role"] != "learner" {
		t.Fatalf("second page: got %v, want Ann's", w)
	}
	first.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := first.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "another page") {
			t.Errorf("first page after the second opened: got %v, want close 1008 naming another page", err)
		}
		break
	}
	if n := ts.learnerCount(t, code); n != 1 {
		t.Errorf("learners: got %d, want Ann once", n)
	}
}
