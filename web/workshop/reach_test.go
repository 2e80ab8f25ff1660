package workshop

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestSessionPublicURL checks that with a public URL the join link, the
// instructor link, the QR code and the console carry it, whatever address
// the request came to, and that the console then has no reach warning.
func TestSessionPublicURL(t *testing.T) {
	ts, _, _ := newSessionServerOpts(t, Options{PublicURL: "http://lab.example.org:8080/"}, func(*Server) {})
	status, out := ts.do(t, "POST", "/api/sessions", "", "")
	if status != http.StatusCreated {
		t.Fatalf("POST /api/sessions: got %d %v", status, out)
	}
	code := out["code"].(string)
	if got, want := out["join_url"], "http://lab.example.org:8080/sessions/"+code; got != want {
		t.Errorf("join_url: got %v, want %v", got, want)
	}
	if got, want := out["instructor_url"], "http://lab.example.org:8080/sessions/"+code+"/console#key="+out["key"].(string); got != want {
		t.Errorf("instructor_url: got %v, want %v", got, want)
	}
	if _, view := ts.do(t, "GET", "/api/sessions/"+code, "", ""); view["join_url"] != "http://lab.example.org:8080/sessions/"+code {
		t.Errorf("GET join_url: got %v, want it on the public URL", view["join_url"])
	}
	_, qr := ts.get(t, "/sessions/"+code+"/qr.svg")
	if !strings.Contains(qr, "<title>QR code: http://lab.example.org:8080/sessions/"+code+"</title>") {
		t.Errorf("QR code does not hold the public join link: %.200s", qr)
	}
	_, body := ts.get(t, "/sessions/"+code+"/console")
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if k := byID(doc, "reach-warning"); k != nil {
		t.Errorf("console warns %q although the server has a public URL", textOf(k))
	}
	var kicker, caption string
	walk(doc, func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && hasClass(n, "sess-kicker"):
			kicker = textOf(n)
		case n.Type == html.ElementNode && n.Data == "figcaption":
			caption = textOf(n)
		}
	})
	if !strings.Contains(kicker, "lab.example.org:8080/sessions") || caption != "http://lab.example.org:8080/sessions/"+code {
		t.Errorf("console shows %q and %q, want the public address", kicker, caption)
	}
}

// TestSessionReachWarning checks the console's warning when it is opened
// at a loopback address without a public URL: the machine's addresses to
// open it at, or, on a server that listens on loopback only, how to start
// it so phones reach it; none at another address. The Host header is the
// client's, so the warning escapes it.
func TestSessionReachWarning(t *testing.T) {
	lan := func() []net.IP { return []net.IP{net.ParseIP("192.168.1.20"), net.ParseIP("2001:db8::7")} }
	tests := []struct {
		name   string
		listen net.Addr
		host   string
		want   []string // the choices' texts; nil: no warning
		only   bool     // the loopback-only message
	}{
		{name: "localhost", host: "localhost:8080", want: []string{"192.168.1.20:8080", "[2001:db8::7]:8080"}},
		{name: "127.0.0.1", host: "127.0.0.1:18080", listen: &net.TCPAddr{IP: net.IPv4zero, Port: 18080}, want: []string{"192.168.1.20:18080", "[2001:db8::7]:18080"}},
		{name: "::1 with no port", host: "[::1]", want: []string{"192.168.1.20", "[2001:db8::7]"}},
		{name: "listening on loopback only", host: "localhost:8080", listen: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, want: []string{}, only: true},
		{name: "listening on one address", host: "localhost:8080", listen: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 8080}, want: []string{"10.0.0.5:8080"}},
		{name: "LAN address", host: "192.168.1.20:8080"},
		{name: "a name", host: "lab.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, srv := newSessionServerWith(t, func(s *Server) { s.lanIPs = lan; s.listen = tt.listen })
			code, key := newSessionDirect(t, srv)
			doc := getPage(t, srv, "/sessions/"+code+"/console", tt.host)
			warn := byID(doc, "reach-warning")
			if tt.want == nil {
				if warn != nil {
					t.Fatalf("got a warning %q, want none", textOf(warn))
				}
				return
			}
			if warn == nil {
				t.Fatal("got no warning, want one")
			}
			got := []string{}
			walk(warn, func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "a" && hasClass(n, "reach-link") {
					got = append(got, textOf(n))
					if want := "http://" + textOf(n) + "/sessions/" + code + "/console"; attr(n, "href") != want {
						t.Errorf("link %q: got href %q, want %q", textOf(n), attr(n, "href"), want)
					}
					if strings.Contains(attr(n, "href"), key) {
						t.Error("the page carries the key")
					}
				}
			})
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("choices: got %q, want %q", got, tt.want)
			}
			if text := textOf(warn); strings.Contains(text, "listens on a loopback address only") != tt.only {
				t.Errorf("loopback-only message: got %q, want it %v", text, tt.only)
			}
		})
	}

	t.Run("escapes the Host header", func(t *testing.T) {
		_, _, srv := newSessionServerWith(t, func(s *Server) { s.lanIPs = lan })
		code, _ := newSessionDirect(t, srv)
		evil := `localhost:80"><img src=x onerror=alert(1)>`
		doc := getPage(t, srv, "/sessions/"+code+"/console", evil)
		if n := countElements(doc, "img", "onerror"); n > 0 {
			t.Errorf("got %d injected img elements", n)
		}
		if h := textOf(byID(doc, "reach-h")); !strings.Contains(h, evil) {
			t.Errorf("warning heading: got %q, want the host as text", h)
		}
	})
}

// TestLoopbackHost checks which Host headers name this machine only.
func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST.:80": true, "app.localhost:1": true,
		"127.0.0.1:8080": true, "127.3.4.5": true, "[::1]:8080": true, "[::1]": true,
		"192.168.1.2:8080": false, "lab.example.org": false, "[2001:db8::1]:80": false, "notlocalhost": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q): got %v, want %v", host, got, want)
		}
	}
}

// newSessionDirect creates a session through srv's handler.
func newSessionDirect(t *testing.T, srv *Server) (code, key string) {
	t.Helper()
	rec := httptest.NewRecorder()
	handler(srv).ServeHTTP(rec, httptest.NewRequest("POST", "/api/sessions", nil))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/sessions: got %d %s", rec.Code, rec.Body)
	}
	var out struct{ Code, Key string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Code, out.Key
}

// getPage requests a page of srv with the given Host header and parses it.
func getPage(t *testing.T, srv *Server, path, host string) *html.Node {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Host = host
	rec := httptest.NewRecorder()
	handler(srv).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: got %d", path, rec.Code)
	}
	doc, err := html.Parse(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func byID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	return found
}
