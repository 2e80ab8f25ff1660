package runs

// The manager over a shared queue (Config.Queue): submitting stores a
// queued run there; this manager's slots claim runs from it; a run
// executing elsewhere is followed through the store.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
)

// enqueue stores lr queued in the shared queue.
func (m *Manager) enqueue(ctx context.Context, lr *liveRun, p lab.Params) (Run, error) {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return Run{}, ErrShuttingDown
	}
	variants, _ := p["variants"].([]string)
	q := Queued{
		Client: lr.client, Yours: slices.Contains(variants, lab.Yours), Cores: lr.run.Env.GOMAXPROCS,
		MaxQueue: m.cfg.MaxQueue, AnonLimit: m.cfg.MaxQueue - m.cfg.Reserve, PerClient: m.cfg.PerClient,
	}
	if err := m.cfg.Queue.Enqueue(ctx, lr.run, q); err != nil {
		return Run{}, err
	}
	m.wakeClaims()
	m.log.Info("run queued", "run", lr.run.ID, "experiment", lr.run.Experiment, "queue", "shared")
	return lr.run, nil
}

// wakeClaims tells the claim loop to look for runs now.
func (m *Manager) wakeClaims() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// ask is what this manager's slots can execute.
func (m *Manager) ask() Ask {
	a := Ask{Runner: m.cfg.Name, Slots: m.cfg.Parallel, Cores: m.Cores(), Yours: m.cfg.Yours || m.yours.Load()}
	if m.cfg.ServeOnly {
		a.Slots = 0
	}
	for _, e := range m.exps {
		id := e.Info().ID
		if m.cfg.CanRun == nil || m.cfg.CanRun(id) {
			a.Experiments = append(a.Experiments, id)
		}
	}
	return a
}

// SetYours says whether this manager's slots can build and run a
// learner's own variant (once the builder is ready).
func (m *Manager) SetYours(ok bool) { m.yours.Store(ok) }

// claimLoop claims queued runs while a slot is free, until shutdown.
func (m *Manager) claimLoop() {
	defer m.loops.Done()
	queue, stop := m.cfg.Queue.Watch("")
	defer stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		ask := m.ask() // SetYours may change it
		for m.claimOne(ask) {
		}
		select {
		case <-queue:
		case <-m.wake:
		case <-tick.C:
		case <-m.ctx.Done():
			return
		}
	}
}

// claimOne claims one queued run for a free slot and starts it; false
// when no slot is free or no run waits.
func (m *Manager) claimOne(ask Ask) bool {
	m.mu.Lock()
	m.lendLocked()
	slot := slices.Index(m.busy, false)
	if m.closed || slot < 0 || len(m.running)+m.lent >= m.cfg.Parallel {
		m.mu.Unlock()
		return false
	}
	m.busy[slot] = true // held while the claim is under way
	m.mu.Unlock()

	var lr *liveRun
	begin := func(r *Run, stored []Event) []Event {
		m.mu.Lock()
		defer m.mu.Unlock()
		lr = &liveRun{slot: slot, run: *r}
		m.startLocked(lr, slot)
		*r = lr.run
		return []Event{encodeEvent(int64(len(stored)), time.Since(r.Created), event.Status{State: string(StatusRunning)})}
	}
	r, events, ok, err := m.cfg.Queue.Claim(m.ctx, ask, m.cfg.Lease, begin)
	m.mu.Lock()
	if err != nil || !ok {
		m.busy[slot] = false
		m.mu.Unlock()
		if err != nil && m.ctx.Err() == nil {
			m.log.Warn("claim a run from the shared queue", "err", err)
		}
		return false
	}
	lr.run = r
	lr.log = continuedLog(events, r.Created)
	exp, perr := m.Experiment(r.Experiment)
	var p lab.Params
	if perr == nil {
		var data []byte
		if data, perr = json.Marshal(r.Params); perr == nil {
			p, perr = lab.ParseJSON(exp.Info(), data)
		}
	}
	lr.exp, lr.params = unwrap(exp), p
	m.live[r.ID] = lr
	m.running = append(m.running, lr)
	for _, x := range m.running {
		x.run.Env.InFlight = max(x.run.Env.InFlight, len(m.running))
	}
	m.obs.RunStarted(time.Now().Sub(r.Created))
	m.wg.Add(1)
	if perr != nil {
		m.mu.Unlock()
		go func() {
			defer m.wg.Done()
			msg := fmt.Sprintf("this runner cannot run it: %v", perr)
			lr.cancel = func() {}
			lr.log.Append(event.Error{Message: msg})
			m.finish(lr, StatusFailed, nil, msg)
		}()
		return true
	}
	ctx, cancel := context.WithTimeout(m.ctx, m.cfg.Timeout)
	lr.cancel = cancel
	m.mu.Unlock()
	m.log.Info("run claimed", "run", r.ID, "experiment", r.Experiment, "runner", r.Env.Runner)
	go m.execute(ctx, lr)
	m.loops.Add(1)
	go func() {
		defer m.loops.Done()
		if err := m.cfg.Queue.Announce(m.ctx); err != nil && m.ctx.Err() == nil {
			m.log.Warn("announce the shared queue", "err", err)
		}
	}()
	return true
}

