package runs

// The experiments a manager offers, as runs of its slots may use them.

import (
	"concurrencylab/lab"
)

// slotted is an experiment as a manager offers it: its Info says how many
// cores a run may use, so the cores parameter is checked against the slot.
type slotted struct {
	lab.Experiment
	cores int
}

func (s slotted) Info() lab.Info {
	info := s.Experiment.Info()
	info.Cores = s.cores
	return info
}

// unwrap returns the experiment itself, with its optional interfaces.
func unwrap(e lab.Experiment) lab.Experiment {
	if s, ok := e.(slotted); ok {
		return s.Experiment
	}
	return e
}

// Config returns the manager's limits.
func (m *Manager) Config() Config { return m.cfg }

// Experiments returns every experiment, in catalog order.
func (m *Manager) Experiments() []lab.Experiment { return m.exps }

// Cores returns the CPUs of a runner slot: the most a run may use.
func (m *Manager) Cores() int { return m.cores }

// Experiment returns the experiment with the given id, or ErrNotFound.
func (m *Manager) Experiment(id string) (lab.Experiment, error) {
	e, ok := m.byID[id]
	if !ok {
		return nil, lab.ErrNotFound
	}
	return e, nil
}
