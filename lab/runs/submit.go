package runs

// A run's entry into the manager: checked against the queue's limits,
// stored, then queued.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/runner"
)

// Submit queues a run of experiment id with checked parameters p, for a
// workshop session: it may use the whole queue.
func (m *Manager) Submit(ctx context.Context, id string, p lab.Params) (Run, error) {
	return m.submit(ctx, id, p, "")
}

// SubmitAnonymous queues a run for client (an address), outside any
// workshop: it gets ErrClientShare if client has Config.PerClient runs
// queued or running already, and ErrQueueFull once anonymous runs fill
// the queue but for Config.Reserve places, kept for workshops.
func (m *Manager) SubmitAnonymous(ctx context.Context, id string, p lab.Params, client string) (Run, error) {
	if client == "" {
		client = "unknown"
	}
	return m.submit(ctx, id, p, client)
}

func (m *Manager) submit(ctx context.Context, id string, p lab.Params, client string) (Run, error) {
	exp, err := m.Experiment(id)
	if err != nil {
		return Run{}, err
	}
	lr := &liveRun{
		exp: exp, params: p, log: NewEventLog(),
		run: Run{
			ID: NewID(10), Experiment: id, Params: p.JSON(exp.Info()),
			Status: StatusQueued, Created: time.Now().UTC(), Env: runner.CurrentEnv(),
		},
	}
	lr.run.Env.NumCPU = lab.MaxCores(exp.Info())
	lr.run.Env.GOMAXPROCS = lr.run.Env.NumCPU
	if n := p.Cores(); n > 0 {
		lr.run.Env.GOMAXPROCS = n
	}
	lr.exp = unwrap(exp)
	lr.client = client
	if m.cfg.Queue != nil {
		return m.enqueue(ctx, lr, p)
	}
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return Run{}, ErrShuttingDown
	case len(m.queue)+len(m.storing) >= m.cfg.MaxQueue:
		m.mu.Unlock()
		return Run{}, ErrQueueFull
	}
	if err := m.shareLocked(client); err != nil {
		m.mu.Unlock()
		return Run{}, err
	}
	// Its place is held while it is stored, outside the lock: a slow or
	// absent database must not stop every other request at the manager.
	m.storing = append(m.storing, lr)
	m.mu.Unlock()
	err = m.store.SaveRun(ctx, lr.run)
	m.mu.Lock()
	m.storing = slices.DeleteFunc(m.storing, func(x *liveRun) bool { return x == lr })
	switch {
	case err != nil && errs.KindOf(err) == errs.Unavailable:
		m.mu.Unlock()
		return Run{}, err // its message is for the caller
	case err != nil:
		m.mu.Unlock()
		return Run{}, fmt.Errorf("lab: save run %s: %w", lr.run.ID, err)
	case m.closed: // Shutdown began while it was stored: it never starts
		m.mu.Unlock()
		lr.run.Status, lr.run.Error = StatusInterrupted, "the server stopped before the run started"
		if err := m.store.SaveRun(context.WithoutCancel(ctx), lr.run); err != nil {
			m.log.Error("store a run refused at shutdown", "run", lr.run.ID, "err", err)
		}
		return Run{}, ErrShuttingDown
	}
	m.live[lr.run.ID] = lr
	m.queue = append(m.queue, lr)
	lr.log.Append(m.queuedLocked(len(m.queue) - 1))
	m.dispatchLocked()
	r := lr.run
	m.mu.Unlock()
	m.log.Info("run queued", "run", r.ID, "experiment", id)
	return r, nil
}
