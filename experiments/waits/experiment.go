// Package waits is many concurrent waits: a goroutine each, a pool of K
// and one after another, on timers or on a loopback server, with what a
// waiting goroutine costs measured in the run's process.
package waits

import (
	"context"
	_ "embed"
	"fmt"
	"runtime/debug"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the variants, and the wait they share.
var (
	//go:embed waits.go
	waitsSource string
	//go:embed wait.go
	waitSource string
)

const (
	// MaxN bounds the waits of a trial.
	MaxN = 1_000_000
	// MaxGoroutines bounds N for the goroutines variant: at about 2.7 KB a
	// waiting goroutine (measured: stack, goroutine and timer), 250,000
	// of them take about 700 MB, within the default 1 GiB a run may hold;
	// a million would take about 2.7 GB.
	MaxGoroutines = 250_000
	// MaxNet bounds N for kind net: each wait in flight holds two
	// descriptors (client and server ends) and an ephemeral port.
	MaxNet = 2_000
	// MaxWait bounds the waits one after another of the slowest chosen
	// variant: N × latency for sequential, ceil(N/K) × latency for the pool.
	MaxWait = 10 * time.Second
)

// Experiment is the many waits.
type Experiment struct{}

var (
	_ lab.Experiment = Experiment{}
	_ lab.Judge      = Experiment{}
)

// variants are the approaches, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Waits)
}{
	{lab.Variant{Name: "sequential", Summary: "one goroutine waits N times in a row", Baseline: true}, waitSequential},
	{lab.Variant{Name: "goroutines", Summary: "a goroutine for each wait, all at once"}, waitGoroutines},
	{lab.Variant{Name: "pool", Summary: "K goroutines take the waits from a channel, K at a time"}, waitPool},
}

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "waits",
		Title:   "Many waits: what a goroutine costs",
		Summary: "N concurrent waits on timers or a loopback server: a goroutine each, a pool of K, one after another, and the memory each waiting goroutine takes.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "n", Label: "Waits (N)", Kind: lab.KindInt, Default: "200", Min: 1, Max: MaxN,
				Help: "waits per trial: up to 1,000,000 for timers (250,000 with a goroutine each, for memory), 2,000 for net (descriptors and ports)"},
			{Name: "latency", Label: "Latency", Kind: lab.KindDuration, Default: "20ms", Min: 0, Max: 1000,
				Help: "how long each wait lasts"},
			{Name: "kind", Label: "Kind", Kind: lab.KindChoice, Default: "timer", Choices: []string{"timer", "net"},
				Help: "timer: a timer fires after the latency; net: a request to a loopback server in the run that answers after the latency"},
			{Name: "workers", Label: "Pool size (K)", Kind: lab.KindInt, Default: "10", Min: 1, Max: 100_000,
				Help: "the pool's goroutines, waits at once"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "vs_ideal", Label: "Time ÷ ideal", Unit: "×", Main: true,
				Help: "the wall time over the ideal, latency × ceil(N/K) (K = 1 for sequential, N for a goroutine each)"},
			{Key: "ideal_ms", Label: "Ideal", Unit: "ms", Help: "latency × ceil(N/K): the waits one after another if every wait took exactly the latency"},
			{Key: "waits_at_once", Label: "Waits at once", Help: "the most waits in progress at the same moment, counted exactly"},
			{Key: "peak_goroutines", Label: "Goroutines, sampled", Help: "goroutines alive beyond the trial's start (sampled every millisecond; net adds the server's, one a connection)"},
			{Key: "stack_bytes_per_goroutine", Label: "Stack per goroutine", Unit: "B", Help: "the stack memory added, divided by the goroutines added, at the peak"},
			{Key: "rss_kib_per_1000", Label: "RSS per 1,000 waits", Unit: "KiB", Help: "the process's resident memory added at the peak (from a trial start with memory returned to the system), per 1,000 waits"},
			{Key: "rss_mib", Label: "RSS, peak", Unit: "MiB", Help: "the run's process's resident memory at its peak during the trial"},
		},
		Charts: []lab.Chart{{Series: "waiting", Title: "Waits in progress", Unit: "waits"}},
		Source: []lab.SourceFile{
			{Name: "waits.go", Code: waitsSource},
			{Name: "wait.go", Code: waitSource},
		},
		Repeat: 3,
		Check:  check,
	}
}

