package workshop

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/net/html"

	"concurrencylab/web/internal/serve"
	"concurrencylab/web/internal/webtest"
)

// do sends a request with an optional bearer key.
func (ts *testServer) do(t testing.TB, method, path, key, body string) (int, map[string]any) {
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

func (ts *testServer) newSession(t testing.TB) (code, key string) {
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
	slow := &client{send: make(chan out, sessionSendBuffer)}
	fast := &client{send: make(chan out, sessionSendBuffer)}
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

// learnerCount is how many learners the session has joined.
func (ts *testServer) learnerCount(t *testing.T, code string) int {
	t.Helper()
	status, v := ts.do(t, "GET", "/api/sessions/"+code, "", "")
	if status != http.StatusOK {
		t.Fatalf("GET the session: got %d %v", status, v)
	}
	ls, _ := v["learners"].([]any)
	return len(ls)
}

// wsDial opens a socket with a header and returns the HTTP status of its
// answer as well.
func (ts *testServer) wsDial(path string, header http.Header) (*websocket.Conn, int, error) {
	conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, header)
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	return conn, status, err
}

// TestSessionSocketJoinsOnHandshakeOnly: GET /sessions/{code}/events?name=
// admits a learner only once a real websocket is open. A plain GET (an
// <img src> on another site sends one, with no Origin), a handshake the
// upgrader refuses, or a page on another site, admits nobody.
func TestSessionSocketJoinsOnHandshakeOnly(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, _ := ts.newSession(t)
	path := "/sessions/" + code + "/events?name=Eve"

	res, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUpgradeRequired || !strings.Contains(string(body), "websocket") {
		t.Errorf("plain GET: got %d %s, want 426 saying it is a websocket", res.StatusCode, body)
	}
	// Upgrade headers, but no handshake: the upgrader refuses it.
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("upgrade headers without a handshake: got %d, want 400", res.StatusCode)
	}
	if _, status, _ := ts.wsDial(path, http.Header{"Origin": {"https://evil.example"}}); status != http.StatusForbidden {
		t.Errorf("a socket from another site: got %d, want 403", status)
	}
	if _, status, _ := ts.wsDial("/sessions/"+code+"/events?name=%20", nil); status != http.StatusBadRequest {
		t.Errorf("a socket with a blank name: got %d, want 400", status)
	}
	if n := ts.learnerCount(t, code); n != 0 {
		t.Fatalf("after requests that opened no socket: got %d learners, want 0", n)
	}
	conn := ts.dial(t, path)
	var w map[string]any
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.ReadJSON(&w); err != nil || w["role"] != "learner" || w["token"] == nil {
		t.Fatalf("a real socket: got %v %v, want a learner's welcome", w, err)
	}
	if n := ts.learnerCount(t, code); n != 1 {
		t.Errorf("after a real socket: got %d learners, want 1", n)
	}
}

// TestSessionCancel: a session's runs are cancelled only with the right
// secret (403, and the run goes on, otherwise); runs of no session by
// anyone, as before.
func TestSessionCancel(t *testing.T) {
	ts, _ := newSessionServer(t)
	code, key := ts.newSession(t)
	api := "/api/sessions/" + code
	if status, out := ts.do(t, "POST", api+"/push", key, `{"experiment": "fake", "params": {"wait": "10s", "n": 1}}`); status != http.StatusOK {
		t.Fatalf("push: got %d %v", status, out)
	}
	join := func(name string) (id, token string) {
		t.Helper()
		status, out := ts.do(t, "POST", api+"/join", "", `{"name": "`+name+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("join: got %d %v", status, out)
		}
		return out["learner"].(map[string]any)["id"].(string), out["token"].(string)
	}
	ownRun := func(id, token string) string {
		t.Helper()
		status, out := ts.do(t, "POST", api+"/runs", "", `{"learner": "`+id+`", "token": "`+token+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("learner's run: got %d %v", status, out)
		}
		return out["id"].(string)
	}
	ann, annToken := join("Ann")
	bo, boToken := join("Bo")
	annRun, boRun := ownRun(ann, annToken), ownRun(bo, boToken)
	status, out := ts.do(t, "POST", api+"/run", key, "")
	if status != http.StatusCreated {
		t.Fatalf("room run: got %d %v", status, out)
	}
	roomRun := out["id"].(string)
	other := ts.startRun(t, `{"wait": "10s"}`)

	cancel := func(run, secret string) (int, string) {
		t.Helper()
		status, out := ts.do(t, "POST", "/api/runs/"+run+"/cancel", secret, "")
		msg, _ := out["error"].(string)
		return status, msg
	}
	refused := func(what, run, secret string) {
		t.Helper()
		if status, msg := cancel(run, secret); status != http.StatusForbidden || !strings.Contains(msg, "room "+code) {
			t.Errorf("%s: got %d %q, want 403 naming the room", what, status, msg)
		}
		if _, r := ts.do(t, "GET", "/api/runs/"+run, "", ""); r["status"] != "queued" && r["status"] != "running" {
			t.Errorf("%s: the run is %v after a refused cancel, want it going on", what, r["status"])
		}
	}
	refused("the room run, no key", roomRun, "")
	refused("the room run, a learner's token", roomRun, annToken)
	refused("Ann's run, no key", annRun, "")
	refused("Ann's run, Bo's token", annRun, boToken)
	refused("Ann's run, a wrong key", annRun, key+"x")
	// A new push leaves the room run going, off the state: still the key's.
	if status, out := ts.do(t, "POST", api+"/push", key, `{"experiment": "fake", "params": {"wait": "10s", "n": 1}}`); status != http.StatusOK {
		t.Fatalf("second push: got %d %v", status, out)
	}
	refused("the round before's room run, Bo's token", roomRun, boToken)
	// In the spotlight, Bo's run plays for the room: the key's only.
	if status, out := ts.do(t, "POST", api+"/spotlight", key, `{"run": "`+boRun+`"}`); status != http.StatusOK {
		t.Fatalf("spotlight: got %d %v", status, out)
	}
	refused("Bo's spotlit run, Bo's token", boRun, boToken)

	for _, c := range []struct{ what, run, secret string }{
		{"Ann's run, Ann's token", annRun, annToken},
		{"the round before's room run, the key", roomRun, key},
		{"Bo's spotlit run, the key", boRun, key},
		{"a run of no session, no key", other, ""},
	} {
		if status, msg := cancel(c.run, c.secret); status != http.StatusAccepted {
			t.Errorf("%s: got %d %q, want 202", c.what, status, msg)
		}
	}
}

