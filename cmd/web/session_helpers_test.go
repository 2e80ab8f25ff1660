package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// These helpers build no racy code, so the session tests run under -race:
// their runs use the race experiment's sequential variant only.

// sessionRun is a small, correct run: the race experiment's sequential
// variant, which has no data race.
const sessionRun = `{"goroutines": 2, "increments": 1000, "repeat": 1, "variants": "sequential"}`

// call sends a JSON request with an optional bearer key and decodes the
// answer into a map.
func call(t testing.TB, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
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
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return res.StatusCode, out
}

// created is what POST /api/sessions answers.
type created struct {
	ID, Code, Key          string
	JoinURL, InstructorURL string
}

func createSession(t testing.TB, base string) created {
	t.Helper()
	status, out := call(t, "POST", base+"/api/sessions", "", "")
	if status != http.StatusCreated {
		t.Fatalf("POST /api/sessions: got %d %v, want 201", status, out)
	}
	c := created{}
	c.ID, _ = out["id"].(string)
	c.Code, _ = out["code"].(string)
	c.Key, _ = out["key"].(string)
	c.JoinURL, _ = out["join_url"].(string)
	c.InstructorURL, _ = out["instructor_url"].(string)
	return c
}

// wsURL turns an http base URL and a path into a ws:// URL.
func wsURL(base, path string) string { return "ws" + strings.TrimPrefix(base, "http") + path }

// A socket is one session socket, read by its own goroutine.
type socket struct {
	conn   *websocket.Conn
	mu     sync.Mutex // guards events and changed
	events []map[string]any
	times  []time.Time // when each event arrived
	change chan struct{}
	done   chan struct{} // closed when the reader stops
	err    error         // why it stopped; read after done
}

func dialSession(t testing.TB, base, code, query string) *socket {
	t.Helper()
	s, err := tryDial(base, code, query, nil)
	if err != nil {
		t.Fatalf("dial session %s?%s: %v", code, query, err)
	}
	t.Cleanup(s.close)
	return s
}

func tryDial(base, code, query string, header http.Header) (*socket, error) {
	path := "/sessions/" + code + "/events"
	if query != "" {
		path += "?" + query
	}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	conn, res, err := d.Dial(wsURL(base, path), header)
	if err != nil {
		if res != nil {
			return nil, &dialError{res.StatusCode, err}
		}
		return nil, err
	}
	s := &socket{conn: conn, change: make(chan struct{}), done: make(chan struct{})}
	go s.read()
	return s, nil
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string {
	return e.err.Error() + " (status " + http.StatusText(e.status) + ")"
}

func (s *socket) read() {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			s.err = err
			return
		}
		var e map[string]any
		json.Unmarshal(data, &e)
		s.mu.Lock()
		s.events = append(s.events, e)
		s.times = append(s.times, time.Now())
		close(s.change)
		s.change = make(chan struct{})
		s.mu.Unlock()
	}
}

func (s *socket) close() {
	s.conn.Close()
	<-s.done
}

// waitFor waits until an event after index from satisfies match and
// returns it, its index and when it arrived.
func (s *socket) waitFor(t testing.TB, from int, what string, match func(map[string]any) bool) (map[string]any, int, time.Time) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for i := from; ; {
		s.mu.Lock()
		for ; i < len(s.events); i++ {
			if match(s.events[i]) {
				e, at := s.events[i], s.times[i]
				s.mu.Unlock()
				return e, i, at
			}
		}
		change := s.change
		s.mu.Unlock()
		select {
		case <-change:
		case <-s.done:
			t.Fatalf("socket closed (%v) before %s", s.err, what)
		case <-deadline:
			t.Fatalf("no %s within 60s", what)
		}
	}
}

// typed matches events of type typ whose typ field is not null, and more.
func typed(typ string, more func(body map[string]any) bool) func(map[string]any) bool {
	return func(e map[string]any) bool {
		if e["type"] != typ {
			return false
		}
		body, _ := e[typ].(map[string]any)
		if body == nil {
			return false
		}
		return more == nil || more(body)
	}
}

// round matches a push event of round n.
func round(n int) func(map[string]any) bool {
	return typed("push", func(p map[string]any) bool { return p["round"] == float64(n) })
}

// readRun reads a run's event socket to its end and returns its events.
func readRun(t testing.TB, base, path string) []map[string]any {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(base, path), nil)
	if err != nil {
		t.Errorf("dial %s: %v", path, err)
		return nil
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(120 * time.Second))
	var events []map[string]any
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("%s ended with %v, want a normal closure", path, err)
			}
			return events
		}
		var e map[string]any
		json.Unmarshal(bytes.TrimSpace(data), &e)
		events = append(events, e)
	}
}
