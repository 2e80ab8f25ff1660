package web

import (
	"encoding/json"
	"net/http"

	"concurrencylab/lab/errs"
	"concurrencylab/web/templates"
)

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// statuses answers each kind of error (lab/errs) with its HTTP status.
var statuses = map[errs.Kind]int{
	errs.Invalid:       http.StatusBadRequest,
	errs.NotFound:      http.StatusNotFound,
	errs.Forbidden:     http.StatusForbidden,
	errs.Conflict:      http.StatusConflict,
	errs.Busy:          http.StatusTooManyRequests,
	errs.Unavailable:   http.StatusServiceUnavailable,
	errs.Unprocessable: http.StatusUnprocessableEntity,
	errs.NoSpace:       http.StatusInsufficientStorage,
}

// statusOf is the HTTP status that answers err: its kind's, or 500 for
// an error of no kind (the server failed).
func statusOf(err error) int {
	if status, ok := statuses[errs.KindOf(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// apiError writes {"error": msg} with the given status.
func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// pageError renders the error page with the given status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, templates.ErrorView(templates.ErrorPage{
		Page:    templates.Page{Title: http.StatusText(status), Nonce: nonce(r)},
		Status:  status,
		Message: msg,
	}))
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "no API endpoint "+r.Method+" "+errs.Truncate(r.URL.Path, maxQuoted))
}

// pageNotFound answers a path that is no page. Under /api/ the API's
// own fallback answers, in JSON.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.pageError(w, r, http.StatusNotFound, "There is no page at "+errs.Truncate(r.URL.Path, maxQuoted)+".")
}

// maxQuoted is the most bytes of user input (a path, a name) quoted in a message.
const maxQuoted = 80
