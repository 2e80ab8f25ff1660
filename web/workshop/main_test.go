package workshop

import (
	"context"
	"encoding/json"
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
	"concurrencylab/lab/session"
	"concurrencylab/web"
	"concurrencylab/web/internal/webtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is the quick, deterministic experiment the web packages' tests share.
type fake = webtest.Fake

// testServer is the whole site, workshops mounted, on a test listener.
type testServer struct {
	*httptest.Server
	runs *runs.Manager
}

// newSessionServer is a test server of the site with workshops.
func newSessionServer(t *testing.T) (*testServer, *session.Service) {
	t.Helper()
	ts, svc, _ := newSessionServerWith(t, func(*Server) {})
	return ts, svc
}

// newSessionServerWith is newSessionServer that lets configure change the
// workshops' Server (its limits) before it serves, and returns it too.
func newSessionServerWith(t testing.TB, configure func(*Server)) (*testServer, *session.Service, *Server) {
	t.Helper()
	return newSessionServerOpts(t, Options{}, configure)
}

// newSessionServerOpts is newSessionServerWith with options for New.
func newSessionServerOpts(t testing.TB, o Options, configure func(*Server)) (*testServer, *session.Service, *Server) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), runs.Config{}, []lab.Experiment{fake{}})
	if err != nil {
		t.Fatal(err)
	}
	svc := session.NewService(log, session.NewMemStore(), m)
	o.ExperimentView = web.ExperimentView(m, "")
	srv := New(log, svc, m, o)
	configure(srv)
	site := web.New(log, m, fstest.MapFS{"app.css": {Data: []byte("body{}")}}, web.With(srv))
	ts := httptest.NewServer(site.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Shutdown(ctx)
		site.CloseSockets(ctx)
		ts.Close()
		svc.Close()
	})
	return &testServer{ts, m}, svc, srv
}

// handler is the site's handler with srv mounted, for tests that call it
// directly.
func handler(srv *Server) http.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return web.New(log, srv.runs, fstest.MapFS{}, web.With(srv)).Handler()
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

// send sends one request with the given headers and returns the status,
// the response headers and the body.
func (ts *testServer) send(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	return webtest.Send(t, ts.URL, method, path, body, headers...)
}

// dial opens a socket.
func (ts *testServer) dial(t *testing.T, path string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (ts *testServer) startRun(t testing.TB, params string) string {
	t.Helper()
	status, out := ts.post(t, "/api/runs", "application/json", `{"experiment":"fake","params":`+params+`}`)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs: got %d %v, want 201", status, out)
	}
	id, _ := out["id"].(string)
	return id
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	e, ok := err.(*websocket.CloseError)
	*ce = e
	return ok
}
