package workshop

import (
	"slices"

	"concurrencylab/lab"
	"concurrencylab/web/templates"
)

// withoutYours returns m without the learner's own variant: its checkbox
// and its editor. The console pushes the lab's variants; a learner's page
// offers yours only in a round the instructor opened to it.
func withoutYours(m templates.ExperimentPage) templates.ExperimentPage {
	m.Variants = slices.DeleteFunc(slices.Clone(m.Variants), func(v templates.VariantChoice) bool { return v.Name == lab.Yours })
	m.Edit = nil
	return m
}

// editable reports whether learners may write their own variant of info
// on this server.
func (s *Server) editable(info lab.Info) bool { return info.Edit != nil && s.editOff == "" }
