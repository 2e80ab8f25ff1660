package session

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// Join admits a learner with a display name and returns the learner and
// the token their page reconnects with. Two learners may share a name:
// they get different ids, and labels that tell them apart.
func (s *Service) Join(ctx context.Context, code, name string) (Learner, string, error) {
	name, err := CheckName(name)
	if err != nil {
		return Learner{}, "", err
	}
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return Learner{}, "", err
	}
	defer r.mu.Unlock()
	if r.state.Ended != nil {
		return Learner{}, "", ErrEnded
	}
	if r.placesTaken() >= MaxLearners {
		return Learner{}, "", ErrFull
	}
	token := newSecret(16)
	l := &Learner{ID: runs.NewID(8), Name: name, Label: name, Joined: time.Now().UTC(), TokenHash: hashSecret(token)}
	if n := r.names[foldName(name)]; n > 0 {
		l.Label = name + " (" + strconv.Itoa(n+1) + ")"
	}
	if err := s.store.SaveLearner(ctx, r.id, *l); err != nil {
		return Learner{}, "", fmt.Errorf("session %s: save learner: %w", r.code, err)
	}
	r.addLearner(l)
	out := r.learnerLocked(l)
	r.publishLocked(Event{Type: EventLearner, Learner: &out})
	return out, token, nil
}

// Learner returns the learner with the id if token is theirs, else
// ErrLearner.
func (s *Service) Learner(ctx context.Context, code, id, token string) (Learner, error) {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return Learner{}, err
	}
	defer r.mu.Unlock()
	l, err := r.learnerByToken(id, token)
	if err != nil {
		return Learner{}, err
	}
	return r.learnerLocked(l), nil
}

// learnerByToken finds a learner by id and checks the token. r.mu must be
// held.
func (r *room) learnerByToken(id, token string) (*Learner, error) {
	l, ok := r.byID[id]
	switch {
	case !ok || !secretMatches(token, l.TokenHash):
		return nil, ErrLearner
	case l.Removed:
		return nil, ErrRemoved
	}
	return l, nil
}

// Connect records that a page of learner id is open; Disconnect that one
// closed. The roster shows a learner connected while any page is open.
func (s *Service) Connect(ctx context.Context, code, id string) { s.connect(ctx, code, id, +1) }

// Disconnect undoes one Connect.
func (s *Service) Disconnect(ctx context.Context, code, id string) { s.connect(ctx, code, id, -1) }

func (s *Service) connect(ctx context.Context, code, id string, d int) {
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return
	}
	defer r.mu.Unlock()
	l, ok := r.byID[id]
	if !ok || l.Removed {
		return
	}
	before := r.conns[l.ID] > 0
	r.conns[l.ID] = max(0, r.conns[l.ID]+d)
	if r.conns[l.ID] == 0 {
		delete(r.conns, l.ID)
	}
	if now := r.conns[l.ID] > 0; now != before {
		out := r.learnerLocked(l)
		r.publishLocked(Event{Type: EventLearner, Learner: &out})
	}
}

// Guess records a learner's answer to the open prediction; a second guess
// replaces the first.
func (s *Service) Guess(ctx context.Context, code, id, token string, value float64) error {
	if math.IsNaN(value) || math.IsInf(value, 0) || math.Abs(value) > 1e15 {
		return fmt.Errorf("%w: a guess must be a number of at most 1e15", ErrBadInput)
	}
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	l, err := r.learnerByToken(id, token)
	if err != nil {
		return err
	}
	p := r.state.Prediction
	if p == nil || !p.Open {
		return ErrClosed
	}
	g := Guess{Prediction: p.ID, Learner: l.ID, Label: l.Label, Value: value}
	if err := s.store.SaveGuess(ctx, r.id, g); err != nil {
		return fmt.Errorf("session %s: save guess: %w", r.code, err)
	}
	_, again := r.guesses[l.ID]
	r.guesses[l.ID] = g
	if !again {
		r.publishLocked(Event{Type: EventPrediction, Prediction: r.predictionLocked()})
	}
	return nil
}

// SubmitRun queues a learner's own run of the pushed experiment and puts
// it on the board. params (JSON, as POST /api/runs takes them) change the
// pushed values unless they are locked; missing ones keep the pushed
// values. It returns the run and its place in the queue (0 if running).
func (s *Service) SubmitRun(ctx context.Context, code, id, token string, params json.RawMessage) (runs.Run, error) {
	defer s.sweepOwners() // after r.mu is let go
	r, err := s.lockRoom(ctx, code)
	if err != nil {
		return runs.Run{}, err
	}
	defer r.mu.Unlock()
	l, err := r.learnerByToken(id, token)
	if err != nil {
		return runs.Run{}, err
	}
	if r.state.Ended != nil {
		return runs.Run{}, ErrEnded
	}
	push := r.state.Push
	if push == nil {
		return runs.Run{}, ErrNoPush
	}
	if n := r.live[l.ID]; n >= LearnerRunLimit {
		return runs.Run{}, fmt.Errorf("%w: one at a time per learner, so everyone gets a turn; this one starts when it reaches the front of the queue", ErrBusy)
	}
	p, err := s.learnerParams(push, params)
	if err != nil {
		return runs.Run{}, err
	}
	run, err := s.runs.Submit(ctx, push.Experiment, p)
	if err != nil {
		return runs.Run{}, err
	}
	s.own(run.ID, runOwner{code: r.code, learner: l.ID})
	e := &Entry{
		Run: run.ID, Learner: l.ID, Label: l.Label, Round: push.Round, Experiment: run.Experiment,
		Params: run.Params, Status: run.Status, Created: run.Created,
	}
	if err := s.store.SaveEntry(ctx, r.id, *e); err != nil {
		// The run goes on; only the board misses it.
		s.log.Error("save board entry", "session", r.code, "run", run.ID, "err", err)
	}
	r.entries = append(r.entries, e)
	r.byRun[e.Run] = e
	r.live[l.ID]++
	r.publishLocked(Event{Type: EventEntry, Entry: new(*e)})
	s.watch(r, run.ID)
	return run, nil
}

