package runs

// A run's life in the manager: dispatched from the queue to a runner
// slot, executed, its result and verdict made, stored, then announced.

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// announceQueueLocked tells every queued run its position (1 is next) and
// expected wait.
func (m *Manager) announceQueueLocked() {
	for i, lr := range m.queue {
		lr.log.Append(m.queuedLocked(i))
	}
}

// dispatchLocked starts queued runs while there is room.
func (m *Manager) dispatchLocked() {
	started := false
	m.lendLocked()
	for len(m.running)+m.lent < m.cfg.Parallel && len(m.queue) > 0 && !m.closed {
		lr := m.queue[0]
		m.queue = m.queue[1:]
		ctx, cancel := context.WithTimeout(m.ctx, m.cfg.Timeout)
		lr.cancel = cancel
		now := time.Now()
		m.obs.RunStarted(now.Sub(lr.run.Created))
		m.startLocked(lr, slices.Index(m.busy, false))
		m.running = append(m.running, lr)
		for _, r := range m.running {
			r.run.Env.InFlight = max(r.run.Env.InFlight, len(m.running))
		}
		lr.log.Append(event.Status{State: string(StatusRunning)})
		m.wg.Add(1)
		go m.execute(ctx, lr)
		started = true
	}
	if started && len(m.queue) > 0 {
		m.announceQueueLocked() // the line moved
	}
}

// startLocked marks lr running on runner slot i: its start, the slot's
// name and, where runs are pinned, its CPUs.
func (m *Manager) startLocked(lr *liveRun, i int) {
	now := time.Now().UTC()
	lr.run.Started = &now
	lr.run.Status = StatusRunning
	lr.slot = i
	m.busy[i] = true
	name := m.cfg.Name
	if name == "" {
		name = "local"
	}
	lr.run.Env.Runner = fmt.Sprintf("%s/%d", name, i+1)
	if len(m.cfg.Slots) > 0 {
		// A run asking for fewer cores than its slot has is pinned to
		// that many of them: GOMAXPROCS alone would not hold the
		// threads of a C library (OpenCV) or of system calls.
		slot := m.cfg.Slots[i]
		lr.run.Env.CPUs = slices.Clone(slot[:min(len(slot), lr.run.Env.GOMAXPROCS)])
		lr.run.Env.Pinned = true // as planned; the runner's report says what held
	}
}

// execute runs lr to its end and stores it.
func (m *Manager) execute(ctx context.Context, lr *liveRun) {
	defer m.wg.Done()
	m.mu.Lock()
	snapshot := lr.run
	m.mu.Unlock()
	if m.cfg.Queue == nil { // a shared queue's claim stored it
		if err := m.store.SaveRun(ctx, snapshot); err != nil {
			m.log.Error("save started run", "run", snapshot.ID, "err", err)
		}
	}

	job := runner.Job{
		Run: snapshot.ID, Experiment: snapshot.Experiment,
		Params: lr.params.Encode(lr.exp.Info()), Start: lr.log.Start(),
		CPUs: snapshot.Env.CPUs, Slot: snapshot.Env.Runner, Timeout: m.cfg.Timeout,
	}
	traced, _ := lr.params["trace"].(bool)
	if traced && m.cfg.Traces != nil {
		if dir, err := m.cfg.Traces.Dir(snapshot.ID); err != nil {
			m.log.Warn("no raw trace for a traced run", "run", snapshot.ID, "err", err)
		} else {
			job.TraceDir = dir
		}
	}
	stopSaving := m.saveWhileRunning(snapshot.ID, lr.log)
	rep, err := m.cfg.Runner.Run(ctx, job, lr.log)
	stopSaving()
	if job.TraceDir != "" {
		m.cfg.Traces.Done(snapshot.ID)
		if err := m.cfg.Traces.Keep(); err != nil {
			m.log.Warn("drop the oldest raw traces", "err", err)
		}
	}
	res := rep.Result
	if err == nil && res == nil {
		err = errors.New("the runner returned no result")
	}

	m.mu.Lock()
	cancelled, lost := lr.cancelled, lr.lost
	if err == nil {
		lr.run.Env = mergeEnv(lr.run.Env, rep.Env)
	}
	env := lr.run.Env
	m.mu.Unlock()
	var status Status
	var msg string
	switch {
	case err == nil:
		status = StatusDone
		res.Verdict, res.Details = verdict(lr.exp, res, lr.params, env)
	case cancelled:
		status, msg = StatusCancelled, "cancelled on request"
	case lost:
		status, msg = StatusInterrupted, "the run's lease ran out: another server marked it interrupted"
	case m.ctx.Err() != nil:
		status, msg = StatusInterrupted, "the server stopped during the run"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		status, msg = StatusFailed, fmt.Sprintf("the run was stopped at the %s time limit: ask for fewer trials or smaller sizes", m.cfg.Timeout)
	default:
		status, msg = StatusFailed, err.Error()
	}
	lr.cancel()
	if res != nil && err == nil {
		lr.log.Append(resultBody(res))
	}
	if msg != "" {
		lr.log.Append(event.Error{Message: msg})
	}
	m.finish(lr, status, res, msg)
}

