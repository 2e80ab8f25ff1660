package web

import (
	"net/http"

	"github.com/a-h/templ"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// MaxBodyBytes bounds a request body; larger ones get 413.
const MaxBodyBytes = serve.MaxBodyBytes

// pageError renders the error page with the given status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	serve.PageError(s.log, w, r, status, msg)
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	serve.Render(s.log, w, r, status, c)
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	serve.Error(w, http.StatusNotFound, "no API endpoint "+r.Method+" "+errs.Truncate(r.URL.Path, serve.MaxQuoted))
}

// pageNotFound answers a path that is no page. Under /api/ the API's
// own fallback answers, in JSON.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.pageError(w, r, http.StatusNotFound, "There is no page at "+errs.Truncate(r.URL.Path, serve.MaxQuoted)+".")
}
