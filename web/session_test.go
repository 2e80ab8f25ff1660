package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/net/html"

	"concurrencylab/lab"
	"concurrencylab/lab/session"
)

// newSessionServer is newTestServer with sessions turned on.
func newSessionServer(t *testing.T) (*testServer, *session.Service) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := lab.NewManager(context.Background(), log, lab.NewMemStore(), lab.Config{}, []lab.Experiment{fake{}})
	if err != nil {
		t.Fatal(err)
	}
	svc := session.NewService(log, session.NewMemStore(), m)
	srv := New(log, m, fstest.MapFS{"app.css": {Data: []byte("body{}")}})
	srv.UseSessions(svc)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		srv.CloseSockets(ctx)
		ts.Close()
		svc.Close()
	})
	return &testServer{ts, m}, svc
}

// do sends a request with an optional bearer key.
func (ts *testServer) do(t *testing.T, method, path, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (ts *testServer) newSession(t *testing.T) (code, key string) {
	t.Helper()
	status, out := ts.do(t, "POST", "/api/sessions", "", "")
	if status != http.StatusCreated {
		t.Fatalf("POST /api/sessions: got %d %v", status, out)
	}
	for _, k := range []string{"id", "code", "join_url", "instructor_url", "key"} {
		if s, _ := out[k].(string); s == "" {
			t.Errorf("POST /api/sessions: %q missing in %v", k, out)
		}
	}
	return out["code"].(string), out["key"].(string)
}

func TestSessionAPIErrors(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	api := "/api/sessions/" + code
	tests := []struct {
		name, path, key, body string
		status                int
		msg                   string
	}{
		{"unknown session", "/api/sessions/ZZZZZZ/push", key, `{}`, 404, "check the room code"},
		{"not a code", "/api/sessions/nope!/push", key, `{}`, 404, "check the room code"},
		{"no experiment", api + "/push", key, `{"params": {}}`, 400, "experiment is missing"},
		{"unknown experiment", api + "/push", key, `{"experiment": "nope"}`, 404, `no experiment "nope"; known: fake`},
		{"bad parameter", api + "/push", key, `{"experiment": "fake", "params": {"n": 0}}`, 400, "n must be 1..100, got 0"},
		{"unknown field", api + "/push", key, `{"experiment": "fake", "colour": 1}`, 400, "unknown field"},
		{"run before a push", api + "/run", key, ``, 409, "not pushed"},
		{"ask before a push", api + "/ask", key, ``, 409, "not pushed"},
		{"reveal with no prediction", api + "/reveal", key, ``, 409, "no prediction"},
		{"spotlight a stranger", api + "/spotlight", key, `{"run": "abc"}`, 409, "not on this session's board"},
		{"bad name", api + "/join", "", `{"name": "   "}`, 400, "type a name"},
		{"long name", api + "/join", "", `{"name": "` + strings.Repeat("n", 41) + `"}`, 400, "at most 40"},
		{"guess without value", api + "/guess", "", `{"learner": "x", "token": "y"}`, 400, "value is missing"},
		{"run as nobody", api + "/runs", "", `{"learner": "x", "token": "y"}`, 403, "join the session again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := ts.do(t, "POST", tt.path, tt.key, tt.body)
			msg, _ := out["error"].(string)
			if status != tt.status || !strings.Contains(msg, tt.msg) {
				t.Errorf("got %d %q, want %d with %q", status, msg, tt.status, tt.msg)
			}
		})
	}
	if status, _ := ts.do(t, "GET", "/api/sessions/ZZZZZZ", "", ""); status != http.StatusNotFound {
		t.Errorf("GET an unknown session: got %d, want 404", status)
	}
}

