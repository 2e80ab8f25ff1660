package web

import (
	"concurrencylab/lab/runs"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// sendHost sends a request whose Host header is host.
func (ts *testServer) sendHost(t *testing.T, method, path, host, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
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

func TestHostCheck(t *testing.T) {
	hosts := HostsOf("http://lab.example.org:8080", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, []string{"class.example.net", "192.0.2.7"})
	ts, _ := newTestServerWith(t, runs.Config{}, AllowHosts(hosts))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	run := `{"experiment":"fake"}`
	tests := []struct {
		name, method, path, host, body string
		headers                        []string
		want                           int
		json                           bool // a refusal is {"error": ...}
	}{
		{"the test listener's address", "GET", "/api/experiments", "127.0.0.1:" + port, "", nil, 200, false},
		{"localhost", "GET", "/", "localhost:" + port, "", nil, 200, false},
		{"loopback IPv6", "GET", "/api/experiments", "[::1]:" + port, "", nil, 200, false},
		{"the public URL's host", "GET", "/api/experiments", "lab.example.org:8080", "", nil, 200, false},
		{"the public URL's host, upper case, trailing dot", "GET", "/api/experiments", "LAB.Example.org.", "", nil, 200, false},
		{"an allowed host", "GET", "/api/experiments", "class.example.net", "", nil, 200, false},
		{"an allowed address", "GET", "/api/experiments", "192.0.2.7:" + port, "", nil, 200, false},
		{"a foreign name", "GET", "/api/experiments", "evil.example", "", nil, 421, true},
		{"a foreign name for a page", "GET", "/", "evil.example:" + port, "", nil, 421, false},
		{"a foreign address", "GET", "/api/experiments", "198.51.100.1", "", nil, 421, true},
		{"a foreign name's subdomain of an allowed one", "GET", "/api/experiments", "x.class.example.net", "", nil, 421, true},
		{"a foreign Host and Origin POST (DNS rebinding)", "POST", "/api/runs", "evil.example:" + port, run,
			[]string{"Origin", "http://evil.example:" + port, "Content-Type", "application/json"}, 421, true},
		{"the same POST at the server's name", "POST", "/api/runs", "localhost:" + port, run,
			[]string{"Origin", "http://localhost:" + port, "Content-Type", "application/json"}, 201, false},
		{"healthz answers any host", "GET", "/healthz", "evil.example", "", nil, 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := ts.sendHost(t, tc.method, tc.path, tc.host, tc.body, tc.headers...)
			if status != tc.want {
				t.Fatalf("Host %q: got %d %s, want %d", tc.host, status, body, tc.want)
			}
			if status != http.StatusMisdirectedRequest {
				return
			}
			name := tc.host
			if !strings.Contains(body, name) {
				t.Errorf("Host %q refused with %q: want a message naming the host", tc.host, body)
			}
			var e struct{ Error string }
			isJSON := json.Unmarshal([]byte(body), &e) == nil && e.Error != ""
			if isJSON != tc.json || (!tc.json && !strings.HasPrefix(h.Get("Content-Type"), "text/plain")) {
				t.Errorf("Host %q refused with %s (%s): want JSON %v", tc.host, body, h.Get("Content-Type"), tc.json)
			}
		})
	}
}

func TestCheckHostList(t *testing.T) {
	for _, tc := range []struct {
		list string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"lab.example.org, 192.0.2.1 ,[2001:db8::1]", []string{"lab.example.org", "192.0.2.1", "[2001:db8::1]"}, ""},
		{"http://lab.example.org", nil, `"http://lab.example.org"`},
		{"lab.example.org:8080", nil, "without scheme or port"},
		{"bad host/path", nil, "not a host name"},
	} {
		got, err := CheckHostList(tc.list)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckHostList(%q): got error %v, want one naming %s", tc.list, err, tc.err)
		case tc.err == "" && (err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|")):
			t.Errorf("CheckHostList(%q): got %q, %v, want %q", tc.list, got, err, tc.want)
		}
	}
}
