package web

import (
	"net/http"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/runner"
	"concurrencylab/web/internal/serve"
)

// runTrace serves the raw execution trace of a run's variant, recorded
// with trace=true, as a file `go tool trace` opens: the very run the page
// shows.
func (s *Server) runTrace(w http.ResponseWriter, r *http.Request) {
	id, variant := r.PathValue("id"), r.PathValue("variant")
	path, err := s.runs.TraceFile(id, variant)
	if err != nil {
		serve.Error(w, serve.StatusOf(err), "run "+errs.Truncate(id, serve.MaxQuoted)+", variant "+errs.Truncate(variant, serve.MaxQuoted)+": "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+"-"+runner.TraceFile(variant)+`"`)
	http.ServeFile(w, r, path)
}
