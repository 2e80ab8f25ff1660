package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab/runs"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/internal/webtest"
)

// do sends one request with the given headers and returns the status, the
// response headers and the body.
func (ts *testServer) send(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	return webtest.Send(t, ts.URL, method, path, body, headers...)
}

func TestCrossSiteWrites(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	run := `{"experiment":"fake"}`
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		want    int
		msg     string
	}{
		{"run from another origin", "POST", "/api/runs", run, []string{"Origin", "http://evil.example"}, 403, "another site"},
		{"run from another origin, JSON typed", "POST", "/api/runs", run, []string{"Origin", "http://evil.example", "Content-Type", "application/json"}, 403, "another site"},
		{"run cross-site by fetch metadata", "POST", "/api/runs", run, []string{"Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"}, 403, "another site"},
		{"run without a content type", "POST", "/api/runs", run, nil, 415, "Content-Type: application/json"},
		{"run as a form", "POST", "/api/runs", run, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "must be JSON"},
		{"run with JSON lookalike type", "POST", "/api/runs", run, []string{"Content-Type", "application/jsonx"}, 415, "must be JSON"},
		{"run same origin", "POST", "/api/runs", run, []string{"Sec-Fetch-Site", "same-origin", "Content-Type", "application/json; charset=utf-8"}, 201, ""},
		{"cancel from another origin", "POST", "/api/runs/zzzzzzzzzz/cancel", "", []string{"Origin", "http://evil.example"}, 403, "another site"},
		{"new session form from another origin", "POST", "/sessions", "", []string{"Origin", "http://evil.example", "Content-Type", "application/x-www-form-urlencoded"}, 403, "another site"},
		{"reading stays open to all", "GET", "/api/experiments", "", []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := ts.send(t, tc.method, tc.path, tc.body, tc.headers...)
			if status != tc.want || !strings.Contains(body, tc.msg) {
				t.Errorf("got %d %s, want %d naming %q", status, body, tc.want, tc.msg)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	tests := []struct {
		name, method, path string
		want               int
		allow              string // the Allow header, for 405
		json               bool   // the body is {"error": ...}
		msg                string
	}{
		{"GET on a POST-only endpoint", "GET", "/api/runs", 405, "POST", true, "GET /api/runs is not allowed"},
		{"GET on cancel", "GET", "/api/runs/zzzzzzzzzz/cancel", 405, "POST", true, "this path answers POST"},
		{"DELETE on a run", "DELETE", "/api/runs/zzzzzzzzzz", 405, "GET, HEAD", true, "DELETE"},
		{"POST on a page", "POST", "/experiments/fake", 405, "GET, HEAD", false, "not allowed"},
		{"unknown API path", "GET", "/api/nope", 404, "", true, "no API endpoint GET /api/nope"},
		{"unknown API path, POST", "POST", "/api/nope", 404, "", true, "no API endpoint POST /api/nope"},
		{"missing static file", "GET", "/static/nope.js", 404, "", false, "There is no page at /static/nope.js"},
		{"static directory", "GET", "/static/js/", 404, "", false, "There is no page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := ts.send(t, tc.method, tc.path, "")
			if status != tc.want {
				t.Errorf("got %d %s, want %d", status, body, tc.want)
			}
			if got := h.Get("Allow"); got != tc.allow {
				t.Errorf("got Allow %q, want %q", got, tc.allow)
			}
			var msg struct {
				Error string `json:"error"`
			}
			isJSON := json.Unmarshal([]byte(body), &msg) == nil && msg.Error != ""
			if isJSON != tc.json {
				t.Errorf("got body %q (JSON error: %v), want JSON %v", body, isJSON, tc.json)
			}
			if !tc.json && !strings.Contains(h.Get("Content-Type"), "text/html") {
				t.Errorf("got Content-Type %q, want the HTML error page", h.Get("Content-Type"))
			}
			if !strings.Contains(body, tc.msg) {
				t.Errorf("got body %q, want it to name %q", body, tc.msg)
			}
		})
	}
}

func TestJSONNamesAreCaseSensitive(t *testing.T) {
	ts := newTestServer(t, runs.Config{})
	for _, body := range []string{`{"Experiment":"fake"}`, `{"experiment":"fake","PARAMS":{}}`} {
		status, _, got := ts.send(t, "POST", "/api/runs", body, "Content-Type", "application/json")
		if status != http.StatusBadRequest || !strings.Contains(got, "case-sensitive") {
			t.Errorf("POST %s: got %d %s, want 400 saying names are case-sensitive", body, status, got)
		}
	}
}

func TestClientOfTrustedProxy(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 192.0.2.1, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff string
		want              string
	}{
		{"no proxy: the header is ignored", "198.51.100.7:1", "203.0.113.9", "198.51.100.7"},
		{"trusted proxy", "10.1.2.3:1", "203.0.113.9", "203.0.113.9"},
		{"trusted single address", "192.0.2.1:1", "203.0.113.9", "203.0.113.9"},
		{"the client's own claim is left of the proxy's", "10.1.2.3:1", "1.1.1.1, 203.0.113.9", "203.0.113.9"},
		{"a chain of trusted proxies", "10.1.2.3:1", "203.0.113.9, 10.9.9.9", "203.0.113.9"},
		{"garbage stops the walk", "10.1.2.3:1", "203.0.113.9, nonsense", "10.1.2.3"},
		{"no header from a proxy", "10.1.2.3:1", "", "10.1.2.3"},
		{"IPv6 client behind the proxy", "[2001:db8::1]:1", "2001:db8:5:6:7::1", "2001:db8:5:6::/64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := serve.ClientOf(r, trusted); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParsePrefixes("10.0.0.0/8,bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("ParsePrefixes with a bad entry: got %v, want an error naming it", err)
	}
}

func TestAnonymousRunShare(t *testing.T) {
	ts := newTestServer(t, runs.Config{PerClient: 2, MaxQueue: 10})
	long := `{"experiment":"fake","params":{"wait":"10s"}}`
	post := func(xff string) (int, http.Header, string) {
		return ts.send(t, "POST", "/api/runs", long, "Content-Type", "application/json", "X-Forwarded-For", xff)
	}
	for i := range 2 {
		if status, _, body := post("203.0.113.1"); status != http.StatusCreated {
			t.Fatalf("run %d: got %d %s, want 201", i, status, body)
		}
	}
	// X-Forwarded-For from an untrusted peer changes nothing: the test
	// client is one address.
	status, h, body := post("203.0.113.2")
	if status != http.StatusTooManyRequests || !strings.Contains(body, "at most 2 queued or running") {
		t.Fatalf("third run from one address: got %d %s, want 429 naming the share", status, body)
	}
	if h.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestQueueFullRetryAfter(t *testing.T) {
	ts := newTestServer(t, runs.Config{PerClient: 100, MaxQueue: 1})
	long := `{"experiment":"fake","params":{"wait":"10s"}}`
	var status int
	var h http.Header
	for range 3 { // one runs, one waits, one is refused
		status, h, _ = ts.send(t, "POST", "/api/runs", long, "Content-Type", "application/json")
	}
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("queue full: got %d, Retry-After %q; want 429 with Retry-After", status, h.Get("Retry-After"))
	}
}

// dialStatus opens a run socket and returns the handshake's status.
func (ts *testServer) dialStatus(t *testing.T, path string) (*websocket.Conn, int) {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, nil)
	if err != nil {
		if res == nil {
			t.Fatalf("dial %s: %v", path, err)
		}
		return nil, res.StatusCode
	}
	t.Cleanup(func() { conn.Close() })
	return conn, http.StatusSwitchingProtocols
}

