package runs

import (
	"context"
	"errors"
	"slices"
	"time"
)

// ErrClosed is the error of a slot asked for once the manager shut down.
var ErrClosed = errors.New("the lab is shutting down")

// Slot waits for a free runner slot and lends it until release is
// called: for work that must not share cores with a run, such as the
// build of a learner's code, pinned to the slot's cpus (none where runs
// are not pinned). Those waiting go before queued runs, since a build
// takes a second where a run may take minutes, and no run's figures are
// made on cores a compiler is using.
func (m *Manager) Slot(ctx context.Context) (cpus []int, release func(), err error) {
	w := make(chan int, 1)
	m.mu.Lock()
	if m.closed || m.cfg.ServeOnly {
		m.mu.Unlock()
		return nil, nil, ErrClosed
	}
	m.waiters = append(m.waiters, w)
	m.dispatchLocked()
	m.mu.Unlock()
	select {
	case i := <-w:
		return m.slotCPUs(i), func() { m.giveBack(i) }, nil
	case <-ctx.Done():
		m.mu.Lock()
		if k := slices.Index(m.waiters, w); k >= 0 {
			m.waiters = slices.Delete(m.waiters, k, k+1)
			m.mu.Unlock()
			return nil, nil, ctx.Err()
		}
		m.mu.Unlock()
		m.giveBack(<-w) // lent as the wait ended
		return nil, nil, ctx.Err()
	}
}

// buildsFirst is how long a queued run lets builds go before it: past
// it, the run goes first, so a stream of builds cannot hold runs back.
const buildsFirst = 10 * time.Second

// lendLocked lends free slots to those waiting in Slot, in order, unless
// the first queued run has waited buildsFirst already.
func (m *Manager) lendLocked() {
	if len(m.queue) > 0 && time.Since(m.queue[0].run.Created) > buildsFirst {
		return
	}
	for len(m.waiters) > 0 && len(m.running)+m.lent < m.cfg.Parallel {
		i := slices.Index(m.busy, false)
		if i < 0 {
			return
		}
		m.busy[i] = true
		m.lent++
		m.waiters[0] <- i
		m.waiters = m.waiters[1:]
	}
}

// giveBack ends the loan of slot i.
func (m *Manager) giveBack(i int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.busy[i] = false
	m.lent--
	m.dispatchLocked()
}

func (m *Manager) slotCPUs(i int) []int {
	if i < len(m.cfg.Slots) {
		return slices.Clone(m.cfg.Slots[i])
	}
	return nil
}
