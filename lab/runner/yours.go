package runner

// The variant yours: a learner's program, started in a sandbox for each
// trial; the lab times the trial itself, and the experiment's Edit judges
// what the harness counted.

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// yoursRun is the variant yours of a run: the job naming its programs,
// the sandbox, and what its programs printed, across trials.
type yoursRun struct {
	job    Job
	sb     *sandbox.Sandbox
	fn     string
	output *yours.Output
}

// startYours returns ctx carrying the variant yours of job, if it names
// one, and what logs what its programs printed once the trials are over.
func startYours(ctx context.Context, job Job, exp lab.Experiment) (context.Context, func(em lab.Emitter), error) {
	if job.Yours == nil {
		return ctx, func(lab.Emitter) {}, nil
	}
	sb, err := sandbox.New()
	if err != nil {
		return ctx, nil, err
	}
	yr := &yoursRun{job: job, sb: sb, fn: funcName(exp), output: yours.NewOutput()}
	done := func(em lab.Emitter) {
		if out, n := yr.output.Get(); n > 0 {
			em.Log(fmt.Sprintf("%s printed %s bytes; the first of them: %s", lab.Yours, lab.Group(n), firstBytes(out, 2048)))
		}
	}
	return context.WithValue(ctx, yoursKey{}, yr), done, nil
}

// trial runs the program at path for trial n in its sandbox: it starts,
// is ready, and then the lab's clock runs until its answer.
// With trace set, the program writes its execution trace there.
func (yr *yoursRun) trial(ctx context.Context, path string, params map[string]string, n, cores int, race bool, trace io.Writer) (yours.Result, error) {
	prog, err := yours.Start(ctx, yours.Spec{Sandbox: yr.sb, Path: path, Params: params, Trial: n,
		Output: yr.output, UID: yr.job.Yours.UID, Cores: cores, Func: yr.fn, Race: race, Trace: trace})
	if err != nil {
		return yours.Result{}, err
	}
	defer prog.Close()
	return prog.Run(ctx, trialLimit(yr.job), cores)
}

// yoursTrial runs trial i of the variant yours.
func yoursTrial(ctx context.Context, exp lab.Experiment, p lab.Params, i int, em lab.Emitter) (lab.Trial, error) {
	yr, _ := ctx.Value(yoursKey{}).(*yoursRun)
	edit := exp.Info().Edit
	if yr == nil || edit == nil {
		return lab.Trial{}, errors.New("yours cannot run here: this server runs no learners' code (editing is off)")
	}
	r, err := yr.trial(ctx, yr.job.Yours.Program, yr.job.Params, i+1, p.Cores(), false, nil)
	if err != nil {
		return lab.Trial{}, err
	}
	end := time.Now()
	em.Span(0, end.Add(-r.Elapsed), end, lab.Yours)
	em.Progress(1, 1, "calls")
	t := lab.Trial{Elapsed: r.Elapsed, CPU: r.CPU, Expected: lab.Int64(edit.Expected(p)), Got: lab.Int64(r.Got)}
	if edit.Extra != nil {
		t.Extra = edit.Extra(p, r.Got, r.Elapsed)
	}
	if i == 0 && yr.job.Yours.Race != "" {
		// Once a run, after its first trial, outside the timing.
		extra, err := detectYours(ctx, yr, p)
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
func detectYours(ctx context.Context, yr *yoursRun, p lab.Params) (map[string]any, error) {
	params := maps.Clone(yr.job.Params)
	params["goroutines"], params["increments"] = strconv.Itoa(raceGoroutines), strconv.Itoa(raceIncrements)
	out := yours.NewOutput()
	race := &yoursRun{job: yr.job, sb: yr.sb, fn: yr.fn, output: out}
	r, trialErr := race.trial(ctx, yr.job.Yours.Race, params, 1, p.Cores(), true, nil)
	report, _ := out.Get()
	report = dropLines(report, "WARNING: reading executable name failed") // the sandbox has no /proc
	races := strings.Count(report, "WARNING: DATA RACE")
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
		"race_report":  report,
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
