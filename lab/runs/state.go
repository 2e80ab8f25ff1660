package runs

import (
	"context"
	"math"
	"slices"
	"time"
)

// A State is where a run stands now, for code that acts on it (a room's
// board, a learner's page): its status and, while it is queued, its place
// in line and the seconds until it is expected to finish.
type State struct {
	Status Status
	// Position is the run's place in the queue, 1 next; 0 unless queued.
	Position int
	// EtaS is the whole seconds until the run is expected to finish, as
	// its queued status event says; valid where HasETA.
	EtaS   float64
	HasETA bool
}

// State returns the state of run id: from memory while it is live, from
// the store once it has finished.
func (m *Manager) State(ctx context.Context, id string) (State, error) {
	m.mu.Lock()
	lr, ok := m.live[id]
	var st State
	if ok {
		st.Status = lr.run.Status
		if i := slices.Index(m.queue, lr); i >= 0 {
			st.Position = i + 1
			st.EtaS, st.HasETA = m.etaLocked(i, time.Now())
			st.EtaS = math.Ceil(st.EtaS)
		}
	}
	m.mu.Unlock()
	if ok {
		return st, nil
	}
	if m.cfg.Queue != nil {
		return m.cfg.Queue.State(ctx, id)
	}
	r, err := m.store.LoadRun(ctx, id)
	if err != nil {
		return State{}, err
	}
	return State{Status: r.Status}, nil
}

// TraceFile returns the path of the raw execution trace of run id's
// variant, where the run recorded one and it is still kept.
func (m *Manager) TraceFile(id, variant string) (string, error) {
	if m.cfg.Traces == nil {
		return "", ErrTraceGone
	}
	return m.cfg.Traces.File(id, variant)
}
