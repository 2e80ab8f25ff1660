package workshop

import (
	"net/http"
	"strings"

	"concurrencylab/web/internal/serve"
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
		// Every lookup spends a token before it is answered and gets it
		// back if the code was known: checking first and spending after
		// a miss let 50 lookups at once all pass the check (61-100
		// answered where 60 were allowed).
		client := s.client(r)
		if ok, wait := s.hubs.lookups.Take(client); !ok {
			serve.Quiet(r.Context()) // a guesser would flood the log
			serve.Refuse(s.log, w, r, s.hubs.lookups, wait, !serve.WantsJSON(r))
			return
		}
		sw := &serve.StatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.Status == http.StatusNotFound {
			serve.Quiet(r.Context())
		} else {
			s.hubs.lookups.Refund(client)
		}
	})
}
