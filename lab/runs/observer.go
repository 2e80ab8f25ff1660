package runs

import "time"

// An Observer hears of runs' lives, for an operator's metrics. Its
// methods are called with the manager's lock held: they must return at
// once.
type Observer interface {
	// RunStarted: a run left the queue for a runner slot after waiting.
	RunStarted(waited time.Duration)
	// RunFinished: a run ended with status, after the store was asked to
	// keep it; ran is how long it executed, zero for one that never
	// started.
	RunFinished(status Status, ran time.Duration)
}

// noObserver is the Observer of a manager given none.
type noObserver struct{}

func (noObserver) RunStarted(time.Duration)          {}
func (noObserver) RunFinished(Status, time.Duration) {}
