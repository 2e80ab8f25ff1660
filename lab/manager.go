package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"concurrencylab/lab/errs"
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
}

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
	exps    []Experiment
	byID    map[string]Experiment
	ctx     context.Context    // parent of every run's context
	stopAll context.CancelFunc // cancels ctx, at shutdown
	wg      sync.WaitGroup     // running runs

	mu      sync.Mutex          // guards the fields below and every liveRun's run, cancel and cancelled
	live    map[string]*liveRun // queued and running runs, until stored
	queue   []*liveRun          // waiting, in order
	running []*liveRun
	busy    []bool               // busy[i]: slot i executes a run
	history map[string][]float64 // experiment -> seconds its last runs took, newest last
	closed  bool
}

// liveRun is a run the manager holds in memory while it is queued or running.
type liveRun struct {
	exp       Experiment
	params    Params
	log       *EventLog
	run       Run
	cancel    context.CancelFunc // set when it starts
	cancelled bool               // a cancel was requested
	slot      int                // the runner slot, once running
	client    string             // who asked, for an anonymous run; "" for a workshop's
}

// NewManager returns a manager for the given experiments. It marks runs that
// a previous process left queued or running as interrupted.
func NewManager(ctx context.Context, log *slog.Logger, store Store, cfg Config, exps []Experiment) (*Manager, error) {
	if len(cfg.Slots) > 0 {
		cfg.Parallel = len(cfg.Slots)
	}
	if cfg.Parallel < 1 {
		cfg.Parallel = 1
	}
	if cfg.Runner == nil {
		cfg.Runner = NewInProcess(exps)
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
	n, err := store.Interrupt(ctx)
	if err != nil {
		return nil, fmt.Errorf("lab: mark interrupted runs: %w", err)
	}
	if n > 0 {
		log.Info("runs cut off by the last stop are marked interrupted", "runs", n)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m := &Manager{
		log: log, store: store, cfg: cfg,
		byID: make(map[string]Experiment, len(exps)),
		ctx:  runCtx, stopAll: stop,
		live:    make(map[string]*liveRun),
		busy:    make([]bool, cfg.Parallel),
		history: make(map[string][]float64),
	}
	cores := runtime.NumCPU()
	if len(cfg.Slots) > 0 {
		cores = len(cfg.Slots[0])
	}
	for _, e := range exps {
		s := slotted{e, cores}
		m.exps = append(m.exps, s)
		m.byID[e.Info().ID] = s
	}
	return m, nil
}

// slotted is an experiment as a manager offers it: its Info says how many
// cores a run may use, so the cores parameter is checked against the slot.
type slotted struct {
	Experiment
	cores int
}

func (s slotted) Info() Info {
	info := s.Experiment.Info()
	info.Cores = s.cores
	return info
}

// unwrap returns the experiment itself, with its optional interfaces.
func unwrap(e Experiment) Experiment {
	if s, ok := e.(slotted); ok {
		return s.Experiment
	}
	return e
}

// Config returns the manager's limits.
func (m *Manager) Config() Config { return m.cfg }

// Experiments returns every experiment, in catalog order.
func (m *Manager) Experiments() []Experiment { return m.exps }

// Cores returns the CPUs of a runner slot: the most a run may use.
func (m *Manager) Cores() int {
	if len(m.cfg.Slots) > 0 {
		return len(m.cfg.Slots[0])
	}
	return runtime.NumCPU()
}

// Experiment returns the experiment with the given id, or ErrNotFound.
func (m *Manager) Experiment(id string) (Experiment, error) {
	e, ok := m.byID[id]
	if !ok {
		return nil, ErrNotFound
	}
	return e, nil
}

// Submit queues a run of experiment id with checked parameters p, for a
// workshop session: it may use the whole queue.
func (m *Manager) Submit(ctx context.Context, id string, p Params) (Run, error) {
	return m.submit(ctx, id, p, "")
}

// SubmitAnonymous queues a run for client (an address), outside any
// workshop: it gets ErrClientShare if client has Config.PerClient runs
// queued or running already, and ErrQueueFull once anonymous runs fill
// the queue but for Config.Reserve places, kept for workshops.
func (m *Manager) SubmitAnonymous(ctx context.Context, id string, p Params, client string) (Run, error) {
	if client == "" {
		client = "unknown"
	}
	return m.submit(ctx, id, p, client)
}

func (m *Manager) submit(ctx context.Context, id string, p Params, client string) (Run, error) {
	exp, err := m.Experiment(id)
	if err != nil {
		return Run{}, err
	}
	lr := &liveRun{
		exp: exp, params: p, log: NewEventLog(),
		run: Run{
			ID: NewID(10), Experiment: id, Params: p.JSON(exp.Info()),
			Status: StatusQueued, Created: time.Now().UTC(), Env: CurrentEnv(),
		},
	}
	lr.run.Env.NumCPU = MaxCores(exp.Info())
	lr.run.Env.GOMAXPROCS = lr.run.Env.NumCPU
	if n := p.Cores(); n > 0 {
		lr.run.Env.GOMAXPROCS = n
	}
	lr.exp = unwrap(exp)
	lr.client = client
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return Run{}, ErrShuttingDown
	case len(m.queue) >= m.cfg.MaxQueue:
		m.mu.Unlock()
		return Run{}, ErrQueueFull
	}
	if err := m.shareLocked(client); err != nil {
		m.mu.Unlock()
		return Run{}, err
	}
	if err := m.store.SaveRun(ctx, lr.run); err != nil {
		m.mu.Unlock()
		return Run{}, fmt.Errorf("lab: save run %s: %w", lr.run.ID, err)
	}
	m.live[lr.run.ID] = lr
	m.queue = append(m.queue, lr)
	lr.log.Append(TypeStatus, m.queuedLocked(len(m.queue)-1))
	m.dispatchLocked()
	r := lr.run
	m.mu.Unlock()
	m.log.Info("run queued", "run", r.ID, "experiment", id)
	return r, nil
}

// announceQueueLocked tells every queued run its position (1 is next) and
// expected wait.
func (m *Manager) announceQueueLocked() {
	for i, lr := range m.queue {
		lr.log.Append(TypeStatus, m.queuedLocked(i))
	}
}

// dispatchLocked starts queued runs while there is room.
func (m *Manager) dispatchLocked() {
	started := false
	for len(m.running) < m.cfg.Parallel && len(m.queue) > 0 && !m.closed {
		lr := m.queue[0]
		m.queue = m.queue[1:]
		ctx, cancel := context.WithTimeout(m.ctx, m.cfg.Timeout)
		lr.cancel = cancel
		now := time.Now().UTC()
		lr.run.Started = &now
		lr.run.Status = StatusRunning
		lr.slot = slices.Index(m.busy, false)
		m.busy[lr.slot] = true
		lr.run.Env.Runner = fmt.Sprintf("local/%d", lr.slot+1)
		if len(m.cfg.Slots) > 0 {
			// A run asking for fewer cores than its slot has is pinned to
			// that many of them: GOMAXPROCS alone would not hold the
			// threads of a C library (OpenCV) or of system calls.
			slot := m.cfg.Slots[lr.slot]
			lr.run.Env.CPUs = slices.Clone(slot[:min(len(slot), lr.run.Env.GOMAXPROCS)])
			lr.run.Env.Pinned = true // as planned; the runner's report says what held
		}
		m.running = append(m.running, lr)
		for _, r := range m.running {
			r.run.Env.InFlight = max(r.run.Env.InFlight, len(m.running))
		}
		lr.log.Append(TypeStatus, map[string]any{"state": StatusRunning})
		m.wg.Add(1)
		go m.execute(ctx, lr)
		started = true
	}
	if started && len(m.queue) > 0 {
		m.announceQueueLocked() // the line moved
	}
}

// execute runs lr to its end and stores it.
func (m *Manager) execute(ctx context.Context, lr *liveRun) {
	defer m.wg.Done()
	m.mu.Lock()
	snapshot := lr.run
	m.mu.Unlock()
	if err := m.store.SaveRun(ctx, snapshot); err != nil {
		m.log.Error("save started run", "run", snapshot.ID, "err", err)
	}

	job := Job{
		Run: snapshot.ID, Experiment: snapshot.Experiment,
		Params: lr.params.Encode(lr.exp.Info()), Start: lr.log.Start(),
		CPUs: snapshot.Env.CPUs, Slot: snapshot.Env.Runner, Timeout: m.cfg.Timeout,
	}
	stopSaving := m.saveWhileRunning(snapshot.ID, lr.log)
	rep, err := m.cfg.Runner.Run(ctx, job, lr.log)
	stopSaving()
	res := rep.Result
	if err == nil && res == nil {
		err = errors.New("the runner returned no result")
	}

	m.mu.Lock()
	cancelled := lr.cancelled
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
	case m.ctx.Err() != nil:
		status, msg = StatusInterrupted, "the server stopped during the run"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		status, msg = StatusFailed, fmt.Sprintf("the run was stopped at the %s time limit: ask for fewer trials or smaller sizes", m.cfg.Timeout)
	default:
		status, msg = StatusFailed, err.Error()
	}
	lr.cancel()
	if res != nil && err == nil {
		lr.log.Append(TypeResult, resultBody(res))
	}
	if msg != "" {
		lr.log.Append(TypeError, map[string]any{"message": msg})
	}
	m.finish(lr, status, res, msg)
}

