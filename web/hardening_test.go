package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"concurrencylab/lab"
)

// do sends one request with the given headers and returns the status, the
// response headers and the body.
func (ts *testServer) send(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestCrossSiteWrites(t *testing.T) {
	ts := newTestServer(t, lab.Config{})
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
	ts := newTestServer(t, lab.Config{})
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
	ts := newTestServer(t, lab.Config{})
	for _, body := range []string{`{"Experiment":"fake"}`, `{"experiment":"fake","PARAMS":{}}`} {
		status, _, got := ts.send(t, "POST", "/api/runs", body, "Content-Type", "application/json")
		if status != http.StatusBadRequest || !strings.Contains(got, "case-sensitive") {
			t.Errorf("POST %s: got %d %s, want 400 saying names are case-sensitive", body, status, got)
		}
	}
}
