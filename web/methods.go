package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// methodsByPath returns, for every path of a method-specific route, the
// methods it answers (GET implies HEAD), so the path can be registered
// once more without a method, to answer the others with 405.
func methodsByPath(routes []serve.Route) map[string][]string {
	out := make(map[string][]string)
	for _, r := range routes {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok {
			continue // a fallback, for every method
		}
		out[path] = append(out[path], method)
		if method == http.MethodGet {
			out[path] = append(out[path], http.MethodHead)
		}
	}
	for path, ms := range out {
		slices.Sort(ms)
		out[path] = slices.Compact(ms)
	}
	return out
}

// methodNotAllowed answers 405 with Allow: JSON under /api/ and on the
// websockets, the error page elsewhere.
func methodNotAllowed(s *Server, methods []string) http.Handler {
	allow := strings.Join(methods, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		msg := fmt.Sprintf("%s %s is not allowed: this path answers %s", r.Method, errs.Truncate(r.URL.Path, serve.MaxQuoted), allow)
		if serve.WantsJSON(r) {
			serve.Error(w, http.StatusMethodNotAllowed, msg)
			return
		}
		s.pageError(w, r, http.StatusMethodNotAllowed, msg+".")
	})
}

// crossSite answers a state-changing request another site's page made.
func (s *Server) crossSite(w http.ResponseWriter, r *http.Request) {
	const msg = "a request from another site's page may not change anything here"
	if serve.WantsJSON(r) {
		serve.Error(w, http.StatusForbidden, msg)
		return
	}
	s.pageError(w, r, http.StatusForbidden, "Refused: "+msg+". Use this site's own pages.")
}
