package runs

// The shared queue: with Config.Queue set, runs are queued in a database
// that several servers and runners share, not in this process. Submit
// stores a run there; this manager's slots claim runs from it in order of
// submission (its own or any other server's), hold each under a lease
// they renew while it executes, and store its events in batches; a run
// executing elsewhere is followed through the store.

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"concurrencylab/lab/errs"
	"concurrencylab/lab/event"
)

// A SharedQueue is a run queue several servers and runners share
// (lab/postgres has one). Every run it holds is in the Store too.
type SharedQueue interface {
	// Enqueue stores r, queued, with its first event (status queued, with
	// position and eta_s), refusing it as the limits say.
	Enqueue(ctx context.Context, r Run, q Queued) error
	// Claim takes the oldest queued run that ask can execute and marks it
	// running, held by ask.Runner until the lease runs out. begin makes
	// the run's record as it starts and its first events from then on,
	// given those stored. ok is false when no run waits.
	Claim(ctx context.Context, ask Ask, lease time.Duration, begin func(r *Run, stored []Event) []Event) (r Run, events []Event, ok bool, err error)
	// Announce tells every queued run its position and eta_s, where they
	// changed.
	Announce(ctx context.Context) error
	// Save stores new events of a run runner holds; ErrLost if it holds
	// it no longer.
	Save(ctx context.Context, runner, id string, events []Event) error
	// Finish stores a held run's last events and record and lets it go;
	// ErrLost if runner holds it no longer.
	Finish(ctx context.Context, runner string, r Run, events []Event) error
	// Heartbeat says ask's runner is alive and renews the leases of the
	// runs it holds; it returns those whose cancel was asked for and
	// those it no longer holds.
	Heartbeat(ctx context.Context, ask Ask, held []string, lease time.Duration) (cancel, lost []string, err error)
	// Reap marks interrupted every running run whose lease has run out.
	Reap(ctx context.Context) (int, error)
	// Cancel cancels a queued run at once (stopped) or asks the runner
	// holding a running one to stop it.
	Cancel(ctx context.Context, id string) (stopped bool, err error)
	// State returns where run id stands: its status, and its place in
	// line while queued.
	State(ctx context.Context, id string) (State, error)
	// EventsFrom returns the stored events of run id from seq from on.
	EventsFrom(ctx context.Context, id string, from int64) ([]Event, error)
	// Watch returns a channel that receives a value whenever new events
	// of run id (or, for id "", the queue) may be stored; stop ends it.
	Watch(id string) (c <-chan struct{}, stop func())
}

// Queued is what Enqueue needs beyond the run: who asked and the
// queue's limits.
type Queued struct {
	Client    string // "" for a workshop's run
	Yours     bool   // a learner's own variant is among its variants
	Cores     int    // GOMAXPROCS it asks for
	MaxQueue  int    // most runs waiting at once
	AnonLimit int    // most anonymous runs waiting at once
	PerClient int    // most runs one client has queued or running
}

// An Ask says what a runner process can execute.
type Ask struct {
	// Runner names the process, unique among every server and runner.
	Runner string
	// Slots is how many runs it executes at once, each on Cores CPUs.
	Slots, Cores int
	// Experiments are the ids it can run.
	Experiments []string
	// Yours: it can build and run a learner's own variant.
	Yours bool
}

// ErrLost is the error of a runner that no longer holds a run: its lease
// ran out and the run was marked interrupted.
var ErrLost = errs.New(errs.Conflict, "the run's lease ran out: it was marked interrupted")

// Lease and its timings: a runner renews its runs' leases every
// heartbeat, and every server and runner marks interrupted the runs
// whose lease ran out, every reapEvery.
const (
	DefaultLease = 15 * time.Second
	heartbeat    = time.Second
	reapEvery    = 2 * time.Second
)

// QueuedEvent is the status event of a run at position in the shared
// queue, with eta_s where typical (the experiment's usual seconds) is
// known: the runs ahead of it shared out over slots.
func QueuedEvent(seq int64, t time.Duration, position, slots int, typical float64, known bool) Event {
	st := event.Status{State: string(StatusQueued), Position: position}
	if known {
		eta := SharedETA(position, slots, typical)
		st.EtaS = &eta
	}
	return encodeEvent(seq, t, st)
}

// SharedETA is the whole seconds until the run at position is expected to
// have finished when slots execute runs of typical seconds: it goes in
// the ceil(position/slots)-th round.
func SharedETA(position, slots int, typical float64) float64 {
	slots = max(slots, 1)
	rounds := (position + slots - 1) / slots
	return math.Ceil(float64(rounds) * typical)
}

// EncodeEvent builds a stored event with body b, for a store that appends
// events of its own (an interruption).
func EncodeEvent(seq int64, t time.Duration, b event.Body) Event { return encodeEvent(seq, t, b) }

// FinalState reports whether e is the status event that ends a run.
func FinalState(e Event) bool {
	if e.Type != "status" {
		return false
	}
	var st struct {
		State Status `json:"state"`
	}
	return json.Unmarshal(e.Data, &st) == nil && st.State.Final()
}

// isLost reports whether err says the run's lease was lost.
func isLost(err error) bool { return errors.Is(err, ErrLost) }
