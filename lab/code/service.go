package code

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runner"
	"concurrencylab/lab/sandbox"
)

// Bounds of the check service.
const (
	// MaxWaiting bounds the builds waiting for a runner slot.
	MaxWaiting = 16
	// perClient bounds the builds one address has under way at once.
	perClient = 1
)

// A Source is a learner's file as checked and kept.
type Source struct {
	ID         string    `json:"id"`
	Experiment string    `json:"experiment"`
	Code       string    `json:"code"`
	Vet        []Problem `json:"vet"`
	Created    time.Time `json:"created"`
}

// A Store keeps learners' checked files by id.
type Store interface {
	SaveCode(ctx context.Context, s Source) error
	// LoadCode returns the file, or an error wrapping lab.ErrNotFound.
	LoadCode(ctx context.Context, id string) (Source, error)
}

// Slots lends a runner slot's CPUs to a build, so that no run's figures
// share cores with a compiler (the run manager is one).
type Slots interface {
	Slot(ctx context.Context) (cpus []int, release func(), err error)
}

// A BuildCounter counts checks by outcome: "ok", "refused" (the lab's
// checks), "failed" (the compiler's errors), "error" (the service's own).
type BuildCounter interface {
	Build(result string)
}

// A Service checks, builds and keeps learners' files.
type Service struct {
	b     *Builder
	store Store
	slots Slots
	exps  map[string]lab.Experiment

	// Builds, if set, counts the checks by outcome (for /metrics).
	Builds BuildCounter

	mu      sync.Mutex // guards waiting and clients
	waiting int
	clients map[string]int
}

// NewService returns a service building with b, keeping files in store
// and taking slots from slots.
func NewService(b *Builder, store Store, slots Slots, exps []lab.Experiment) *Service {
	s := &Service{b: b, store: store, slots: slots, exps: make(map[string]lab.Experiment), clients: make(map[string]int)}
	for _, e := range exps {
		if e.Info().Edit != nil {
			s.exps[e.Info().ID] = e
		}
	}
	return s
}

// A ProblemsError is a file the lab refuses or that does not build: 422.
type ProblemsError struct {
	Msg      string
	Problems []Problem
	built    bool // the compiler's problems, not the lab's checks'
}

func (e *ProblemsError) Error() string { return e.Msg }

// Unwrap makes it an errs.Invalid.
func (e *ProblemsError) Unwrap() error { return errs.Invalid }

// ErrBusy is the error of a check that found too many builds waiting, or
// the address's own build still under way.
var ErrBusy = errors.New("busy")

// ID returns the id of the file src of experiment: the same file has the
// same id.
func ID(experiment, src string) string {
	h := sha256.Sum256([]byte(experiment + "\x00" + src))
	return hex.EncodeToString(h[:])[:20]
}

// Check checks src as a learner's file of experiment, builds and vets it
// on a runner slot, and keeps it; client is the asker's address.
func (s *Service) Check(ctx context.Context, experiment, src, client string) (Source, error) {
	kept, err := s.check(ctx, experiment, src, client)
	if s.Builds != nil {
		var pe *ProblemsError
		switch {
		case err == nil:
			s.Builds.Build("ok")
		case errors.As(err, &pe) && pe.built:
			s.Builds.Build("failed")
		case errors.As(err, &pe), errors.Is(err, errs.Invalid):
			s.Builds.Build("refused")
		case !errors.Is(err, ErrBusy) && ctx.Err() == nil:
			s.Builds.Build("error")
		}
	}
	return kept, err
}

func (s *Service) check(ctx context.Context, experiment, src, client string) (Source, error) {
	exp, ok := s.exps[experiment]
	if !ok {
		return Source{}, fmt.Errorf("%w: experiment %q has no variant of your own (editable: %s)", errs.Invalid, errs.Truncate(experiment, 40), strings.Join(s.Editable(), ", "))
	}
	edit := exp.Info().Edit
	if ps := Check(edit, src); len(ps) > 0 {
		return Source{}, &ProblemsError{Msg: "the lab refuses this file: " + ps[0].String(), Problems: ps}
	}
	if err := s.enter(client); err != nil {
		return Source{}, err
	}
	defer s.leave(client)
	cpus, release, err := s.slots.Slot(ctx)
	if err != nil {
		return Source{}, err
	}
	built, err := s.b.Build(ctx, edit, src, false, cpus)
	release()
	var be *BuildError
	if errors.As(err, &be) {
		return Source{}, &ProblemsError{Msg: be.Error(), Problems: be.Problems, built: true}
	}
	if err != nil {
		return Source{}, err
	}
	src2 := Source{ID: ID(experiment, src), Experiment: experiment, Code: src, Vet: built.Vet, Created: time.Now().UTC()}
	if err := s.store.SaveCode(ctx, src2); err != nil {
		return Source{}, fmt.Errorf("code: keep the file: %w", err)
	}
	return src2, nil
}