// TestSessionHTMLInjection shows learners' names on every page that shows
// them, escaped.
func TestSessionHTMLInjection(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	api := "/api/sessions/" + code
	evil := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`}
	ts.do(t, "POST", api+"/push", key, `{"experiment": "fake", "params": {"n": 3}}`)
	for _, name := range evil {
		status, joined := ts.do(t, "POST", api+"/join", "", `{"name": `+jsonString(name)+`}`)
		if status != http.StatusCreated {
			t.Fatalf("join: got %d %v", status, joined)
		}
		l := joined["learner"].(map[string]any)
		if status, out := ts.do(t, "POST", api+"/runs", "", `{"learner": "`+l["id"].(string)+`", "token": "`+joined["token"].(string)+`"}`); status != http.StatusCreated {
			t.Fatalf("run: got %d %v", status, out)
		}
	}
	waitBoard(t, ts, api, 2)
	for _, page := range []string{"/sessions/" + code + "/board", "/sessions/" + code, "/sessions/" + code + "/console"} {
		status, body := ts.get(t, page)
		if status != http.StatusOK {
			t.Fatalf("%s: got %d", page, status)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: the name reached the page unescaped", page)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if n := countElements(doc, "img", "onerror"); n > 0 {
			t.Errorf("%s: got %d injected img elements", page, n)
		}
	}
	// The board's rows show the names as text.
	_, body := ts.get(t, "/sessions/"+code+"/board")
	doc, _ := html.Parse(strings.NewReader(body))
	var names []string
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "th" && attr(n, "scope") == "row" {
			names = append(names, textOf(n))
		}
	})
	if strings.Join(names, "|") != strings.Join(evil, "|") {
		t.Errorf("board rows: got %q, want the names as text", names)
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		walk(k, f)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func waitBoard(t *testing.T, ts *testServer, api string, n int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, v := ts.do(t, "GET", api, "", "")
		done := 0
		for _, e := range v["board"].([]any) {
			if e.(map[string]any)["status"] == "done" {
				done++
			}
		}
		if done >= n {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("board: %d of %d runs done after 10s", done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countElements(n *html.Node, tag, withAttr string) int {
	c := 0
	if n.Type == html.ElementNode && n.Data == tag && attr(n, withAttr) != "" {
		c++
	}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		c += countElements(k, tag, withAttr)
	}
	return c
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		b.WriteString(textOf(k))
	}
	return b.String()
}

func TestSessionPages(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, method, path string
		status             int
		location           string // a redirect's target, by prefix
	}{
		{"join page", "GET", "/sessions/" + code, 200, ""},
		{"console", "GET", "/sessions/" + code + "/console", 200, ""},
		{"board", "GET", "/sessions/" + code + "/board", 200, ""},
		{"stage", "GET", "/sessions/" + code + "/stage", 200, ""},
		{"lower case code", "GET", "/sessions/" + strings.ToLower(code) + "/board", 301, "/sessions/" + code + "/board"},
		{"unknown", "GET", "/sessions/ZZZZZZ", 404, ""},
		{"not a code", "GET", "/sessions/hello", 404, ""},
		{"code form", "GET", "/sessions", 200, ""},
		{"code typed", "GET", "/sessions?code=" + strings.ToLower(code), 303, "/sessions/" + code},
		{"code mistyped", "GET", "/sessions?code=ZZZZZZ", 404, ""},
		{"new session button", "POST", "/sessions", 303, "/sessions/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Location"), tt.location) {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, res.Header.Get("Location"), tt.status, tt.location)
			}
			if strings.Contains(string(body), key) {
				t.Errorf("the page holds the instructor key")
			}
		})
	}
	// The button's redirect carries a new key in the fragment only.
	res, _ := noRedirect.Post(ts.URL+"/sessions", "", nil)
	res.Body.Close()
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "/console#key=") {
		t.Errorf("new session redirect: got %q, want the console with #key=", loc)
	}

	// The QR code is an SVG of the join link.
	res, err := http.Get(ts.URL + "/sessions/" + code + "/qr.svg")
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(svg), "<path") || !strings.Contains(string(svg), ts.URL+"/sessions/"+code) {
		t.Errorf("QR code: got %s %.200s", res.Header.Get("Content-Type"), svg)
	}
}

// TestSessionSocket follows a push and a learner's run over the socket,
// and checks what learners and watchers are told.
func TestSessionSocket(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	learner := ts.dial(t, "/sessions/"+code+"/events?name="+url.QueryEscape("Bo"))
	watcher := ts.dial(t, "/sessions/"+code+"/events")
	next := func(conn *websocket.Conn, typ string) map[string]any {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var e map[string]any
			if err := conn.ReadJSON(&e); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if e["type"] == typ {
				return e
			}
		}
	}
	w := next(learner, "welcome")
	if w["role"] != "learner" || w["token"] == nil {
		t.Fatalf("learner's welcome: got %v", w)
	}
	if w := next(watcher, "welcome"); w["role"] != "watcher" || w["learner"] != nil {
		t.Errorf("watcher's welcome: got %v", w)
	}
	// Learners get counts, watchers the names.
	if r := next(learner, "roster"); r["learners"] != nil || r["joined"] == nil {
		t.Errorf("learner's roster: got %v, want counts only", r)
	}
	if r := next(watcher, "roster"); r["learners"] == nil {
		t.Errorf("watcher's roster: got %v, want the names", r)
	}
	ts.do(t, "POST", "/api/sessions/"+code+"/push", key, `{"experiment": "fake", "params": {"n": 4}, "lock": false}`)
	for _, conn := range []*websocket.Conn{learner, watcher} {
		for {
			p := next(conn, "push")
			if p["push"] == nil {
				continue // the snapshot's: nothing pushed yet
			}
			if p["push"].(map[string]any)["params"].(map[string]any)["n"] != "4" {
				t.Errorf("push: got %v", p)
			}
			break
		}
	}
	// Unlocked: the learner picks n.
	id, token := w["learner"].(map[string]any)["id"].(string), w["token"].(string)
	status, run := ts.do(t, "POST", "/api/sessions/"+code+"/runs", "", `{"learner": "`+id+`", "token": "`+token+`", "params": {"n": 9}}`)
	if status != http.StatusCreated {
		t.Fatalf("learner's run: got %d %v", status, run)
	}
	for {
		b := next(watcher, "board")
		es := b["entries"].([]any)
		if len(es) == 1 && es[0].(map[string]any)["status"] == "done" {
			if got := es[0].(map[string]any)["params"].(map[string]any)["n"]; got != float64(9) {
				t.Errorf("board entry params: got n %v, want 9", got)
			}
			break
		}
	}
	// A message from a client ends its socket: none are expected.
	learner.WriteMessage(websocket.TextMessage, []byte("hello"))
	learner.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := learner.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !asCloseError(err, &ce) || ce.Code != websocket.CloseUnsupportedData {
				t.Errorf("after a message: got %v, want close 1003", err)
			}
			break
		}
	}
}

// TestHubDropsSlowClient: a client that stops reading is dropped once its
// buffer is full, and the others get every message.
func TestHubDropsSlowClient(t *testing.T) {
	h := &hub{s: &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}, clients: map[*client]struct{}{}}
	slow := &client{send: make(chan *websocket.PreparedMessage, sessionSendBuffer)}
	fast := &client{send: make(chan *websocket.PreparedMessage, sessionSendBuffer)}
	h.clients[slow], h.clients[fast] = struct{}{}, struct{}{}
	const n = 3 * sessionSendBuffer
	got := 0
	for i := range n {
		h.broadcast([]byte(`{"type":"push","n":` + string(rune('0'+i%10)) + `}`))
		<-fast.send
		got++
	}
	if got != n {
		t.Errorf("fast client: got %d messages, want %d", got, n)
	}
	if _, ok := h.clients[slow]; ok {
		t.Fatalf("slow client still held after %d messages", n)
	}
	queued := 0
	for range slow.send {
		queued++
	}
	if queued != sessionSendBuffer {
		t.Errorf("slow client: %d messages queued before the drop, want %d", queued, sessionSendBuffer)
	}
}
