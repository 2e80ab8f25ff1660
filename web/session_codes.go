package web

import (
	"context"
	"net/http"
	"strings"
)

// Room codes are short, so they must not be guessable by asking: each
// client may look up at most lookupBurst unknown codes at once, then
// lookupsPerMinute a minute. Past that, every lookup from the client is
// answered 429 with Retry-After, known codes too (else the answer would
// still tell a right guess from a wrong one). A mistyped code is no
// event for the operator, and a guesser would flood the log: unknown codes
// and the refusals are logged at debug.
const (
	lookupsPerMinute = 30
	lookupBurst      = 60
)

// isCodeLookup reports whether a route looks a session up by its code.
func isCodeLookup(pattern string) bool {
	return strings.Contains(pattern, "{code}") || pattern == "GET /sessions"
}

// codeLookups wraps a handler that looks up a room code with the limit on
// unknown codes.
func (s *Server) codeLookups(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hubs == nil {
			next.ServeHTTP(w, r)
			return
		}
		client := s.client(r)
		if ok, wait := s.hubs.lookups.peek(client); !ok {
			quiet(r.Context()) // a guesser would flood the log
			s.refuse(w, r, s.hubs.lookups, wait, !wantsJSON(r))
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusNotFound {
			s.hubs.lookups.take(client)
			quiet(r.Context())
		}
	})
}

// noteKey keys a request's *requestNote in its context.
type noteKey struct{}

// requestNote is what handlers tell the request log.
type requestNote struct {
	quiet bool // an expected 4xx: log it at debug
}

// withNote returns ctx with a fresh note for the request log.
func withNote(ctx context.Context) (context.Context, *requestNote) {
	n := &requestNote{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// quiet asks the request log to log this request at debug.
func quiet(ctx context.Context) {
	if n, ok := ctx.Value(noteKey{}).(*requestNote); ok {
		n.quiet = true
	}
}
