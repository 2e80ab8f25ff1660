package workshop

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestCodeLookupsLimitedUnderConcurrency looks up unknown codes 200 at
// once from one address: no more are answered than the limit allows (each
// lookup spends its token before it is answered), and a known code's
// lookup spends nothing.
func TestCodeLookupsLimitedUnderConcurrency(t *testing.T) {
	const burst = 60
	now := time.Now()
	ts, _, _ := newSessionServerWith(t, func(s *Server) {
		s.hubs.lookups = serve.NewRateLimit("lookups of unknown room codes", lookupsPerMinute, burst)
		s.hubs.lookups.Now = func() time.Time { return now } // no token comes back during the test
	})
	code, _ := ts.newSession(t)
	for range 3 {
		if status, _, body := ts.send(t, "GET", "/api/sessions/"+code, ""); status != http.StatusOK {
			t.Fatalf("known code: got %d %s, want 200", status, body)
		}
	}
	const lookups = 200
	statuses := make(chan int, lookups)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range lookups {
		wg.Go(func() {
			<-start
			resp, err := http.Get(ts.URL + fmt.Sprintf("/api/sessions/Z%05d", i))
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusNotFound] != burst || counts[http.StatusTooManyRequests] != lookups-burst {
		t.Errorf("%d concurrent lookups of unknown codes: got %v, want %d answered 404 and %d refused 429", lookups, counts, burst, lookups-burst)
	}
}

// TestOpenSocketsHoldNoLookups: sockets to a known room stay open for
// hours; each gives its lookup token back as soon as it opens, so an
// address may hold more of them than the lookup burst.
func TestOpenSocketsHoldNoLookups(t *testing.T) {
	const burst = 2
	now := time.Now()
	ts, _, _ := newSessionServerWith(t, func(s *Server) {
		s.hubs.lookups = serve.NewRateLimit("lookups of unknown room codes", lookupsPerMinute, burst)
		s.hubs.lookups.Now = func() time.Time { return now }
	})
	code, _ := ts.newSession(t)
	for i := range 3 * burst {
		conn, status, err := ts.wsDial("/sessions/"+code+"/events?name=L"+fmt.Sprint(i), nil)
		if err != nil {
			t.Fatalf("socket %d of one address: got %d %v, want it open", i+1, status, err)
		}
		defer conn.Close()
	}
}
