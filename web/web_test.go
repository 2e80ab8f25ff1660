package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/internal/webtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is the quick, deterministic experiment the web packages' tests share.
type fake = webtest.Fake

type testServer struct {
	*httptest.Server
	runs *runs.Manager
}

func newTestServer(t *testing.T, cfg runs.Config) *testServer {
	t.Helper()
	ts, _ := newTestServerWith(t, cfg)
	return ts
}

// newTestServerWith is newTestServer that also returns the Server, whose
// limits a test may change before its first request.
func newTestServerWith(t testing.TB, cfg runs.Config, opts ...Option) (*testServer, *Server) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), cfg, []lab.Experiment{fake{}})
	if err != nil {
		t.Fatal(err)
	}
	static := fstest.MapFS{"app.css": {Data: []byte("body{}")}, "js/run.js": {Data: []byte("//")}}
	srv := New(log, m, static, opts...)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		srv.CloseSockets(ctx)
		ts.Close()
	})
	return &testServer{ts, m}, srv
}

func (ts *testServer) post(t testing.TB, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(ts.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (ts *testServer) get(t testing.TB, path string) (int, string) {
	t.Helper()
	res, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// dial opens a run's event socket.
func (ts *testServer) dial(t *testing.T, path string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readAll reads events until the server closes the socket, and returns
// them with the close error.
func readAll(t *testing.T, conn *websocket.Conn) ([]map[string]any, error) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var events []map[string]any
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return events, err
		}
		var e map[string]any
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("event is not JSON: %s", data)
		}
		events = append(events, e)
	}
}

func (ts *testServer) startRun(t testing.TB, params string) string {
	t.Helper()
	status, out := ts.post(t, "/api/runs", "application/json", `{"experiment":"fake","params":`+params+`}`)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	id, _ := out["id"].(string)
	if out["url"] != "/runs/"+id || out["events"] != "/runs/"+id+"/events" {
		t.Fatalf("got %v, want url and events of run %s", out, id)
	}
	return id
}

func TestRunOverHTTPAndWebsocket(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	id := ts.startRun(t, `{"n": 5}`)
	events, err := readAll(t, ts.dial(t, "/runs/"+id+"/events"))
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("got close %v, want a normal closure", err)
	}
	for i, e := range events {
		if e["seq"] != float64(i) {
			t.Fatalf("event %d has seq %v, want %d", i, e["seq"], i)
		}
	}
	last := events[len(events)-1]
	if last["type"] != "status" || last["state"] != "done" {
		t.Errorf("got last event %v, want status done", last)
	}
	var result map[string]any
	for _, e := range events {
		if e["type"] == "result" {
			result = e
		}
	}
	if result == nil {
		t.Fatal("no result event")
	}
	vs := result["variants"].([]any)
	if len(vs) != 2 {
		t.Fatalf("got %d variants, want 2", len(vs))
	}

	status, body := ts.get(t, "/api/runs/"+id)
	if status != http.StatusOK {
		t.Fatalf("GET run: got %d, want 200", status)
	}
	var run map[string]any
	json.Unmarshal([]byte(body), &run)
	for _, k := range []string{"id", "experiment", "params", "status", "created", "started", "finished", "result", "error"} {
		if _, ok := run[k]; !ok {
			t.Errorf("run JSON lacks %q: %s", k, body)
		}
	}
	if run["status"] != "done" || run["params"].(map[string]any)["n"] != float64(5) {
		t.Errorf("got status %v params %v, want done with n 5", run["status"], run["params"])
	}

	// A late client replays the same events.
	again, _ := readAll(t, ts.dial(t, "/runs/"+id+"/events"))
	if len(again) != len(events) {
		t.Errorf("replay: got %d events, want %d", len(again), len(events))
	}
}

func TestCancel(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	id := ts.startRun(t, `{"wait": "10s"}`)
	status, out := ts.post(t, "/api/runs/"+id+"/cancel", "", "")
	if status != http.StatusAccepted {
		t.Fatalf("cancel: got %d %v, want 202", status, out)
	}
	events, _ := readAll(t, ts.dial(t, "/runs/"+id+"/events"))
	if last := events[len(events)-1]; last["state"] != "cancelled" {
		t.Errorf("got last event %v, want status cancelled", last)
	}
	if status, out := ts.post(t, "/api/runs/"+id+"/cancel", "", ""); status != http.StatusConflict {
		t.Errorf("cancel again: got %d %v, want 409", status, out)
	}
}