func check(p lab.Params) error {
	n, k, l := p.Int("n"), p.Int("workers"), max(p.Duration("latency"), time.Millisecond)
	if p.String("kind") == "net" && n > MaxNet {
		return &lab.ParamError{Name: "n", Msg: fmt.Sprintf("must be at most %d for kind net (two descriptors and a port a wait), got %d", MaxNet, n)}
	}
	for _, v := range p.Variants() {
		switch {
		case v == "goroutines" && n > MaxGoroutines:
			return &lab.ParamError{Name: "n", Msg: fmt.Sprintf("must be at most %d with a goroutine each (about 2.7 KB a goroutine within the run's memory); choose the pool for more, got %d", MaxGoroutines, n)}
		case v == "sequential" && time.Duration(n)*l > MaxWait:
			return &lab.ParamError{Name: "n × latency", Msg: fmt.Sprintf("must be at most %s for sequential (waits count as at least 1ms), got %s", MaxWait, time.Duration(n)*l)}
		case v == "pool" && time.Duration((n+k-1)/k)*l > MaxWait:
			return &lab.ParamError{Name: "ceil(n ÷ workers) × latency", Msg: fmt.Sprintf("must be at most %s for the pool (waits count as at least 1ms), got %s", MaxWait, time.Duration((n+k-1)/k)*l)}
		}
	}
	return nil
}

// concurrency is the waits a variant has in flight at once, K of ceil(N/K).
func concurrency(variant string, p lab.Params) int {
	switch variant {
	case "sequential":
		return 1
	case "pool":
		return min(p.Int("workers"), p.Int("n"))
	}
	return p.Int("n")
}

// Trial implements lab.Experiment: the variant's waits, timed, with a
// sampler beside them; the memory figures start from a heap returned to
// the system, outside the timing.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	v, ok := lab.Lookup(variants, variant)
	if !ok {
		return lab.Trial{}, fmt.Errorf("waits: unknown variant %q", variant)
	}
	w := &Waits{N: p.Int("n"), K: p.Int("workers"), Latency: p.Duration("latency"), Kind: p.String("kind"), ctx: ctx}
	if w.Kind == "net" {
		srv, err := startServer(ctx, w.Latency)
		if err != nil {
			return lab.Trial{}, fmt.Errorf("waits: loopback server: %w", err)
		}
		defer srv.close()
		w.Addr = srv.ln.Addr().String()
	}
	debug.FreeOSMemory() // the last trial's memory back to the system, so this one's RSS is its own
	stopProgress := reportProgress(w, em)
	s := startSampler()
	c0, t0 := lab.CPUTime(), time.Now()
	v.run(w)
	elapsed, cpu := time.Since(t0), lab.CPUTime()-c0
	s.finish()
	stopProgress()
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	ideal := time.Duration((w.N+concurrency(variant, p)-1)/concurrency(variant, p)) * w.Latency
	extra := map[string]any{
		"ideal_ms":         float64(ideal) / float64(time.Millisecond),
		"waits_at_once":    w.atOnce.Load(),
		"peak_goroutines":  s.goroutines,
		"rss_kib_per_1000": float64(s.rss) / 1024 / (float64(w.N) / 1000),
		"rss_mib":          float64(s.peakRSS) / (1 << 20),
	}
	if ideal > 0 {
		extra["vs_ideal"] = float64(elapsed) / float64(ideal)
	}
	if s.goroutines > 0 {
		extra["stack_bytes_per_goroutine"] = float64(s.stacks) / float64(s.goroutines)
	}
	return lab.Trial{Elapsed: elapsed, CPU: cpu, Expected: lab.Int64(int64(w.N)), Got: lab.Int64(w.done.Load()), Extra: extra}, nil
}

// reportProgress emits the waits done and in progress every 50ms until
// the returned function is called.
func reportProgress(w *Waits, em lab.Emitter) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			em.Progress(w.done.Load(), int64(w.N), "waits")
			em.Sample("waiting", float64(w.now.Load()))
			select {
			case <-t.C:
			case <-done:
				em.Progress(w.done.Load(), int64(w.N), "waits")
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}