// finish records lr's final state: it stores the run and every event,
// the final status among them, and only then announces the end to readers
// (the status event, the closed stream, Get), so a run reported finished
// is never lost. It frees the run's slot first, so the next queued run
// need not wait for the store.
func (m *Manager) finish(lr *liveRun, status Status, res *lab.Result, msg string) {
	m.mu.Lock()
	now := time.Now().UTC()
	r := lr.run
	r.Status, r.Finished, r.Result, r.Error = status, &now, res, msg
	if slices.Contains(m.running, lr) && lr.run.Started != nil {
		m.busy[lr.slot] = false
		if status == StatusDone {
			m.recordLocked(r.Experiment, now.Sub(*lr.run.Started))
		}
	}
	m.running = slices.DeleteFunc(m.running, func(x *liveRun) bool { return x == lr })
	m.dispatchLocked()
	m.mu.Unlock()
	if m.cfg.Queue != nil {
		m.wakeClaims()
	}

	all := lr.log.Seal(event.Status{State: string(status)})
	err := m.storeFinished(r, all)

	m.mu.Lock()
	// Under m.mu, so Get never says running once the stream has ended.
	lr.run = r
	var ran time.Duration
	if r.Started != nil {
		ran = r.Finished.Sub(*r.Started)
	}
	m.obs.RunFinished(status, ran)
	lr.log.Commit(all[len(all)-1])
	if err == nil || isLost(err) {
		delete(m.live, r.ID)
	}
	m.mu.Unlock()
	if isLost(err) {
		m.log.Warn("a run's lease ran out before it finished: it stays interrupted", "run", r.ID)
		return
	}
	if err != nil {
		m.log.Error("store finished run: it stays in memory and will not outlive a restart", "run", r.ID, "err", err)
		return
	}
	m.log.Info("run finished", "run", r.ID, "experiment", r.Experiment, "status", status)
}

// storeAttempts is how many times storing a finished run is tried before
// it is announced anyway, kept in memory only.
const storeAttempts = 3

// storeFinished stores a finished run's events, then its record, trying
// again after a short pause if the store fails. It uses its own deadline:
// a cancelled run is still kept.
func (m *Manager) storeFinished(r Run, events []Event) error {
	var err error
	for attempt := range storeAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if m.cfg.Queue != nil {
			err = m.cfg.Queue.Finish(ctx, m.cfg.Name, r, events)
		} else {
			err = m.store.SaveEvents(ctx, r.ID, events)
			if err == nil {
				err = m.store.SaveRun(ctx, r)
			}
		}
		cancel()
		if err == nil || isLost(err) {
			return err
		}
	}
	return fmt.Errorf("lab: store run %s: %w", r.ID, err)
}

