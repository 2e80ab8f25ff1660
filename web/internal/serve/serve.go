// Package serve holds what every HTTP package of the lab needs: JSON
// answers and the one status for each kind of error, pages and their
// script nonce, the client's address and per-client rate limits, and the
// websocket keepalive. The site (web) and its optional parts
// (web/workshop, web/clips) all answer through it, alike.
package serve

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"concurrencylab/lab/errs"
	"concurrencylab/web/templates"
)

// MaxQuoted is the most bytes of user input (a path, a name) quoted in a
// message.
const MaxQuoted = 80

// A Route is one pattern of a site's route table and its handler.
type Route struct {
	Pattern string
	Handler http.Handler
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

// StatusOf is the HTTP status that answers err: its kind's, or 500 for
// an error of no kind (the server failed).
func StatusOf(err error) int {
	if status, ok := statuses[errs.KindOf(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// JSON writes v as JSON with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// Error writes {"error": msg} with the given status.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// WantsJSON reports whether errors for r are answered as JSON: the API
// and the websockets are.
func WantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasSuffix(r.URL.Path, "/events")
}

// Bearer returns the key of an Authorization: Bearer header.
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Render writes a page with the given status. It renders into a buffer
// first so a failing component becomes a clean 500, not half a page.
func Render(log *slog.Logger, w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(templ.WithNonce(r.Context(), Nonce(r)), &buf); err != nil {
		log.Error("render page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// PageError renders the error page with the given status.
func PageError(log *slog.Logger, w http.ResponseWriter, r *http.Request, status int, msg string) {
	Render(log, w, r, status, templates.ErrorView(templates.ErrorPage{
		Page:    templates.Page{Title: http.StatusText(status), Nonce: Nonce(r)},
		Status:  status,
		Message: msg,
	}))
}

type nonceKey struct{}

// SecureHeaders sets a content security policy with a fresh nonce for the
// page's scripts (and the style element the code editor makes, which
// carries the same nonce), and the usual hardening headers.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		nonce := base64.StdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+
			"'; style-src 'self' 'nonce-"+nonce+"'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}

// Nonce returns the CSP nonce of the request.
func Nonce(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}

// noteKey keys a request's *Note in its context.
type noteKey struct{}

// A Note is what handlers tell the request log.
type Note struct {
	Quiet bool // an expected 4xx: log it at debug
}

// WithNote returns ctx with a fresh note for the request log.
func WithNote(ctx context.Context) (context.Context, *Note) {
	n := &Note{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// Quiet asks the request log to log this request at debug.
func Quiet(ctx context.Context) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.Quiet = true
	}
}
