package runs

import (
	"fmt"
	"math"
	"time"

	"concurrencylab/lab/errs"
)

// ErrClientShare is wrapped by the error SubmitAnonymous returns when the
// client has its share of the queue already.
var ErrClientShare = errs.New(errs.Busy, "too many runs from your address")

// shareLocked refuses an anonymous run of client past its share of the
// queue: Config.PerClient runs queued or running, and anonymous runs
// together no more than the queue less Config.Reserve. Workshop runs
// (client "") are limited by the queue alone.
func (m *Manager) shareLocked(client string) error {
	if client == "" {
		return nil
	}
	mine, anonQueued := 0, 0
	for _, lr := range append(m.queue[:len(m.queue):len(m.queue)], m.storing...) {
		if lr.client != "" {
			anonQueued++
		}
		if lr.client == client {
			mine++
		}
	}
	for _, lr := range m.running {
		if lr.client == client {
			mine++
		}
	}
	if mine >= m.cfg.PerClient {
		return fmt.Errorf("%w: at most %d queued or running at once; try again when one has finished", ErrClientShare, m.cfg.PerClient)
	}
	if anonQueued >= m.cfg.MaxQueue-m.cfg.Reserve {
		return fmt.Errorf("%w (the last %d places are kept for workshop sessions)", ErrQueueFull, m.cfg.Reserve)
	}
	return nil
}

// RetryAfter returns how long a refused client should wait before asking
// again: until the first running run is expected to finish (from its
// experiment's recent runs), at least a second and at most five minutes;
// 10 s when nothing is known.
func (m *Manager) RetryAfter() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	best := math.Inf(1)
	now := time.Now()
	for _, lr := range m.running {
		typical, ok := m.typicalLocked(lr.run.Experiment)
		if !ok || lr.run.Started == nil {
			continue
		}
		best = min(best, typical-now.Sub(*lr.run.Started).Seconds())
	}
	if math.IsInf(best, 1) {
		return 10 * time.Second
	}
	d := time.Duration(math.Ceil(best)) * time.Second
	return min(max(d, time.Second), 5*time.Minute)
}
