package runs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/errs"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runner"
)

// Config sets the manager's limits.
type Config struct {
	// Slots are the runner slots, each a list of CPU ids: a slot executes
	// one run at a time, pinned to its CPUs. Without slots, Parallel runs
	// execute at once, unpinned.
	Slots [][]int
	// Parallel is the most runs executing at once; the rest queue in order.
	// With Slots, it is their number.
	Parallel int
	// Runner executes runs; nil means InProcess over the experiments.
	Runner Runner
	// Timeout is the longest a run may execute before it is stopped.
	Timeout time.Duration
	// MaxQueue is the most runs waiting at once; more are refused.
	MaxQueue int
	// PerClient is the most runs one client (an address) may have queued
	// or running at once through SubmitAnonymous; 0 means 10.
	PerClient int
	// Reserve is how much of the queue anonymous runs may not take, kept
	// for workshop runs (Submit); 0 means a quarter of MaxQueue.
	Reserve int
	// SaveEvery is how often a running run's new events are stored, so a
	// run cut off by a crash keeps what it showed; 0 means 2 s.
	SaveEvery time.Duration
	// Traces keeps the raw execution traces of runs with trace=true; nil:
	// none are kept (their timelines still are).
	Traces *Traces
	// Observer hears of every run's start and end, for metrics; nil: none.
	Observer Observer

	// Queue, if set, is a run queue other servers and runners share:
	// runs are queued there, the slots claim runs from it, and runs
	// executing elsewhere are followed through it. Nil: the queue is this
	// process's own.
	Queue SharedQueue
	// Name names this process among every server and runner of a shared
	// queue (a run's env.runner is Name/slot); "" is "local".
	Name string
	// Lease is how long a claimed run stays held without a heartbeat
	// before it is marked interrupted; 0 means DefaultLease.
	Lease time.Duration
	// ServeOnly: the manager executes no run (a web server that leaves
	// them to runners); only with Queue.
	ServeOnly bool
	// Yours: the slots can build and run a learner's own variant; runs
	// with one are left to others where not.
	Yours bool
	// CanRun, if set, says which experiments the slots can run (pixels
	// needs its clips and the cgo program); nil: every one.
	CanRun func(id string) bool
}

// A Runner executes runs. It appends the run's events to sink as they
// happen (never a status event: the manager owns those) and returns when
// the run has ended and everything it started is released. The process
// runner (lab/process) starts a child for each run; runner.InProcess
// calls the experiment in this process, for tests.
type Runner interface {
	Run(ctx context.Context, job runner.Job, sink runner.Sink) (runner.Report, error)
}

var _ Runner = (*runner.InProcess)(nil)

// Errors the manager returns, of the kinds the web layer answers.
var (
	ErrQueueFull    = errs.New(errs.Busy, "the run queue is full: try again when a run has finished")
	ErrShuttingDown = errs.New(errs.Unavailable, "the server is shutting down")
	ErrFinished     = errs.New(errs.Conflict, "the run has already finished")
)

// A Manager creates runs, schedules them (at most Config.Parallel at once,
// the rest in order), streams their events and keeps them in a Store.
type Manager struct {
	log     *slog.Logger
	store   Store
	cfg     Config
	obs     Observer // cfg.Observer, or one that hears nothing
	exps    []lab.Experiment
	byID    map[string]lab.Experiment
	ctx     context.Context    // parent of every run's context
	stopAll context.CancelFunc // cancels ctx, at shutdown
	wg      sync.WaitGroup     // running runs

	mu      sync.Mutex          // guards the fields below and every liveRun's run, cancel and cancelled
	live    map[string]*liveRun // queued and running runs, until stored
	queue   []*liveRun          // waiting, in order
	running []*liveRun
	storing []*liveRun           // submitted, being stored before they join the queue
	busy    []bool               // busy[i]: slot i executes a run, or is lent
	waiters []chan int           // Slot callers waiting, in order
	lent    int                  // slots lent to Slot callers
	history map[string][]float64 // experiment -> seconds its last runs took, newest last
	closed  bool
	follows map[string]*EventLog // runs executing elsewhere, followed through the shared queue

	loops sync.WaitGroup // the shared queue's loops and followers
	wake  chan struct{}  // a slot is free or a run was queued: claim now
	yours atomic.Bool    // SetYours: the slots can run a learner's variant
	cores int            // CPUs of a runner slot: the most a run may use
}

// liveRun is a run the manager holds in memory while it is queued or running.
type liveRun struct {
	exp       lab.Experiment
	params    lab.Params
	log       *EventLog
	run       Run
	cancel    context.CancelFunc // set when it starts
	cancelled bool               // a cancel was requested
	slot      int                // the runner slot, once running
	lost      bool               // the shared queue's lease ran out
	client    string             // who asked, for an anonymous run; "" for a workshop's
}

