package runs

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"math"
	"slices"
	"time"
)

// historyLen is how many of an experiment's latest runs its expected
// duration is the median of.
const historyLen = 5

// recordLocked remembers that a run of experiment took d.
func (m *Manager) recordLocked(experiment string, d time.Duration) {
	h := append(m.history[experiment], d.Seconds())
	if len(h) > historyLen {
		h = h[len(h)-historyLen:]
	}
	m.history[experiment] = h
}

// typicalLocked returns the median duration of the experiment's latest
// runs, in seconds; ok is false when it has not run since the server began.
func (m *Manager) typicalLocked(experiment string) (seconds float64, ok bool) {
	h := m.history[experiment]
	if len(h) == 0 {
		return 0, false
	}
	return lab.Median(h), true
}

// queuedLocked returns the body of the status event of the queued run at
// index i of the queue: its position and, when its experiment has run
// before, eta_s.
func (m *Manager) queuedLocked(i int) event.Status {
	st := event.Status{State: string(StatusQueued), Position: i + 1}
	if eta, ok := m.etaLocked(i, time.Now()); ok {
		secs := math.Ceil(eta)
		st.EtaS = &secs
	}
	return st
}

// etaLocked returns the seconds until the queued run at index i is
// expected to have finished: the runs ahead of it are laid on the slots in
// order, each slot free once its running run has had its experiment's
// typical time, each run ahead taking its experiment's. With one
// experiment in the line that is ceil(position / slots) runs of it after
// what remains of the runs executing now. A run whose experiment has no
// history is counted at the queued run's experiment's typical time.
func (m *Manager) etaLocked(i int, now time.Time) (float64, bool) {
	own, ok := m.typicalLocked(m.queue[i].run.Experiment)
	if !ok {
		return 0, false
	}
	free := m.slotsFreeLocked(now, m.queue[:i], own)
	return slices.Min(free) + own, true
}

// slotsFreeLocked returns the seconds until each runner slot is free once
// the runs executing now and then the runs ahead (queued, in order) have
// had their experiments' typical times; a run whose experiment has no
// history counts fallback seconds.
func (m *Manager) slotsFreeLocked(now time.Time, ahead []*liveRun, fallback float64) []float64 {
	typical := func(experiment string) float64 {
		if d, ok := m.typicalLocked(experiment); ok {
			return d
		}
		return fallback
	}
	free := make([]float64, m.cfg.Parallel) // seconds until each slot is free
	for _, lr := range m.running {
		if lr.run.Started == nil || lr.slot >= len(free) {
			continue
		}
		left := typical(lr.run.Experiment) - now.Sub(*lr.run.Started).Seconds()
		free[lr.slot] = max(free[lr.slot], left, 0)
	}
	for _, lr := range ahead {
		k := slices.Index(free, slices.Min(free))
		free[k] += typical(lr.run.Experiment)
	}
	return free
}

// A Forecast says how long more runs of one experiment would take.
type Forecast struct {
	// Each is one run's typical duration in seconds: the median of the
	// experiment's latest runs.
	Each float64
	// Slots is how many runs execute at once.
	Slots int
	// Total is the seconds until every one of the runs, queued now behind
	// the runs waiting, is expected to have finished.
	Total float64
}

// Forecast tells how long n more runs of experiment, queued now, would
// take to finish, all of them; ok is false when the experiment has not
// run since the server began, which leaves nothing to go on.
func (m *Manager) Forecast(experiment string, n int) (f Forecast, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.forecastLocked(experiment, n, time.Now())
}

func (m *Manager) forecastLocked(experiment string, n int, now time.Time) (Forecast, bool) {
	each, ok := m.typicalLocked(experiment)
	if !ok {
		return Forecast{}, false
	}
	free := m.slotsFreeLocked(now, m.queue, each)
	for range n {
		k := slices.Index(free, slices.Min(free))
		free[k] += each
	}
	last := 0.0
	if n > 0 {
		last = slices.Max(free)
	}
	return Forecast{Each: each, Slots: m.cfg.Parallel, Total: last}, true
}

// ETA returns the seconds until the run id is expected to finish: for a
// queued run what its status event says, for a running one what remains
// of its experiment's typical time (0 when it is overdue). ok is false for
// a run that is over or unknown, or whose experiment has no history.
func (m *Manager) ETA(id string) (float64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if i := slices.IndexFunc(m.queue, func(lr *liveRun) bool { return lr.run.ID == id }); i >= 0 {
		return m.etaLocked(i, now)
	}
	for _, lr := range m.running {
		if lr.run.ID != id {
			continue
		}
		typical, ok := m.typicalLocked(lr.run.Experiment)
		if !ok {
			return 0, false
		}
		if lr.run.Started == nil {
			return typical, true
		}
		return max(typical-now.Sub(*lr.run.Started).Seconds(), 0), true
	}
	return 0, false
}
