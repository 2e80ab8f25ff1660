package session

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runs"
)

// Push sends experiment with params (JSON, as POST /api/runs takes them)
// to every learner's page and starts a new round of the board. With lock,
// learners run with exactly these values. A push ends the room run, the
// ask, the prediction and the spotlight of the round before.
func (s *Service) Push(ctx context.Context, code, key, experiment string, params json.RawMessage, lock bool) (Push, error) {
	return s.PushWith(ctx, code, key, experiment, params, PushOptions{Lock: lock})
}

// PushOptions are how learners may run a push.
type PushOptions struct {
	Lock bool // with the pushed values only
	Edit bool // with their own variant too (the experiment must be editable)
}

// PushWith is Push with options: with Edit, learners may also write and
// run their own variant, yours, even where the values are locked.
func (s *Service) PushWith(ctx context.Context, code, key, experiment string, params json.RawMessage, o PushOptions) (Push, error) {
	var pushed Push
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		exp, err := s.runs.Experiment(experiment)
		if err != nil {
			return &UnknownExperimentError{ID: errs.Truncate(experiment, maxQuoted)}
		}
		info := exp.Info()
		if o.Edit && info.Edit == nil {
			return fmt.Errorf("%w: %s has no variant of the learners' own to edit", ErrBadInput, info.ID)
		}
		p, err := lab.ParseJSON(info, params)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		if slices.Contains(p.Variants(), lab.Yours) {
			return fmt.Errorf("%w: yours is each learner's own: push the lab's variants, with edit on", ErrBadInput)
		}
		st.Round++
		pushed = Push{
			Round: st.Round, Experiment: info.ID, Title: info.Title, Params: p.Encode(info), Lock: o.Lock, Edit: o.Edit,
			URL: "/experiments/" + info.ID + "?" + p.Query(info), At: time.Now().UTC(),
		}
		st.Push = &pushed
		st.Run, st.Ask, st.Prediction, st.Spotlight = nil, nil, nil, nil
		return nil
	})
	return pushed, err
}

// An UnknownExperimentError names an experiment this server does not have.
type UnknownExperimentError struct{ ID string }

func (e *UnknownExperimentError) Error() string { return fmt.Sprintf("no experiment %q", e.ID) }

// Unwrap makes it a lab.ErrNotFound.
func (e *UnknownExperimentError) Unwrap() error { return lab.ErrNotFound }

// pushedParams returns the checked parameters of the push.
func (s *Service) pushedParams(p *Push) (lab.Params, error) {
	exp, err := s.runs.Experiment(p.Experiment)
	if err != nil {
		return nil, fmt.Errorf("the pushed experiment %q is no longer on this server: %w", p.Experiment, err)
	}
	return lab.ParseMap(exp.Info(), p.Params)
}

// RoomRun starts one run of the pushed experiment, with the pushed
// parameters, for the whole room to watch.
func (s *Service) RoomRun(ctx context.Context, code, key string) (runs.Run, error) {
	defer s.sweepOwners() // after change lets go of the room
	var run runs.Run
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		if st.Push == nil {
			return ErrNoPush
		}
		p, err := s.pushedParams(st.Push)
		if err != nil {
			return err
		}
		run, err = s.runs.Submit(ctx, st.Push.Experiment, p)
		if err != nil {
			return err
		}
		// Owned before anyone learns its id, and for as long as it may
		// run: a later push drops it from the state, not from the room.
		s.own(run.ID, runOwner{code: r.code})
		st.Run = &RoomRun{
			ID: run.ID, Round: st.Round, Experiment: run.Experiment,
			URL: "/runs/" + run.ID, Events: "/runs/" + run.ID + "/events", At: time.Now().UTC(),
		}
		return nil
	})
	return run, err
}

// Ask asks every learner to run the pushed experiment themselves (open),
// or withdraws the ask.
func (s *Service) Ask(ctx context.Context, code, key string, open bool) (*Ask, error) {
	var ask *Ask
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		if st.Push == nil {
			return ErrNoPush
		}
		if open {
			st.Asks++
			ask = &Ask{ID: st.Asks, Round: st.Round, At: time.Now().UTC()}
		}
		st.Ask = ask
		return nil
	})
	return ask, err
}

// Predict asks the room to predict a figure (QuestionCount or
// QuestionSpeedup) before it runs. prompt, if not empty, replaces the
// question's standard wording.
func (s *Service) Predict(ctx context.Context, code, key, question, prompt string) (*Prediction, error) {
	var pred *Prediction
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		if st.Push == nil {
			return ErrNoPush
		}
		prompt = strings.TrimSpace(prompt)
		switch {
		case question != QuestionCount && question != QuestionSpeedup:
			return fmt.Errorf("%w: question must be %q or %q, got %q", ErrBadInput, QuestionCount, QuestionSpeedup, errs.Truncate(question, maxQuoted))
		case len(prompt) > MaxPromptLen:
			return fmt.Errorf("%w: prompt must be at most %d bytes, got %d", ErrBadInput, MaxPromptLen, len(prompt))
		case prompt == "" && question == QuestionCount:
			prompt = "What will the final count be?"
		case prompt == "":
			prompt = "What speedup will the fastest variant get over the baseline?"
		}
		st.Predictions++
		pred = &Prediction{ID: st.Predictions, Round: st.Round, Question: question, Prompt: prompt, Open: true, At: time.Now().UTC()}
		st.Prediction = pred
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.prediction(ctx, code)
}

// Reveal closes the prediction and makes every guess public.
func (s *Service) Reveal(ctx context.Context, code, key string) (*Prediction, error) {
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		if st.Prediction == nil {
			return ErrClosed
		}
		p := *st.Prediction
		p.Open, p.Revealed = false, true
		st.Prediction = &p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.prediction(ctx, code)
}

func (s *Service) prediction(ctx context.Context, code string) (*Prediction, error) {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.predictionLocked(), nil
}

// Spotlight puts the run of a board entry on every screen; an empty run
// turns the spotlight off.
func (s *Service) Spotlight(ctx context.Context, code, key, run string) (*Spotlight, error) {
	var spot *Spotlight
	err := s.change(ctx, code, key, func(r *room, st *State) error {
		if run == "" {
			st.Spotlight = nil
			return nil
		}
		e, ok := r.byRun[run]
		if !ok {
			return ErrNoEntry
		}
		l := r.byID[e.Learner]
		spot = &Spotlight{Run: e.Run, Learner: e.Learner, Label: l.Label, Code: ranCode(e.Params), At: time.Now().UTC()}
		st.Spotlight = spot
		return nil
	})
	return spot, err
}

// maxQuoted is the most bytes of input quoted in a message.
const maxQuoted = 60
