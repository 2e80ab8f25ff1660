package web

import (
	"io/fs"
	"net/http"
	"strings"
)

// staticFiles serves the embedded assets under /static/, without
// directory listings, and the files of the experiments' views under
// /static/experiments/ (see experimentFiles).
func (s *Server) staticFiles() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(s.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if rest, ok := strings.CutPrefix(name, "experiments/"); ok {
			id, file, _ := strings.Cut(rest, "/")
			s.experimentFiles(w, r, id, file)
			return
		}
		if info, err := fs.Stat(s.static, name); strings.HasSuffix(name, "/") || err != nil || info.IsDir() {
			s.pageNotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}