// tendLoop renews the leases of the runs this manager executes, stops
// those cancelled or lost elsewhere, and marks interrupted the runs of
// runners that stopped answering.
func (m *Manager) tendLoop() {
	defer m.loops.Done()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	ask := m.ask()
	for n := 0; ; n++ {
		select {
		case <-tick.C:
		case <-m.ctx.Done():
			return
		}
		if ask.Slots > 0 {
			m.beat(ask)
		}
		if n%int(reapEvery/heartbeat) == 0 {
			if k, err := m.cfg.Queue.Reap(m.ctx); err != nil && m.ctx.Err() == nil {
				m.log.Warn("mark runs of a silent runner interrupted", "err", err)
			} else if k > 0 {
				m.log.Info("runs whose runner stopped answering are marked interrupted", "runs", k)
			}
		}
	}
}

// beat renews this manager's leases and acts on what other servers asked.
func (m *Manager) beat(ask Ask) {
	m.mu.Lock()
	held := make([]string, 0, len(m.running))
	for _, lr := range m.running {
		held = append(held, lr.run.ID)
	}
	m.mu.Unlock()
	cancel, lost, err := m.cfg.Queue.Heartbeat(m.ctx, ask, held, m.cfg.Lease)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Warn("renew the leases of running runs", "err", err)
		}
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range cancel {
		if lr, ok := m.live[id]; ok && !lr.run.Status.Final() && lr.cancel != nil {
			lr.cancelled = true
			lr.cancel()
		}
	}
	for _, id := range lost {
		if lr, ok := m.live[id]; ok && lr.cancel != nil {
			lr.lost = true
			lr.cancel()
		}
	}
}

// cancelShared cancels a run this manager does not execute.
func (m *Manager) cancelShared(ctx context.Context, id string) error {
	stopped, err := m.cfg.Queue.Cancel(ctx, id)
	if err != nil {
		return err
	}
	if stopped {
		if err := m.cfg.Queue.Announce(ctx); err != nil {
			m.log.Warn("announce the shared queue", "err", err)
		}
	}
	return nil
}

// followed returns the log of a live run executing elsewhere, filled from
// the store as other servers tell that its events are stored; one per
// run, shared by every reader, until the run ends.
func (m *Manager) followed(ctx context.Context, id string) (*EventLog, error) {
	r, err := m.store.LoadRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status.Final() {
		events, err := m.store.LoadEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		return restoredLog(events), nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if lr, ok := m.live[id]; ok {
		return lr.log, nil
	}
	if l, ok := m.follows[id]; ok {
		return l, nil
	}
	l := continuedLog(nil, r.Created)
	if m.closed { // shutting down: no follower starts
		l.Close()
		return l, nil
	}
	m.follows[id] = l
	m.loops.Add(1)
	go m.follow(id, l)
	return l, nil
}

// follow fills l with run id's stored events until the run ends.
func (m *Manager) follow(id string, l *EventLog) {
	defer m.loops.Done()
	defer func() {
		m.mu.Lock()
		delete(m.follows, id)
		m.mu.Unlock()
	}()
	stored, stop := m.cfg.Queue.Watch(id)
	defer stop()
	tick := time.NewTicker(time.Second) // in case a notification is lost
	defer tick.Stop()
	for {
		events, err := m.cfg.Queue.EventsFrom(m.ctx, id, int64(l.Len()))
		if err != nil && m.ctx.Err() == nil {
			m.log.Warn("follow a run's events", "run", id, "err", err)
		}
		for _, e := range events {
			if !l.appendStored(e) {
				break
			}
			if FinalState(e) {
				l.Close()
				return
			}
		}
		select {
		case <-stored:
		case <-tick.C:
		case <-m.ctx.Done():
			return
		}
	}
}

// Drain stops claiming runs from the shared queue and waits for the runs
// executing to finish, or for ctx; Shutdown then interrupts what is left.
func (m *Manager) Drain(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