// saveWhileRunning stores log's new events every Config.SaveEvery until
// the returned function is called (which waits for a save under way).
func (m *Manager) saveWhileRunning(id string, log *EventLog) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(m.cfg.SaveEvery)
		defer tick.Stop()
		saved := 0
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			evs := log.Events(saved)
			if len(evs) == 0 {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := m.saveEvents(ctx, id, evs)
			cancel()
			if isLost(err) {
				m.mu.Lock()
				if lr, ok := m.live[id]; ok && lr.cancel != nil {
					lr.lost = true
					lr.cancel()
				}
				m.mu.Unlock()
				return
			}
			if err != nil {
				m.log.Warn("store a running run's events", "run", id, "err", err)
				continue
			}
			saved += len(evs)
		}
	}()
	return func() { close(done); wg.Wait() }
}

// saveEvents stores a running run's new events: in the shared queue as
// the run's holder, or in the store.
func (m *Manager) saveEvents(ctx context.Context, id string, evs []Event) error {
	if m.cfg.Queue != nil {
		return m.cfg.Queue.Save(ctx, m.cfg.Name, id, evs)
	}
	return m.store.SaveEvents(ctx, id, evs)
}

// mergeEnv returns the run's env with what the runner saw: the CPUs the
// run was really pinned to, its GOMAXPROCS. The slot's size and the
// in-flight count stay the manager's.
func mergeEnv(env, seen lab.Env) lab.Env {
	seen.InFlight, seen.NumCPU = env.InFlight, env.NumCPU
	if seen.Runner == "" {
		seen.Runner = env.Runner
	}
	return seen
}

// busyShare is the share of a run's CPUs other programs may take before
// its verdict says so first.
const busyShare = 10

// verdict is the experiment's verdict of a finished run, said after what
// other programs took of its cores where that was more than busyShare
// percent: pinning keeps the lab's runs apart, not other programs.
func verdict(exp lab.Experiment, r *lab.Result, p lab.Params, env lab.Env) (headline, details string) {
	if j, ok := exp.(lab.Judge); ok {
		headline, details = j.Judge(r, p, env)
	} else {
		headline = genericVerdict(r)
	}
	if y := yoursSentence(r); y != "" {
		headline = strings.TrimSpace(headline + " " + y)
	}
	if o := env.OthersPct; o != nil && *o > busyShare {
		cpus := "its CPU"
		if n := len(env.CPUs); n > 1 {
			cpus = fmt.Sprintf("its %d CPUs", n)
		}
		headline = strings.TrimSpace(fmt.Sprintf("Other programs on this machine took %.0f%% of %s while the trials ran, so its figures are not a quiet machine's. %s", *o, cpus, headline))
	}
	return headline, details
}

func resultBody(r *lab.Result) event.Result {
	return event.Result{Verdict: r.Verdict, Details: r.Details, Variants: r.Variants, Traces: r.Traces}
}

// genericVerdict describes a run for experiments without a Judge.
func genericVerdict(r *lab.Result) string {
	if len(r.Variants) == 1 {
		v := r.Variants[0]
		return fmt.Sprintf("%s took %.3g ms (median of %d).", v.Name, v.MedianMs, len(v.Trials))
	}
	best := r.Variants[0]
	for _, v := range r.Variants[1:] {
		if v.MedianMs < best.MedianMs {
			best = v
		}
	}
	if best.Speedup == 0 {
		return fmt.Sprintf("%s was fastest: %.3g ms, no speedup: %s.", best.Name, best.MedianMs, best.SpeedupWithheld)
	}
	s := fmt.Sprintf("%s was fastest: %.3g ms, %.2fx the baseline", best.Name, best.MedianMs, best.Speedup)
	if best.Baseline {
		return s + "."
	}
	switch d := lab.Compare(best); d {
	case lab.Faster:
		return s + "."
	default:
		return s + fmt.Sprintf(", but %s.", d)
	}
}
