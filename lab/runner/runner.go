package runner

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"fmt"
	"time"
)

// A Job is one run as a runner receives it: everything needed to execute
// it, in plain JSON, so that it can cross a pipe to a child process today
// and a shared queue to another machine later.
type Job struct {
	Run        string            `json:"run"`
	Experiment string            `json:"experiment"`
	Params     map[string]string `json:"params"` // as Params.Encode writes them; checked again by the runner
	// Start is the zero of the run's clock: span times are measured from
	// it, in wall-clock time, since a child's monotonic clock is its own.
	Start time.Time `json:"start"`
	// CPUs are the CPU ids of the runner slot the run has to itself; none
	// means the run is not pinned.
	CPUs []int `json:"cpus,omitempty"`
	// Slot names the runner slot, for the run's env ("local/1").
	Slot string `json:"slot,omitempty"`
	// Timeout is the longest the run may take; the runner's own backstop,
	// beside the deadline of its context.
	Timeout time.Duration `json:"timeout"`
	// TraceDir, if set, is the directory the run writes the raw execution
	// traces of a run with trace=true into, a file per variant.
	TraceDir string `json:"trace_dir,omitempty"`
	// Yours, if set, is the learner's program the variant yours runs.
	Yours *YoursJob `json:"yours,omitempty"`
}

// A YoursJob is a learner's built program, for the variant yours.
type YoursJob struct {
	Program string `json:"program"` // its path
	UID     int    `json:"uid"`     // the user it runs as (sandbox.RunUID + slot)
	// Race is the same file built with the race detector, for a run with
	// detector=true; "" without.
	Race string `json:"race,omitempty"`
}

// A Report is what a runner returns of a run that ran to its end.
type Report struct {
	Result *lab.Result `json:"result"` // without a verdict: the manager writes it
	// Env is the run's environment as the run itself saw it: gomaxprocs,
	// the CPUs it was pinned to, whether pinning held.
	Env lab.Env `json:"env"`
}

// A Sink receives a run's events in order. The server's event log is one;
// a runner's child process writes them to its parent instead.
type Sink interface {
	// Append adds an event with body b; false means the sink is closed and
	// the event was dropped.
	Append(b event.Body) bool
	// Start is the zero of the run's clock, for span times.
	Start() time.Time
}

// A Flusher is a Sink that buffers: the emitter calls Flush after each of
// its flushes, from its own goroutine, never from an experiment's.
type Flusher interface {
	Flush()
}

// InProcess is a Runner that executes runs as function calls in this
// process: for tests of the scheduler, and for code that only needs a run's
// figures. It shares the process's cores and GOMAXPROCS with everything
// else, so its timings are not a lesson's.
type InProcess struct {
	exps map[string]lab.Experiment
}

// NewInProcess returns a Runner for the given experiments.
func NewInProcess(exps []lab.Experiment) *InProcess {
	r := &InProcess{exps: make(map[string]lab.Experiment, len(exps))}
	for _, e := range exps {
		r.exps[e.Info().ID] = e
	}
	return r
}

// Run implements Runner.
func (r *InProcess) Run(ctx context.Context, job Job, sink Sink) (Report, error) {
	exp, p, err := CheckJob(r.exps, job)
	if err != nil {
		return Report{}, err
	}
	if job.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, job.Timeout)
		defer cancel()
	}
	// Not Execute: a run in the server's process shares its cores with
	// everything else, so what other programs took of them means nothing.
	res, err := RunTrials(WithTraceDir(ctx, job.TraceDir), exp, p, sink)
	if err != nil {
		return Report{}, err
	}
	return Report{Result: res, Env: JobEnv(job, nil)}, nil
}

// CheckJob finds the job's experiment among exps and checks its
// parameters, for a runner about to execute it.
func CheckJob(exps map[string]lab.Experiment, job Job) (lab.Experiment, lab.Params, error) {
	exp, ok := exps[job.Experiment]
	if !ok {
		return nil, nil, fmt.Errorf("this runner has no experiment %q", job.Experiment)
	}
	// Checked again where the run executes: a clip may have gone meanwhile.
	// The message is the learner's, as the server would have put it.
	p, err := lab.ParseMap(exp.Info(), job.Params)
	if err != nil {
		return nil, nil, err
	}
	return exp, p, nil
}