func TestBadInput(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	big := `{"experiment":"fake","params":{"note":"` + strings.Repeat("x", MaxBodyBytes) + `"}}`
	tests := []struct {
		name, method, path, ctype, body string
		want                            int
		msg                             string
	}{
		{"malformed JSON", "POST", "/api/runs", "application/json", `{"experiment":`, 400, "not the JSON expected"},
		{"unknown field", "POST", "/api/runs", "application/json", `{"experiment":"fake","x":1}`, 400, `unknown field "x"`},
		{"two values", "POST", "/api/runs", "application/json", `{"experiment":"fake"}{}`, 400, "more than one"},
		{"no experiment", "POST", "/api/runs", "application/json", `{}`, 400, "experiment is missing"},
		{"unknown experiment", "POST", "/api/runs", "application/json", `{"experiment":"nope"}`, 404, `no experiment "nope"; known: fake`},
		{"param out of range", "POST", "/api/runs", "application/json", `{"experiment":"fake","params":{"n":0}}`, 400, "n must be 1..100, got 0"},
		{"param wrong type", "POST", "/api/runs", "application/json", `{"experiment":"fake","params":{"n":[1]}}`, 400, "n must be a number"},
		{"unknown param", "POST", "/api/runs", "application/json", `{"experiment":"fake","params":{"zz":1}}`, 400, "zz is not a parameter of fake"},
		{"params not an object", "POST", "/api/runs", "application/json", `{"experiment":"fake","params":[1]}`, 400, "params must be a JSON object"},
		{"oversize body", "POST", "/api/runs", "application/json", big, 413, "over the limit"},
		{"wrong content type", "POST", "/api/runs", "text/plain", `{}`, 415, "must be JSON"},
		{"unknown run", "GET", "/api/runs/zzzzzzzzzz", "", "", 404, `no run "zzzzzzzzzz"`},
		{"malformed run id", "GET", "/api/runs/..%2f..%2fetc", "", "", 404, "no run"},
		{"cancel unknown run", "POST", "/api/runs/zzzzzzzzzz/cancel", "", "", 404, "no run"},
		{"events of unknown run", "GET", "/runs/zzzzzzzzzz/events", "", "", 404, "no run"},
		{"unknown endpoint", "GET", "/api/nope", "", "", 404, "no API endpoint"},
		{"wrong method", "DELETE", "/api/runs", "", "", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			var msg struct{ Error string }
			if json.Unmarshal(body, &msg) == nil && msg.Error != "" {
				body = []byte(msg.Error)
			}
			if res.StatusCode != tt.want {
				t.Errorf("got %d %s, want %d", res.StatusCode, body, tt.want)
			}
			if !strings.Contains(string(body), tt.msg) {
				t.Errorf("got body %s, want it to name %q", body, tt.msg)
			}
			// The server carries on.
			if status, _ := ts.get(t, "/healthz"); status != http.StatusOK {
				t.Errorf("healthz after bad input: got %d, want 200", status)
			}
		})
	}
}

func TestWebsocketJunk(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	id := ts.startRun(t, `{"wait": "5s"}`)
	tests := []struct {
		name     string
		kind     int
		data     []byte
		wantCode int
		wantText string
	}{
		{"text frame", websocket.TextMessage, []byte(`{"hello":1}`), websocket.CloseUnsupportedData, "takes no messages, got a text message"},
		{"binary frame", websocket.BinaryMessage, []byte{0, 1, 2}, websocket.CloseUnsupportedData, "got a binary message"},
		{"oversize frame", websocket.TextMessage, make([]byte, 4*serve.MaxMessageSize), websocket.CloseMessageTooBig, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := ts.dial(t, "/runs/"+id+"/events")
			if err := conn.WriteMessage(tt.kind, tt.data); err != nil {
				t.Fatal(err)
			}
			_, err := readAll(t, conn)
			var ce *websocket.CloseError
			if !asCloseError(err, &ce) || ce.Code != tt.wantCode || !strings.Contains(ce.Text, tt.wantText) {
				t.Errorf("got %v, want close %d naming %q", err, tt.wantCode, tt.wantText)
			}
		})
	}
	ts.post(t, "/api/runs/"+id+"/cancel", "", "")
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	e, ok := err.(*websocket.CloseError)
	*ce = e
	return ok
}

func TestWebsocketOrigin(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	id := ts.startRun(t, `{}`)
	h := http.Header{"Origin": {"https://evil.example"}}
	_, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/runs/"+id+"/events", h)
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("got %v, want 403 for a foreign origin", err)
	}
}