// finish records lr's final state: it stores the run and every event,
// the final status among them, and only then announces the end to readers
// (the status event, the closed stream, Get), so a run reported finished
// is never lost. It frees the run's slot first, so the next queued run
// need not wait for the store.
func (m *Manager) finish(lr *liveRun, status Status, res *Result, msg string) {
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

	all := lr.log.Seal(TypeStatus, map[string]any{"state": status})
	err := m.storeFinished(r, all)

	m.mu.Lock()
	// Under m.mu, so Get never says running once the stream has ended.
	lr.run = r
	lr.log.Commit(all[len(all)-1])
	if err == nil {
		delete(m.live, r.ID)
	}
	m.mu.Unlock()
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
		err = m.store.SaveEvents(ctx, r.ID, events)
		if err == nil {
			err = m.store.SaveRun(ctx, r)
		}
		cancel()
		if err == nil {
			return nil
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
			err := m.store.SaveEvents(ctx, id, evs)
			cancel()
			if err != nil {
				m.log.Warn("store a running run's events", "run", id, "err", err)
				continue
			}
			saved += len(evs)
		}
	}()
	return func() { close(done); wg.Wait() }
}

// mergeEnv returns the run's env with what the runner saw: the CPUs the
// run was really pinned to, its GOMAXPROCS. The slot's size and the
// in-flight count stay the manager's.
func mergeEnv(env, seen Env) Env {
	seen.InFlight, seen.NumCPU = env.InFlight, env.NumCPU
	if seen.Runner == "" {
		seen.Runner = env.Runner
	}
	return seen
}

func verdict(exp Experiment, r *Result, p Params, env Env) (headline, details string) {
	if j, ok := exp.(Judge); ok {
		return j.Judge(r, p, env)
	}
	if v, ok := exp.(Verdicter); ok {
		return v.Verdict(r, p, env), ""
	}
	return genericVerdict(r), ""
}

func resultBody(r *Result) map[string]any {
	body := map[string]any{"verdict": r.Verdict, "variants": r.Variants}
	if r.Details != "" {
		body["details"] = r.Details
	}
	return body
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
	lr.log.Append(TypeError, map[string]any{"message": "cancelled on request"})
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
		lr.log.Append(TypeError, map[string]any{"message": msg})
		m.finishQueued(lr, StatusInterrupted, msg)
	}
	m.stopAll()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
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
