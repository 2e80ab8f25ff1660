package runner

import (
	"cmp"
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"
)

// RunTrials executes every chosen variant's trials, round-robin, reporting
// through an emitter on sink, and summarises them. The verdict is left to
// the caller, which knows the run's whole environment. Runners call it in
// the process that executes the run; Execute also measures what other
// programs took of the run's CPUs meanwhile.
func RunTrials(ctx context.Context, exp lab.Experiment, p lab.Params, sink Sink) (*lab.Result, error) {
	res, _, err := runTrials(ctx, exp, p, sink, nil, nil)
	return res, err
}

// Execute runs a checked job in this process: its trials (RunTrials),
// then the environment it saw (JobEnv), with the share of its CPUs' time
// other programs took while the trials ran.
func Execute(ctx context.Context, job Job, exp lab.Experiment, p lab.Params, sink Sink) (Report, error) {
	cpus := Affinity()
	ctx, stopYours, err := startYours(ctx, job, exp)
	if err != nil {
		return Report{}, err
	}
	res, others, err := runTrials(WithTraceDir(ctx, job.TraceDir), exp, p, sink, cpus, stopYours)
	if err != nil {
		return Report{}, err
	}
	env := JobEnv(job, cpus)
	env.OthersPct = others.pct()
	return Report{Result: res, Env: env}, nil
}

// runTrials is RunTrials, which also adds up what other programs took of
// cpus during the trials (nothing is measured without cpus).
func runTrials(ctx context.Context, exp lab.Experiment, p lab.Params, sink Sink, cpus []int, stopYours func(lab.Emitter)) (*lab.Result, *cpuShare, error) {
	run := &cpuShare{cpus: cpus}
	em := newEmitter(sink, p.Repeat())
	em.start()
	defer em.close()
	if stopYours != nil {
		defer stopYours(em) // before the emitter closes: what it printed is logged
	}
	res := &lab.Result{}
	variants := p.Variants()
	if pl, ok := exp.(lab.Planner); ok {
		variants = pl.Plan(p)
	}
	// Goroutines the process runs anyway; a variant's peak is counted above
	// them, plus the goroutine that calls Trial.
	base := float64(runtime.NumGoroutine()) - 1
	// Trials run round-robin: the first trial of every variant, then the
	// second of each, and so on. A slow patch of the machine (another
	// program, a busy host) then falls on every variant alike, not only on
	// the one that happened to run during it.
	trials := make([][]lab.TrialResult, len(variants))
	shares := make([]cpuShare, len(variants))
	for j := range shares {
		shares[j].cpus = cpus
	}
	for i := range p.Repeat() {
		for j, v := range variants {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			collectGarbage() // start each trial with a clean heap, outside the timing
			em.setTrial(v, i)
			before := shares[j].read()
			cpu0 := lab.CPUTime()
			start := time.Now()
			var t lab.Trial
			var err error
			if v == lab.Yours {
				t, err = yoursTrial(ctx, exp, p, i, em)
			} else {
				t, err = exp.Trial(ctx, v, p, em)
			}
			elapsed := time.Since(start)
			cpu := lab.CPUTime() - cpu0
			after := shares[j].read()
			shares[j].add(before, after)
			run.add(before, after)
			em.sampleNow() // a trial shorter than a tick still has its peaks
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s, trial %d: %w", v, i+1, err)
			}
			if t.Elapsed > 0 {
				elapsed = t.Elapsed
			}
			if t.CPU > 0 {
				cpu = t.CPU
			}
			tr := lab.TrialResult{Ms: durationMs(elapsed), CPUMs: durationMs(cpu), Expected: t.Expected, Got: t.Got, Extra: t.Extra}
			trials[j] = append(trials[j], tr)
			em.Log(trialLine(v, i, p.Repeat(), tr))
		}
	}
	if on, _ := p["trace"].(bool); on {
		kept, err := traceVariants(ctx, exp, p, variants, sink, em)
		if err != nil {
			return nil, nil, err
		}
		res.Traces = kept
	}
	for j, v := range variants {
		vr := summarize(v, trials[j])
		vr.Peaks["goroutines"] = max(1, em.peakGoroutines(v)-base)
		vr.Peaks["heap_bytes"] = em.peakHeap(v)
		vr.Peaks["stack_bytes"] = em.peakStacks(v)
		vr.OthersPct = shares[j].pct()
		if v == lab.Yours {
			// The samples are of this process; the learner's program is
			// another, in its sandbox: no peaks rather than wrong ones.
			clear(vr.Peaks)
		}
		res.Variants = append(res.Variants, vr)
	}
	setSpeedups(res.Variants, baselineOf(exp.Info()))
	if sm, ok := exp.(lab.Summarizer); ok {
		sm.Summarize(res, p)
	}
	return res, run, nil
}

// minGarbage is the least garbage worth a collection before a trial: a
// forced collection costs a millisecond or more even of an empty heap,
// while less garbage than this moves the next collection by under 1/16 of
// the smallest heap goal (4 MiB), too little to change a trial's timing.
const minGarbage = 256 << 10

// collectGarbage collects the heap if it holds at least minGarbage bytes
// of garbage (objects allocated since the last collection's live heap).
func collectGarbage() {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 || m[1].Value.Kind() != metrics.KindUint64 ||
		m[0].Value.Uint64() >= m[1].Value.Uint64()+minGarbage {
		runtime.GC()
	}
}

func trialLine(v string, i, n int, t lab.TrialResult) string {
	s := fmt.Sprintf("%s: trial %d of %d took %.3f ms", v, i+1, n, t.Ms)
	if t.Got != nil && t.Expected != nil {
		s += fmt.Sprintf(", got %d of %d", *t.Got, *t.Expected)
	}
	return s
}

func baselineOf(info lab.Info) string {
	for _, v := range info.Variants {
		if v.Baseline {
			return v.Name
		}
	}
	return ""
}

// traceVariants runs one traced trial of each variant, after the timed
// ones, and sends its spans: the earliest of each, up to its share of
// MaxTraceSpans, as trial number repeat (one past the timed trials). What
// is left out, the log says.
// It returns the variants whose raw trace it kept in the run's trace
// directory.
func traceVariants(ctx context.Context, exp lab.Experiment, p lab.Params, variants []string, sink Sink, em *runEmitter) (kept []string, err error) {
	share := MaxTraceSpans / max(len(variants), 1)
	for _, v := range variants {
		collectGarbage()
		var t Traced
		var err error
		if v == lab.Yours {
			t, err = traceYours(ctx, p, sink.Start())
		} else {
			t, err = TraceTrial(ctx, exp, v, p, sink.Start())
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			em.Log(fmt.Sprintf("%s: no execution trace: %v", v, err))
			continue
		}
		slices.SortStableFunc(t.Spans, func(a, b event.Span) int { return cmp.Compare(a.Start, b.Start) })
		spans := t.Spans[:min(len(t.Spans), share)]
		for _, sp := range spans {
			sp.Trial = int64(p.Repeat())
			sink.Append(sp)
		}
		switch {
		case t.Cut:
			em.Log(fmt.Sprintf("%s: the execution trace passed %d MiB and was cut; its timeline ends there", v, MaxTraceBytes>>20))
		case len(spans) < t.Total:
			em.Log(fmt.Sprintf("%s: the execution trace's timeline keeps its first %d of %d spans", v, len(spans), t.Total))
		}
		if ok, err := writeTrace(ctx, v, t.Raw); err != nil {
			em.Log(fmt.Sprintf("%s: %v", v, err))
		} else if ok {
			kept = append(kept, v)
		}
	}
	return kept, nil
}
