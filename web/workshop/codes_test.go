package workshop

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"concurrencylab/web/internal/serve"
)

// syncBuffer is a log destination the handlers and the test share.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestUnknownCodeLookupsLimited(t *testing.T) {
	var logs syncBuffer
	ts, _, _ := newSessionServerWith(t, func(s *Server) {
		s.hubs.lookups = serve.NewRateLimit("lookups of unknown room codes", 1, 3)
		s.log = slog.New(slog.NewTextHandler(&logs, nil)) // info and above
	})
	code, _ := ts.newSession(t)
	// Known codes spend nothing.
	for range 5 {
		if status, _, body := ts.send(t, "GET", "/api/sessions/"+code, ""); status != http.StatusOK {
			t.Fatalf("known code: got %d %s, want 200", status, body)
		}
	}
	unknown := []string{"/api/sessions/ZZZZZZ", "/sessions/ZZZZZY", "/sessions?code=ZZZZZX"}
	for _, path := range unknown {
		if status, _, body := ts.send(t, "GET", path, ""); status != http.StatusNotFound {
			t.Fatalf("GET %s: got %d %s, want 404", path, status, body)
		}
	}
	// The client's unknown lookups are spent: every lookup now waits,
	// a right guess too, so the answer tells nothing.
	for _, path := range []string{"/api/sessions/ZZZZZW", "/api/sessions/" + code, "/sessions/" + code} {
		status, h, body := ts.send(t, "GET", path, "")
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "unknown room codes") {
			t.Errorf("GET %s past the limit: got %d (Retry-After %q) %s, want 429 with Retry-After", path, status, h.Get("Retry-After"), body)
		}
	}
	if strings.Contains(logs.String(), "ZZZZZ") {
		t.Errorf("unknown codes logged at info or above:\n%s", logs.String())
	}
}
