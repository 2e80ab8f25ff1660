package web

import (
	"net/http"

	"concurrencylab/web/internal/serve"
	"concurrencylab/web/templates"
)

// catalogPage lists every experiment.
func (s *Server) catalogPage(w http.ResponseWriter, r *http.Request) {
	m := templates.Catalog{Page: templates.Page{Title: "Experiments", Nonce: serve.Nonce(r)}}
	for _, e := range s.runs.Experiments() {
		info := e.Info()
		card := templates.ExperimentCard{ID: info.ID, Title: info.Title, Summary: info.Summary, URL: "/experiments/" + info.ID}
		for _, v := range info.Variants {
			card.Variants = append(card.Variants, v.Name)
		}
		m.Experiments = append(m.Experiments, card)
	}
	s.render(w, r, http.StatusOK, templates.CatalogPage(m))
}