// NewManager returns a manager for the given experiments. It marks runs that
// a previous process left queued or running as interrupted.
func NewManager(ctx context.Context, log *slog.Logger, store Store, cfg Config, exps []lab.Experiment) (*Manager, error) {
	if len(cfg.Slots) > 0 {
		cfg.Parallel = len(cfg.Slots)
	}
	if cfg.Parallel < 1 {
		cfg.Parallel = 1
	}
	cores := runtime.NumCPU()
	if len(cfg.Slots) > 0 {
		cores = len(cfg.Slots[0])
	}
	if cfg.ServeOnly {
		// Runs are still checked against the slots' size, which the
		// runners elsewhere share.
		if cfg.Queue == nil {
			return nil, fmt.Errorf("lab: a manager that executes no run needs a shared queue")
		}
		cfg.Parallel, cfg.Slots = 0, nil
	}
	if cfg.Lease <= 0 && cfg.Queue != nil {
		cfg.Lease = DefaultLease
	}
	if cfg.Runner == nil {
		cfg.Runner = runner.NewInProcess(exps)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 100
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 2 * time.Second
	}
	if cfg.PerClient <= 0 {
		cfg.PerClient = 10
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = cfg.MaxQueue / 4
	}
	cfg.Reserve = min(cfg.Reserve, cfg.MaxQueue-1)
	// A shared queue's runs belong to no one server: only those whose
	// runner stopped answering are interrupted, by any server, later.
	if cfg.Queue == nil {
		n, err := store.Interrupt(ctx)
		if err != nil {
			return nil, fmt.Errorf("lab: mark interrupted runs: %w", err)
		}
		if n > 0 {
			log.Info("runs cut off by the last stop are marked interrupted", "runs", n)
		}
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m := &Manager{
		log: log, store: store, cfg: cfg, obs: cfg.Observer,
		byID: make(map[string]lab.Experiment, len(exps)),
		ctx:  runCtx, stopAll: stop,
		live:    make(map[string]*liveRun),
		busy:    make([]bool, cfg.Parallel),
		history: make(map[string][]float64),
		follows: make(map[string]*EventLog),
		wake:    make(chan struct{}, 1),
	}
	if m.obs == nil {
		m.obs = noObserver{}
	}
	m.cores = cores
	for _, e := range exps {
		s := slotted{e, cores}
		m.exps = append(m.exps, s)
		m.byID[e.Info().ID] = s
	}
	if cfg.Queue != nil {
		m.loops.Add(1)
		go m.tendLoop()
		if !cfg.ServeOnly {
			m.loops.Add(1)
			go m.claimLoop()
		}
	}
	return m, nil
}

// Get returns the run with the given id, live or stored.
func (m *Manager) Get(ctx context.Context, id string) (Run, error) {
	m.mu.Lock()
	lr, ok := m.live[id]
	var r Run
	if ok {
		r = lr.run
	}
	m.mu.Unlock()
	if ok {
		return r, nil
	}
	return m.store.LoadRun(ctx, id)
}

// Events returns the run's event log: the live one while the run is live,
// else a closed log of its stored events.
func (m *Manager) Events(ctx context.Context, id string) (*EventLog, error) {
	m.mu.Lock()
	lr, ok := m.live[id]
	m.mu.Unlock()
	if ok {
		return lr.log, nil
	}
	if m.cfg.Queue != nil {
		return m.followed(ctx, id)
	}
	if _, err := m.store.LoadRun(ctx, id); err != nil {
		return nil, err
	}
	events, err := m.store.LoadEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	return restoredLog(events), nil
}

// Cancel stops a queued or running run. It returns ErrNotFound for an
// unknown run and ErrFinished for one that has ended.
func (m *Manager) Cancel(ctx context.Context, id string) error {
	m.mu.Lock()
	lr, ok := m.live[id]
	if !ok && m.cfg.Queue != nil {
		m.mu.Unlock()
		return m.cancelShared(ctx, id)
	}
	if !ok || lr.run.Status.Final() {
		m.mu.Unlock()
		if _, err := m.store.LoadRun(ctx, id); err != nil {
			return err
		}
		return ErrFinished
	}
	if lr.run.Status == StatusRunning {
		lr.cancelled = true
		lr.cancel()
		m.mu.Unlock()
		return nil
	}
	// Still queued: it never starts.
	i := slices.Index(m.queue, lr)
	if i < 0 { // a concurrent Cancel or Shutdown is already finishing it
		m.mu.Unlock()
		return ErrFinished
	}
	m.queue = slices.Delete(m.queue, i, i+1)
	m.announceQueueLocked()
	m.mu.Unlock()
	lr.log.Append(event.Error{Message: "cancelled on request"})
	m.finishQueued(lr, StatusCancelled, "cancelled on request")
	return nil
}

// finishQueued ends a run that never started.
func (m *Manager) finishQueued(lr *liveRun, status Status, msg string) {
	m.mu.Lock()
	m.running = append(m.running, lr) // finish removes it again
	m.mu.Unlock()
	m.finish(lr, status, nil, msg)
}

// Shutdown refuses new runs, interrupts queued and running ones, stores
// them and waits for running ones to return, or for ctx.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	queued := m.queue
	m.queue = nil
	m.mu.Unlock()
	for _, lr := range queued {
		const msg = "the server stopped before the run started"
		lr.log.Append(event.Error{Message: msg})
		m.finishQueued(lr, StatusInterrupted, msg)
	}
	m.stopAll()
	done := make(chan struct{})
	go func() { m.wg.Wait(); m.loops.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("lab: runs still stopping: %w", ctx.Err())
	}
}

// Queue returns the number of runs running and waiting, for metrics.
func (m *Manager) Queue() (running, waiting int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.running), len(m.queue)
}

// SlotsBusy returns how many runner slots execute a run or are lent
// (Slot), for metrics.
func (m *Manager) SlotsBusy() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.running) + m.lent
}
