package runner

// The variant yours: a learner's program, started once per run in a
// sandbox, runs each trial when asked; the experiment's Edit judges what
// the harness counted.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours"
)

// YoursTrialLimit bounds one trial of a learner's function: past it, the
// run stops and says why (an endless loop, goroutines waiting forever). A
// run with a shorter time limit gives a trial a quarter of it.
const YoursTrialLimit = 10 * time.Second

// trialLimit is how long one trial of yours may take in job.
func trialLimit(job Job) time.Duration {
	if job.Timeout > 0 {
		return min(YoursTrialLimit, job.Timeout/4)
	}
	return YoursTrialLimit
}

type yoursKey struct{}

// startYours starts the learner's program of job, if it names one, and
// returns ctx carrying it, and how to stop it.
func startYours(ctx context.Context, job Job, exp lab.Experiment, p lab.Params) (context.Context, func(em lab.Emitter), error) {
	if job.Yours == nil {
		return ctx, func(lab.Emitter) {}, nil
	}
	sb, err := sandbox.New()
	if err != nil {
		return ctx, nil, err
	}
	prog, err := yours.Start(ctx, yours.Spec{Sandbox: sb, Path: job.Yours.Program, Params: job.Params,
		UID: job.Yours.UID, Cores: p.Cores(), Func: funcName(exp)})
	if err != nil {
		return ctx, nil, fmt.Errorf("%s: %w", lab.Yours, err)
	}
	stop := func(em lab.Emitter) {
		prog.Close()
		if out, n := prog.Output(); n > 0 {
			em.Log(fmt.Sprintf("%s printed %s bytes; the first of them: %s", lab.Yours, lab.Group(n), firstBytes(out, 2048)))
		}
	}
	return context.WithValue(ctx, yoursKey{}, &yoursRun{prog: prog, job: job}), stop, nil
}

// yoursRun is the variant yours of a run: its program, and the job for
// the race detector's run.
type yoursRun struct {
	prog *yours.Program
	job  Job
}

// yoursTrial runs trial i of the variant yours.
func yoursTrial(ctx context.Context, exp lab.Experiment, p lab.Params, i int, em lab.Emitter) (lab.Trial, error) {
	yr, _ := ctx.Value(yoursKey{}).(*yoursRun)
	edit := exp.Info().Edit
	if yr == nil || edit == nil {
		return lab.Trial{}, errors.New("this runner was given no program for the variant yours")
	}
	r, err := yr.prog.Trial(ctx, i+1, trialLimit(yr.job))
	if err != nil {
		return lab.Trial{}, err
	}
	end := time.Now()
	elapsed := time.Duration(r.Ns)
	em.Span(0, end.Add(-elapsed), end, lab.Yours)
	em.Progress(1, 1, "calls")
	t := lab.Trial{Elapsed: elapsed, CPU: time.Duration(r.CPUNs),
		Expected: lab.Int64(edit.Expected(p)), Got: lab.Int64(r.Got)}
	if edit.Extra != nil {
		t.Extra = edit.Extra(p, r.Got, elapsed)
	}
	if i == 0 && yr.job.Yours.Race != "" {
		// Once a run, after its first trial, outside the timing.
		extra, err := detectYours(ctx, yr.job, exp, p)
		if err != nil {
			return lab.Trial{}, err
		}
		if t.Extra == nil {
			t.Extra = map[string]any{}
		}
		maps.Copy(t.Extra, extra)
		em.Log(lab.Yours + ": " + extra["race_summary"].(string))
	}
	return t, nil
}

func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Sizes of the race detector's run of a learner's program: small, as
// the lab's own detector runs are; one overlap is enough for a report.
const (
	raceGoroutines = 2
	raceIncrements = 1000
)

// detectYours runs the learner's program built with the race detector
// once, at small sizes, in its sandbox, and returns what the detector
// reported as a trial's extra figures (the lab's race_* figures).
func detectYours(ctx context.Context, job Job, exp lab.Experiment, p lab.Params) (map[string]any, error) {
	sb, err := sandbox.New()
	if err != nil {
		return nil, err
	}
	params := maps.Clone(job.Params)
	params["goroutines"], params["increments"] = strconv.Itoa(raceGoroutines), strconv.Itoa(raceIncrements)
	prog, err := yours.Start(ctx, yours.Spec{Sandbox: sb, Path: job.Yours.Race, Params: params,
		UID: job.Yours.UID, Cores: p.Cores(), Race: true, Func: funcName(exp)})
	if err != nil {
		return nil, fmt.Errorf("%s built with -race: %w", lab.Yours, err)
	}
	r, trialErr := prog.Trial(ctx, 1, trialLimit(job))
	prog.Close()
	out, _ := prog.Output()
	out = dropLines(out, "WARNING: reading executable name failed") // the sandbox has no /proc
	races := strings.Count(out, "WARNING: DATA RACE")
	found := "no data race reported"
	switch {
	case races == 1:
		found = "1 data race reported"
	case races > 1:
		found = fmt.Sprintf("%d data races reported", races)
	}
	if trialErr != nil && races == 0 {
		return nil, fmt.Errorf("%s built with -race: %w", lab.Yours, trialErr)
	}
	return map[string]any{
		"race_command": fmt.Sprintf("go build -race; Count(c, %d, %d)", raceGoroutines, raceIncrements),
		"race_output":  fmt.Sprintf("%d", r.Got),
		"race_report":  out,
		"race_reports": races,
		"race_found":   found,
		"race_summary": fmt.Sprintf("race detector: yours, built with -race, counted %d of %d: %s", r.Got, raceGoroutines*raceIncrements, found),
	}, nil
}

// dropLines returns s without its lines that contain sub.
func dropLines(s, sub string) string {
	lines := strings.SplitAfter(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, sub) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "")
}

// funcName is the name of the learner's function, for messages.
func funcName(exp lab.Experiment) string {
	if e := exp.Info().Edit; e != nil {
		return e.Func.Name
	}
	return ""
}
