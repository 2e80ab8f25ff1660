package web

import (
	"io/fs"
	"log/slog"
	"net/http"

	"concurrencylab/lab"
	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// A Router is an experiment with HTTP routes of its own, beside the views
// it declares (lab.View): say, a library of inputs its page browses and
// adds to. An experiment implements it with standard types only (it
// imports no web code): routes by Go 1.22 pattern, errors logged to log.
type Router interface {
	Routes(log *slog.Logger) map[string]http.Handler
}

// ExperimentRoutes mounts the routes of every experiment of exps that is
// a Router, behind the same middleware as the site's own; main passes the
// whole catalog, so web names none of them.
func ExperimentRoutes(exps []lab.Experiment) Option {
	return func(s *Server) {
		for _, e := range exps {
			if r, ok := e.(Router); ok {
				s.routers = append(s.routers, r)
			}
		}
	}
}

// experimentRoutes are the routes of the experiments ExperimentRoutes
// mounted.
func (s *Server) experimentRoutes() []serve.Route {
	var rs []serve.Route
	for _, r := range s.routers {
		for pattern, h := range r.Routes(s.log) {
			rs = append(rs, serve.Route{Pattern: pattern, Handler: h})
		}
	}
	return rs
}

// views are the panels and files of the views info declares, for its
// page. A panel the experiment's files lack is left empty and logged: a
// bug of the experiment's, which its tests catch.
func (s *Server) views(info lab.Info) ([]templates.ViewPanel, templates.Assets) {
	var panels []templates.ViewPanel
	var assets templates.Assets
	for _, v := range info.Views {
		p := templates.ViewPanel{Name: v.Name}
		if v.Panel != "" && info.Files != nil {
			b, err := fs.ReadFile(info.Files, v.Panel)
			if err != nil {
				s.log.Error("view panel", "experiment", info.ID, "view", v.Name, "err", err)
			}
			p.Panel = string(b)
		}
		panels = append(panels, p)
		for _, f := range v.Styles {
			assets.Styles = append(assets.Styles, lab.ViewFile(info.ID, f))
		}
		for _, f := range v.Scripts {
			assets.Scripts = append(assets.Scripts, lab.ViewFile(info.ID, f))
		}
	}
	return panels, assets
}

// experimentFiles answers GET /static/experiments/{id}/{name}: a file of
// experiment id's views (lab.Info.Files), cached as /static/ is.
func (s *Server) experimentFiles(w http.ResponseWriter, r *http.Request, id, name string) {
	exp, err := s.runs.Experiment(id)
	if err != nil {
		s.pageNotFound(w, r)
		return
	}
	files := exp.Info().Files
	if files == nil || !fs.ValidPath(name) {
		s.pageNotFound(w, r)
		return
	}
	if info, err := fs.Stat(files, name); err != nil || info.IsDir() {
		s.pageNotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeFileFS(w, r, files, name)
}