func TestRunSocketCaps(t *testing.T) {
	tests := []struct {
		name   string
		limits SocketLimits
		runs   int // sockets spread over this many runs, round robin
		ok     int // how many open before the refusal
	}{
		{"per run", SocketLimits{PerRun: 2, PerAddr: 10, Total: 10}, 1, 2},
		{"per address", SocketLimits{PerRun: 10, PerAddr: 3, Total: 10}, 2, 3},
		{"in total", SocketLimits{PerRun: 10, PerAddr: 10, Total: 4}, 3, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, _ := newTestServerWith(t, runs.Config{PerClient: 10}, RunSockets(tc.limits))
			var ids []string
			for range tc.runs {
				ids = append(ids, ts.startRun(t, `{"wait":"10s"}`))
			}
			for i := range tc.ok {
				if _, status := ts.dialStatus(t, "/runs/"+ids[i%tc.runs]+"/events"); status != http.StatusSwitchingProtocols {
					t.Fatalf("socket %d: got %d, want it open", i, status)
				}
			}
			if _, status := ts.dialStatus(t, "/runs/"+ids[tc.ok%tc.runs]+"/events"); status != http.StatusTooManyRequests {
				t.Fatalf("one past the cap: got %d, want 429", status)
			}
		})
	}
}

func TestRunSocketCapFreed(t *testing.T) {
	ts, _ := newTestServerWith(t, runs.Config{}, RunSockets(SocketLimits{PerRun: 1}))
	id := ts.startRun(t, `{"wait":"10s"}`)
	conn, _ := ts.dialStatus(t, "/runs/"+id+"/events")
	conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, status := ts.dialStatus(t, "/runs/"+id+"/events")
		if status == http.StatusSwitchingProtocols {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed socket's place: still %d after 5s, want it given back", status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