// TestSessionRateLimits: new sessions and joins are limited per client
// address, with 429 naming the limit; rejoining as a known learner is no
// join.
func TestSessionRateLimits(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	ts, _, _ := newSessionServerWith(t, func(srv *Server) {
		srv.hubs.creates.Now = clock
		srv.hubs.joins = serve.NewRateLimit("joins", 60, 3)
		srv.hubs.joins.Now = clock
	})

	post := func(path, body string) (*http.Response, string) {
		t.Helper()
		res, err := http.Post(ts.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	var code string
	for range createBurst {
		code, _ = ts.newSession(t)
	}
	res, body := post("/api/sessions", "")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "at most 10 a minute") || res.Header.Get("Retry-After") != "6" {
		t.Errorf("one session too many: got %d %s (Retry-After %q), want 429 naming the limit, retry in 6 s", res.StatusCode, body, res.Header.Get("Retry-After"))
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noRedirect.Post(ts.URL+"/sessions", "", nil); err != nil || res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the New session button, one too many: got %v %v, want 429", res.Status, err)
	} else {
		res.Body.Close()
	}
	now.Add(int64(6 * time.Second))
	ts.newSession(t) // a token is back

	api := "/api/sessions/" + code
	var id, token string
	for i := range 3 {
		status, out := ts.do(t, "POST", api+"/join", "", `{"name": "L`+strconv.Itoa(i)+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("join %d: got %d %v", i, status, out)
		}
		id, token = out["learner"].(map[string]any)["id"].(string), out["token"].(string)
	}
	status, out := ts.do(t, "POST", api+"/join", "", `{"name": "L3"}`)
	if msg, _ := out["error"].(string); status != http.StatusTooManyRequests || !strings.Contains(msg, "at most 3 at once, then 60 a minute") {
		t.Errorf("one join too many: got %d %q, want 429 naming the limit", status, msg)
	}
	if _, status, _ := ts.wsDial("/sessions/"+code+"/events?name=L4", nil); status != http.StatusTooManyRequests {
		t.Errorf("a socket join, one too many: got %d, want 429", status)
	}
	if n := ts.learnerCount(t, code); n != 3 {
		t.Errorf("learners: got %d, want the 3 within the limit", n)
	}
	// Coming back as a learner is no join.
	ts.dial(t, "/sessions/"+code+"/events?learner="+id+"&token="+url.QueryEscape(token))
}

// TestSessionSocketsAtShutdown: sockets that open while CloseSockets runs
// either get in (and are closed with it) or are refused with 503; none
// is counted after CloseSockets began waiting (the race detector checks
// the WaitGroup).
func TestSessionSocketsAtShutdown(t *testing.T) {
	ts, _, srv := newSessionServerWith(t, func(s *Server) { s.hubs.watchersPerAddr = 40 }) // 20 watchers from one address
	code, _ := ts.newSession(t)
	events := "/sessions/" + code + "/events"
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Go(func() {
			<-start
			path := events
			if i%2 == 0 {
				path += "?name=L" + strconv.Itoa(i)
			}
			conn, status, err := ts.wsDial(path, nil)
			if err != nil {
				if status != http.StatusServiceUnavailable {
					t.Errorf("a socket at shutdown: got %d %v, want it open or 503", status, err)
				}
				return
			}
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return // closed by the shutdown
				}
			}
		})
	}
	close(start)
	time.Sleep(5 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.CloseSockets(ctx)
	if ctx.Err() != nil {
		t.Errorf("CloseSockets: the sockets did not all close within 10s")
	}
	wg.Wait()
	if _, status, err := ts.wsDial(events, nil); status != http.StatusServiceUnavailable {
		t.Errorf("a socket after shutdown: got %d %v, want 503", status, err)
	}
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// The HTML walks every web package's tests share.
var (
	walk   = webtest.Walk
	attr   = webtest.Attr
	textOf = webtest.Text
)
