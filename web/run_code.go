package web

import (
	"context"
	"fmt"
	"net/url"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
	"concurrencylab/lab/runs"
	"concurrencylab/web/templates"
)

// A CodeStore gives back learners' checked files by id (the store of
// lab/code).
type CodeStore interface {
	LoadCode(ctx context.Context, id string) (code.Source, error)
}

// Codes lets a run's page show the learner's file its variant yours ran,
// read-only, also where editing is off.
func Codes(store CodeStore) Option { return func(s *Server) { s.codes = store } }

// ranYours returns the learner's file run ran as yours, nil where it ran
// none; a file that cannot be read says so in its place.
func (s *Server) ranYours(ctx context.Context, run runs.Run, shareURL string) *templates.RanCode {
	id := lab.RanYours(run.Params)
	if id == "" {
		return nil
	}
	ran := &templates.RanCode{ID: id, EditURL: shareURL}
	if u, err := url.Parse(shareURL); err == nil {
		// A copy to edit: the same parameters, the lab's variants beside it.
		ran.EditURL = u.String() + "#yours"
	}
	if s.codes == nil {
		ran.Code = "// This server keeps no learners' files."
		return ran
	}
	src, err := s.codes.LoadCode(ctx, id)
	if err != nil {
		s.log.Warn("load the code a run ran", "run", run.ID, "code", id, "err", err)
		ran.Code = fmt.Sprintf("// The file %s could not be read.", id)
		return ran
	}
	ran.Code = src.Code
	return ran
}
