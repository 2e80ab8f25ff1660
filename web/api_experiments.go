package web

import (
	"net/http"

	"concurrencylab/lab"
	"concurrencylab/web/internal/serve"
)

// experimentJSON is one experiment as GET /api/experiments lists it.
type experimentJSON struct {
	lab.Info
	Params []lab.Param `json:"params"` // every parameter, variants and repeat included
	URL    string      `json:"url"`
}

// listExperiments answers GET /api/experiments.
func (s *Server) listExperiments(w http.ResponseWriter, r *http.Request) {
	out := []experimentJSON{}
	for _, e := range s.runs.Experiments() {
		info := e.Info()
		out = append(out, experimentJSON{Info: info, Params: lab.AllParams(info), URL: "/experiments/" + info.ID})
	}
	serve.JSON(w, http.StatusOK, map[string]any{"experiments": out})
}
