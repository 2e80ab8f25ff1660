// Package code serves learners' own variants: POST /api/code checks,
// builds and keeps a file, GET /api/code/{id} gives it back. Main mounts
// it with web.With; where editing is off, it answers why.
package code

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"concurrencylab/lab/code"
	"concurrencylab/lab/errs"
	"concurrencylab/web/internal/serve"
)

// maxBody bounds POST /api/code: a file at the limit, escaped in JSON.
const maxBody = 4 * code.MaxSource

// checkWait bounds how long a check waits for a runner slot and builds.
const checkWait = 90 * time.Second

// A Checker checks and keeps learners' files (code.Service).
type Checker interface {
	Check(ctx context.Context, experiment, src, client string) (code.Source, error)
	Source(ctx context.Context, id string) (code.Source, error)
}

var _ Checker = (*code.Service)(nil)

// Server answers the code routes.
type Server struct {
	log     *slog.Logger
	checker Checker // nil: editing is off
	off     string  // why editing is off
	trusted []netip.Prefix
}

// New returns the routes of checker; with checker nil, every route says
// that editing is off, and why.
func New(log *slog.Logger, checker Checker, why string, trusted []netip.Prefix) *Server {
	return &Server{log: log, checker: checker, off: why, trusted: trusted}
}

// Routes implements web.Feature.
func (s *Server) Routes() []serve.Route {
	return []serve.Route{
		{Pattern: "POST /api/code", Handler: http.HandlerFunc(s.check)},
		{Pattern: "GET /api/code/{id}", Handler: http.HandlerFunc(s.source)},
		{Pattern: "POST /api/format", Handler: http.HandlerFunc(s.format)},
	}
}

// checkRequest is the body of POST /api/code.
type checkRequest struct {
	Experiment string `json:"experiment"`
	Code       string `json:"code"`
}

// check answers POST /api/code: 201 {"id", "vet"}, or 422 {"error",
// "problems"} with the learner's own lines.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	if s.checker == nil {
		serve.Error(w, http.StatusServiceUnavailable, "editing is off on this server: "+s.off)
		return
	}
	var req checkRequest
	if status, err := serve.DecodeJSONUpTo(w, r, &req, maxBody); err != nil {
		if status == http.StatusRequestEntityTooLarge {
			err = fmt.Errorf("%v: your code may be at most %d bytes", err, code.MaxSource)
		}
		serve.Error(w, status, err.Error())
		return
	}
	if req.Experiment == "" {
		serve.Error(w, http.StatusBadRequest, `experiment is missing: send {"experiment": "race", "code": "package yours ..."}`)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkWait)
	defer cancel()
	src, err := s.checker.Check(ctx, req.Experiment, req.Code, serve.ClientOf(r, s.trusted))
	var pe *code.ProblemsError
	switch {
	case err == nil:
		serve.JSON(w, http.StatusCreated, map[string]any{"id": src.ID, "vet": nonNil(src.Vet)})
	case errors.As(err, &pe):
		serve.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": pe.Msg, "problems": nonNil(pe.Problems)})
	case errors.Is(err, code.ErrBusy):
		w.Header().Set("Retry-After", "5")
		serve.Error(w, http.StatusTooManyRequests, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		serve.Error(w, http.StatusServiceUnavailable, "the lab's cores stayed busy with runs: try again in a minute")
	case errs.KindOf(err) == errs.Invalid:
		serve.Error(w, http.StatusBadRequest, err.Error())
	case r.Context().Err() != nil:
		return // the asker left
	default:
		s.log.Error("check a learner's code", "experiment", req.Experiment, "err", err)
		serve.Error(w, http.StatusInternalServerError, "the lab could not build your code; try again")
	}
}

// format answers POST /api/format {"code"}: 200 {"code"} as gofmt
// writes it, or 422 {"error", "problems"} where it does not parse. It
// parses and prints only, so it answers where editing is off too.
func (s *Server) format(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if status, err := serve.DecodeJSONUpTo(w, r, &req, maxBody); err != nil {
		if status == http.StatusRequestEntityTooLarge {
			err = fmt.Errorf("%v: your code may be at most %d bytes", err, code.MaxSource)
		}
		serve.Error(w, status, err.Error())
		return
	}
	out, problems := code.Format(req.Code)
	if problems != nil {
		serve.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "gofmt could not read your code", "problems": problems})
		return
	}
	serve.JSON(w, http.StatusOK, map[string]string{"code": out})
}

// source answers GET /api/code/{id}: {"id", "experiment", "code", "vet",
// "created"}.
func (s *Server) source(w http.ResponseWriter, r *http.Request) {
	if s.checker == nil {
		serve.Error(w, http.StatusServiceUnavailable, "editing is off on this server: "+s.off)
		return
	}
	src, err := s.checker.Source(r.Context(), r.PathValue("id"))
	if err != nil {
		status := serve.StatusOf(err)
		if status == http.StatusInternalServerError {
			s.log.Error("load a learner's code", "id", r.PathValue("id"), "err", err)
			serve.Error(w, status, "the code could not be read; try again")
			return
		}
		serve.Error(w, status, err.Error())
		return
	}
	src.Vet = nonNil(src.Vet)
	serve.JSON(w, http.StatusOK, src)
}

func nonNil(ps []code.Problem) []code.Problem {
	if ps == nil {
		return []code.Problem{}
	}
	return ps
}
