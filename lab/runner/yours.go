package runner

// The variant yours: a learner's program, started once per run in a
// sandbox, runs each trial when asked; the experiment's Edit judges what
// the harness counted.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours"
)

// YoursTrialLimit bounds one trial of a learner's function: past it, the
// run stops and says why (an endless loop, goroutines waiting forever).
const YoursTrialLimit = 10 * time.Second

type yoursKey struct{}

// startYours starts the learner's program of job, if it names one, and
// returns ctx carrying it, and how to stop it.
func startYours(ctx context.Context, job Job, p lab.Params) (context.Context, func(em lab.Emitter), error) {
	if job.Yours == nil {
		return ctx, func(lab.Emitter) {}, nil
	}
	sb, err := sandbox.New()
	if err != nil {
		return ctx, nil, err
	}
	prog, err := yours.Start(ctx, yours.Spec{Sandbox: sb, Path: job.Yours.Program, Params: job.Params,
		UID: job.Yours.UID, Cores: p.Cores()})
	if err != nil {
		return ctx, nil, fmt.Errorf("%s: %w", lab.Yours, err)
	}
	stop := func(em lab.Emitter) {
		prog.Close()
		if out, n := prog.Output(); n > 0 {
			em.Log(fmt.Sprintf("%s printed %s bytes; the first of them: %s", lab.Yours, lab.Group(n), firstBytes(out, 2048)))
		}
	}
	return context.WithValue(ctx, yoursKey{}, prog), stop, nil
}

// yoursTrial runs trial i of the variant yours.
func yoursTrial(ctx context.Context, exp lab.Experiment, p lab.Params, i int, em lab.Emitter) (lab.Trial, error) {
	prog, _ := ctx.Value(yoursKey{}).(*yours.Program)
	edit := exp.Info().Edit
	if prog == nil || edit == nil {
		return lab.Trial{}, errors.New("this runner was given no program for the variant yours")
	}
	r, err := prog.Trial(ctx, i+1, YoursTrialLimit)
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
	return t, nil
}

func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