func TestQueuePositions(t *testing.T) {
	ts := newTestServer(t, runs.Config{Parallel: 1})
	first := ts.startRun(t, `{"wait": "10s"}`)
	second := ts.startRun(t, `{}`)
	conn := ts.dial(t, "/runs/"+second+"/events")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	json.Unmarshal(data, &e)
	if e["state"] != "queued" || e["position"] != float64(1) {
		t.Errorf("got %v, want queued at position 1", e)
	}
	ts.post(t, "/api/runs/"+first+"/cancel", "", "")
	events, _ := readAll(t, conn)
	if last := events[len(events)-1]; last["state"] != "done" {
		t.Errorf("second run: got last event %v, want done once the first was cancelled", last)
	}
}

func TestPages(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	id := ts.startRun(t, `{"n": 7}`)
	readAll(t, ts.dial(t, "/runs/"+id+"/events"))
	tests := []struct {
		name, path string
		want       int
		contains   []string
	}{
		{"catalog", "/", 200, []string{`href="/experiments/fake"`, "A &lt;fake&gt; experiment"}},
		{"experiment", "/experiments/fake?n=9", 200, []string{`name="n"`, `value="9"`, "package fake"}},
		{"bad query", "/experiments/fake?n=0", 400, []string{"n must be 1..100, got 0"}},
		// one bad value: the others stay in the form, the bad one is named
		{"bad value kept apart", "/experiments/fake?n=0&note=kept&wait=5ms", 400, []string{"Not used from this link", "n must be 1..100, got 0", `value="kept"`, `value="5ms"`}},
		{"unknown experiment", "/experiments/nope", 404, []string{"no experiment called nope"}},
		{"run page", "/runs/" + id, 200, []string{`data-run-id="` + id + `"`, `value="7"`}},
		{"unknown run", "/runs/zzzzzzzz", 404, []string{"no run zzzzzzzz"}},
		{"unknown page", "/nope", 404, []string{"no page at /nope"}},
		{"static", "/static/app.css", 200, []string{"body{}"}},
		{"static listing", "/static/js/", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.get(t, tt.path)
			if status != tt.want {
				t.Errorf("got %d, want %d", status, tt.want)
			}
			for _, c := range tt.contains {
				if !strings.Contains(body, c) {
					t.Errorf("page lacks %q", c)
				}
			}
		})
	}
}

// TestHTMLInjection shows user input on every page that quotes it and
// checks it arrives escaped.
func TestHTMLInjection(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	const evil = `<script>alert(1)</script>`
	id := ts.startRun(t, fmt.Sprintf(`{"note": %q}`, evil))
	readAll(t, ts.dial(t, "/runs/"+id+"/events"))
	for _, path := range []string{
		"/experiments/fake?note=" + evil,
		"/experiments/fake?n=" + evil,
		"/experiments/" + evil,
		"/runs/" + id,
		"/" + evil,
	} {
		_, body := ts.get(t, strings.ReplaceAll(path, " ", "%20"))
		if strings.Contains(body, evil) {
			t.Errorf("%s: page contains unescaped %s", path, evil)
		}
	}
}

// busy emits a sample every 10 ms for `wait`, so its socket is never idle.
type busy struct{ fake }

func (busy) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	end := time.Now().Add(p.Duration("wait"))
	for time.Now().Before(end) {
		em.Sample("x", float64(time.Now().UnixNano()))
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return lab.Trial{}, ctx.Err()
		}
	}
	return lab.Trial{}, nil
}

// TestBusySocketIsPinged keeps a socket streaming longer than the pong
// wait: the server must ping on schedule even while events flow, or the
// browser (which never pings) is cut off when the read deadline passes.
func TestBusySocketIsPinged(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), runs.Config{}, []lab.Experiment{busy{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(log, m, fstest.MapFS{})
	srv.pongWait = time.Second
	ts := httptest.NewServer(srv.Handler())
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		srv.CloseSockets(ctx)
		ts.Close()
	}()
	s := &testServer{ts, m}
	status, out := s.post(t, "/api/runs", "application/json", `{"experiment":"fake","params":{"wait":"2500ms","repeat":1,"variants":"a"}}`)
	if status != http.StatusCreated {
		t.Fatalf("got %d %v, want 201", status, out)
	}
	events, err := readAll(t, s.dial(t, out["events"].(string)))
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("socket ended with %v after %d events, want a normal closure at the run's end", err, len(events))
	}
	if last := events[len(events)-1]; last["state"] != "done" {
		t.Errorf("got last event %v, want status done", last)
	}
}
