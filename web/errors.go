package web

import (
	"net/http"

	"github.com/a-h/templ"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// maxQuoted is the most bytes of user input (a path, a name) quoted in a
// message.
const maxQuoted = serve.MaxQuoted

// statusOf is the HTTP status that answers err: its kind's (serve.StatusOf).
func statusOf(err error) int { return serve.StatusOf(err) }

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) { serve.JSON(w, status, v) }

// apiError writes {"error": msg} with the given status.
func apiError(w http.ResponseWriter, status int, msg string) { serve.Error(w, status, msg) }

// decodeJSON reads one strict JSON object from a bounded body into v
// (serve.DecodeJSON); it returns the status and a message naming what was
// wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	return serve.DecodeJSON(w, r, v)
}

// MaxBodyBytes bounds a request body; larger ones get 413.
const MaxBodyBytes = serve.MaxBodyBytes

// nonce returns the CSP nonce of the request.
func nonce(r *http.Request) string { return serve.Nonce(r) }

// wantsJSON reports whether errors for r are answered as JSON: the API
// and the websockets are.
func wantsJSON(r *http.Request) bool { return serve.WantsJSON(r) }

// pageError renders the error page with the given status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	serve.PageError(s.log, w, r, status, msg)
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	serve.Render(s.log, w, r, status, c)
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "no API endpoint "+r.Method+" "+errs.Truncate(r.URL.Path, maxQuoted))
}

// pageNotFound answers a path that is no page. Under /api/ the API's
// own fallback answers, in JSON.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.pageError(w, r, http.StatusNotFound, "There is no page at "+errs.Truncate(r.URL.Path, maxQuoted)+".")
}