// learnerParams checks a learner's parameters against the push.
func (s *Service) learnerParams(push *Push, params json.RawMessage) (lab.Params, error) {
	pushed, err := s.pushedParams(push)
	if err != nil {
		return nil, err
	}
	var given map[string]json.RawMessage
	if len(params) > 0 && string(params) != "null" {
		if err := json.Unmarshal(params, &given); err != nil {
			return nil, fmt.Errorf("%w: params must be a JSON object: %v", ErrBadInput, err)
		}
	}
	if len(given) == 0 {
		return pushed, nil
	}
	merged := make(map[string]json.RawMessage, len(push.Params)+len(given))
	for k, v := range push.Params {
		merged[k], _ = json.Marshal(v)
	}
	maps.Copy(merged, given)
	body, _ := json.Marshal(merged)
	exp, _ := s.runs.Experiment(push.Experiment)
	info := exp.Info()
	p, err := lab.ParseJSON(info, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	if slices.Contains(p.Variants(), lab.Yours) && !push.Edit {
		return nil, fmt.Errorf("%w: your instructor has not opened this round to your own code", ErrBadInput)
	}
	switch {
	case push.Lock && push.Edit && withoutYours(info, p) != withoutYours(info, pushed):
		return nil, fmt.Errorf("%w (only your own code may change)", ErrLocked)
	case push.Lock && !push.Edit && p.Query(info) != pushed.Query(info):
		return nil, ErrLocked
	}
	return p, nil
}

// watch follows a learner's run until it ends and then fills in its board
// entry. r.mu must be held. Once Close has begun it does nothing: the
// entry is reconciled when the session is next loaded.
func (s *Service) watch(r *room, run string) {
	if _, ok := r.watchDone[run]; ok {
		return
	}
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closing {
		return
	}
	done := make(chan struct{})
	r.watchDone[run] = done
	s.wg.Add(1) // under closeMu, before closing: never after Close's Wait began
	go func() {
		defer s.wg.Done()
		defer close(done)
		s.follow(r, run)
	}()
}

// follow waits for run to end, marking its entry running on the way.
func (s *Service) follow(r *room, run string) {
	ctx := s.ctx
	events, err := s.runs.Events(ctx, run)
	if err == nil {
		for next := 0; ; {
			batch, ok := events.Next(ctx, next)
			if !ok {
				break
			}
			next += len(batch)
			// A status event says the run moved: ask where it stands.
			if slices.ContainsFunc(batch, func(e runs.Event) bool { return e.Type == event.TypeStatus }) {
				if st, err := s.runs.State(ctx, run); err == nil && st.Status == runs.StatusRunning {
					s.update(ctx, r, run, func(e *Entry) { e.Status = runs.StatusRunning })
				}
			}
		}
	}
	if ctx.Err() != nil {
		return // the server is stopping: the entry is reconciled on the next load
	}
	final, err := s.runs.Get(ctx, run)
	if err != nil {
		s.log.Error("read a learner's finished run", "session", r.code, "run", run, "err", err)
		final = runs.Run{Status: runs.StatusFailed, Error: "the run could not be read"}
	}
	var summary string // the experiment's Info may cost: read it outside the room's lock
	if exp, err := s.runs.Experiment(final.Experiment); err == nil {
		summary = summaryOf(exp.Info(), final.Result)
	}
	s.update(ctx, r, run, func(e *Entry) {
		e.Status, e.Error, e.Figures = final.Status, final.Error, figuresOf(final.Result)
		if e.Figures != nil {
			e.Figures.Summary = summary
		}
		if !e.Status.Final() {
			e.Status = runs.StatusInterrupted
		}
	})
	r.mu.Lock()
	if e := r.byRun[run]; e != nil {
		r.live[e.Learner] = max(0, r.live[e.Learner]-1)
	}
	delete(r.watchDone, run)
	r.touch()
	r.mu.Unlock()
	s.disown(run)
}

// update changes a board entry, stores it and publishes it.
func (s *Service) update(ctx context.Context, r *room, run string, f func(*Entry)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.byRun[run]
	if !ok {
		return
	}
	e := *old
	f(&e)
	// Stored even while the server stops, so the board keeps the outcome.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.SaveEntry(ctx, r.id, e); err != nil {
		s.log.Error("save board entry", "session", r.code, "run", run, "err", err)
	}
	*old = e
	r.publishLocked(Event{Type: EventEntry, Entry: &e})
}

// placesTaken is how many learners hold a place: those not removed. r.mu
// must be held.
func (r *room) placesTaken() int {
	n := 0
	for _, l := range r.learners {
		if !l.Removed {
			n++
		}
	}
	return n
}
