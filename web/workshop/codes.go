package workshop

import (
	"bufio"
	"net"
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
		lw := &lookupWriter{StatusWriter: serve.StatusWriter{ResponseWriter: w}, refund: func() { s.hubs.lookups.Refund(client) }}
		next.ServeHTTP(lw, r)
		lw.answered(http.StatusOK)
		if lw.Status == http.StatusNotFound {
			serve.Quiet(r.Context())
		}
	})
}

// A lookupWriter gives the lookup's token back as soon as the answer is
// known not to be 404: a socket that stays open for hours must not hold
// its address's token all that time.
type lookupWriter struct {
	serve.StatusWriter
	refund func()
	done   bool
}

// answered refunds the token unless status is 404, once.
func (w *lookupWriter) answered(status int) {
	if w.done {
		return
	}
	w.done = true
	if w.Status != 0 {
		status = w.Status
	}
	if status != http.StatusNotFound {
		w.refund()
	}
}

func (w *lookupWriter) WriteHeader(code int) {
	w.StatusWriter.WriteHeader(code)
	w.answered(code)
}

func (w *lookupWriter) Write(b []byte) (int, error) {
	w.answered(http.StatusOK)
	return w.StatusWriter.Write(b)
}

// Hijack hands the connection to the websocket upgrader: the code was
// known.
func (w *lookupWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := w.StatusWriter.Hijack()
	w.answered(http.StatusSwitchingProtocols)
	return c, rw, err
}
