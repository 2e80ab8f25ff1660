package lab

import (
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
	return Median(h), true
}

// queuedLocked returns the body of the status event of the queued run at
// index i of the queue: its position and, when its experiment has run
// before, eta_s.
func (m *Manager) queuedLocked(i int) map[string]any {
	body := map[string]any{"state": StatusQueued, "position": i + 1}
	if eta, ok := m.etaLocked(i, time.Now()); ok {
		body["eta_s"] = math.Ceil(eta)
	}
	return body
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
	typical := func(experiment string) float64 {
		if d, ok := m.typicalLocked(experiment); ok {
			return d
		}
		return own
	}
	free := make([]float64, m.cfg.Parallel) // seconds until each slot is free
	for _, lr := range m.running {
		if lr.run.Started == nil || lr.slot >= len(free) {
			continue
		}
		left := typical(lr.run.Experiment) - now.Sub(*lr.run.Started).Seconds()
		free[lr.slot] = max(free[lr.slot], left, 0)
	}
	for _, lr := range m.queue[:i] {
		k := slices.Index(free, slices.Min(free))
		free[k] += typical(lr.run.Experiment)
	}
	return slices.Min(free) + own, true
}