// enter counts a build for client, or refuses it.
func (s *Service) enter(client string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients[client] >= perClient {
		return fmt.Errorf("%w: a build of yours is still under way: wait for it", ErrBusy)
	}
	if s.waiting >= MaxWaiting {
		return fmt.Errorf("%w: %d builds are waiting for the lab's cores: try again in a moment", ErrBusy, s.waiting)
	}
	s.waiting++
	s.clients[client]++
	return nil
}

func (s *Service) leave(client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting--
	if s.clients[client]--; s.clients[client] <= 0 {
		delete(s.clients, client)
	}
}

// Warm builds one editable experiment's starting file, on a runner slot,
// so that the compiler's cache holds the standard library's core (the
// runtime, sync, fmt, encoding/json) before the first learner asks: a
// cold build takes half a minute. One is enough: what another harness
// adds compiles in a second or two at its first check, and every build
// here holds a slot that a queued run may be waiting for.
func (s *Service) Warm(ctx context.Context) error {
	for _, id := range s.Editable()[:min(1, len(s.Editable()))] {
		edit := s.exps[id].Info().Edit
		src, err := edit.StartingFile()
		if err != nil {
			return err
		}
		cpus, release, err := s.slots.Slot(ctx)
		if err != nil {
			return err
		}
		_, err = s.b.Build(ctx, edit, src, false, cpus)
		release()
		if err != nil {
			return fmt.Errorf("code: build %s's starting file: %w", id, err)
		}
	}
	return nil
}

// Source returns a kept file.
func (s *Service) Source(ctx context.Context, id string) (Source, error) {
	if !lab.IsCodeID(id) {
		return Source{}, fmt.Errorf("%w: a code id is 20 hexadecimal digits", errs.Invalid)
	}
	return s.store.LoadCode(ctx, id)
}

// Editable lists the experiments learners may write their own variant of.
func (s *Service) Editable() []string {
	ids := make([]string, 0, len(s.exps))
	for id := range s.exps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Prepare gives a job whose variants name yours its learner's program,
// built now on the job's own CPUs if it is not kept any more. The run
// manager's runner calls it in the run's slot, before the run starts.
func (s *Service) Prepare(ctx context.Context, job *runner.Job) error {
	if !slices.Contains(strings.Split(job.Params["variants"], ","), lab.Yours) {
		return nil
	}
	exp, ok := s.exps[job.Experiment]
	if !ok {
		return fmt.Errorf("experiment %s has no variant of your own", job.Experiment)
	}
	src, err := s.Source(ctx, job.Params["code"])
	if err != nil {
		return fmt.Errorf("your code %s: %w", job.Params["code"], err)
	}
	if src.Experiment != job.Experiment {
		return fmt.Errorf("your code %s was written for %s, not %s", src.ID, src.Experiment, job.Experiment)
	}
	if ps := Check(exp.Info().Edit, src.Code); len(ps) > 0 { // the rules may have grown since
		return fmt.Errorf("your code %s: the lab refuses it now: %s", src.ID, ps[0])
	}
	built, err := s.b.Build(ctx, exp.Info().Edit, src.Code, false, job.CPUs)
	if err != nil {
		return fmt.Errorf("your code %s: %w", src.ID, err)
	}
	job.Yours = &runner.YoursJob{Program: built.Program, UID: sandbox.RunUID + slotIndex(job.Slot)}
	if job.Params["detector"] == "true" {
		raced, err := s.b.Build(ctx, exp.Info().Edit, src.Code, true, job.CPUs)
		if err != nil {
			return fmt.Errorf("your code %s, built with the race detector: %w", src.ID, err)
		}
		job.Yours.Race = raced.Program
	}
	return nil
}

// slotIndex returns the index of a slot named "local/3" (2), or 0.
func slotIndex(slot string) int {
	_, n, _ := strings.Cut(slot, "/")
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > 1000 {
		return 0
	}
	return i - 1
}
