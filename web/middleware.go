package web

import (
	"log/slog"
	"net/http"
	"time"

	"concurrencylab/web/internal/serve"
)

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &serve.StatusWriter{ResponseWriter: w}
		ctx, note := serve.WithNote(r.Context())
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		if sw.Status == 0 {
			sw.Status = http.StatusOK
		}
		level := slog.LevelDebug
		if sw.Status >= 500 {
			level = slog.LevelError
		} else if sw.Status >= 400 && !note.Quiet {
			level = slog.LevelInfo
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.Status, "duration_ms", time.Since(start).Milliseconds())
	})
}

// recoverPanics turns a handler's panic into a 500, logged once, so one bad
// request cannot take the server down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.log.Error("handler panic", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
