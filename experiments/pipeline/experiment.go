// Package pipeline is the multi-stage pipeline: make a number, double it,
// add one, passed along by polled queues, channels, buffered channels and
// fanned-out stages, with one stage made slow on purpose.
package pipeline

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"concurrencylab/lab"
)

//go:embed stages.go
var stagesSource string

//go:embed polling.go
var pollingSource string

//go:embed channels.go
var channelsSource string

// MaxSlowWork bounds the slow stage's work in one trial: items × cost, a
// sleep counted as at least minSleep. A trial then lasts about a second at
// most with one worker per stage, and ends soon after a cancel.
const MaxSlowWork = time.Second

// minSleep is about how long a short time.Sleep really takes on Linux,
// where the runtime waits for timers in whole milliseconds when it has
// nothing else to run (golang/go#44343): 100µs asked, 1.1 ms slept on the
// lab's machine.
const minSleep = time.Millisecond

// Experiment is the multi-stage pipeline.
type Experiment struct {
	// Cores is the CPUs a run has to itself, the workers' default; zero
	// means runtime.NumCPU().
	Cores int
}

var _ lab.Experiment = Experiment{}

// Info implements lab.Experiment.
func (e Experiment) Info() lab.Info {
	cores := lab.SlotCores(e.Cores)
	return lab.Info{
		ID:      "pipeline",
		Title:   "A multi-stage pipeline",
		Summary: "Three stages pass numbers along: polled queues, channels, buffers and fan-out, with one stage made slow.",
		Lesson:  lesson,
		Figures: []lab.Figure{
			{Key: "items_per_s", Label: "Items", Unit: "/ s", Main: true},
			{Key: "polls_wasted", Label: "Wasted polls", Help: "looks at a queue that found it empty"},
			{Key: "cpu_us_per_item", Label: "CPU per item", Unit: "µs", Help: "all the trial's CPU time over its items: what each way of waiting burns"},
			{Key: "cost_us", Label: "Cost per item", Unit: "µs", Help: "what the slow stage's cost really took, on the wall clock"},
			{Key: "polls", Label: "Polls"},
			{Key: "reordered", Label: "Out of order"},
			{Key: "wrong", Label: "Wrong items"},
			{Key: "peak_depth", Label: "Peak depth", Help: "the most items waiting in front of a stage"},
		},
		Charts: []lab.Chart{{Series: "queue", Title: "Queue depth", Unit: "items"}},
		Params: []lab.Param{
			{Name: "items", Label: "Items", Kind: lab.KindInt, Default: "1000", Min: 1, Max: 1_000_000,
				Help: "how many numbers go through the pipeline; number i comes out as 2*i+1"},
			{Name: "slow", Label: "Slow stage", Kind: lab.KindChoice, Default: "double",
				Choices: []string{"none", "produce", "double", "increment"},
				Help:    "the stage that spends cost on every item: the bottleneck"},
			{Name: "cost", Label: "Cost per item", Kind: lab.KindDuration, Default: "100µs", Min: 0.001, Max: 10,
				Help: "what the slow stage spends on each item"},
			{Name: "cost_kind", Label: "Cost is", Kind: lab.KindChoice, Default: "cpu", Choices: []string{"cpu", "io"},
				Help: "cpu: a fixed amount of arithmetic, calibrated to take cost on an idle core; io: a sleep, as a wait for a disk or the network (on Linux a sleep under 1 ms usually lasts about 1 ms)"},
			{Name: "buffer", Label: "Buffer", Kind: lab.KindInt, Default: "10", Min: 1, Max: 10_000,
				Help: "items each channel holds in the buffered and fan-out variants"},
			{Name: "workers", Label: "Workers per stage", Kind: lab.KindInt, Default: strconv.Itoa(min(cores, 64)), Min: 1, Max: 64,
				Help: "goroutines in every stage of the fan-out variant (the default is the cores a run has to itself)"},
			{Name: "poll", Label: "Poll interval", Kind: lab.KindDuration, Default: "1ms", Min: 0.01, Max: 50,
				Help: "how long a polling worker sleeps when its queue is empty"},
		},
		Variants: []lab.Variant{
			{Name: "polling", Summary: "the Python shape: locked queues that workers poll, sleeping when empty", Baseline: true},
			{Name: "spinning", Summary: "the same locked queues, polled in a busy loop that never sleeps"},
			{Name: "channels", Summary: "unbuffered channels, one goroutine per stage"},
			{Name: "buffered", Summary: "channels with a buffer: bounded queues and backpressure"},
			{Name: "fan-out", Summary: "buffered channels with several goroutines per stage"},
		},
		Source: []lab.SourceFile{
			{Name: "polling.go", Code: pollingSource},
			{Name: "channels.go", Code: channelsSource},
			{Name: "stages.go", Code: stagesSource},
		},
		Check: check,
		Edit:  edit,
	}
}

// settings are a trial's parameters in the form the pipeline uses.
type settings struct {
	items   int
	slow    stage // -1 for none
	cost    time.Duration
	io      bool
	buffer  int
	workers int
	poll    time.Duration
}

func settingsOf(p lab.Params) settings {
	s := settings{
		items: p.Int("items"), slow: -1, cost: p.Duration("cost"), io: p.String("cost_kind") == "io",
		buffer: p.Int("buffer"), workers: p.Int("workers"), poll: p.Duration("poll"),
	}
	for st := produce; st <= increment; st++ {
		if p.String("slow") == st.String() {
			s.slow = st
		}
	}
	return s
}

// slowWork is the slow stage's work in one trial, one worker doing it all.
func (s settings) slowWork() time.Duration {
	if s.slow < 0 {
		return 0
	}
	per := s.cost
	if s.io {
		per = max(per, minSleep)
	}
	return time.Duration(s.items) * per
}

func check(p lab.Params) error {
	s := settingsOf(p)
	if w := s.slowWork(); w > MaxSlowWork {
		what := "cost"
		if s.io {
			what = "max(cost, 1ms)" // what the sleeps really take
		}
		return &lab.ParamError{Name: "items × " + what,
			Msg: fmt.Sprintf("must be at most %s of slow-stage work per trial, got %s", MaxSlowWork, w)}
	}
	return nil
}

// spinRate is how many spin turns run in a nanosecond on an idle core,
// measured once: the fastest of 50 short runs (about 5 ms in all), so a
// moment when the machine is busy elsewhere does not skew it.
var spinRate = sync.OnceValue(func() float64 {
	const turns = 1 << 16
	best := time.Duration(math.MaxInt64)
	for range 50 {
		start := time.Now()
		spin(turns)
		best = min(best, time.Since(start))
	}
	return turns / float64(max(best, 1))
})

// runs calls each variant's run function with its parameters.
var runs = map[string]func(context.Context, settings, *probe) []int{
	"polling":  func(ctx context.Context, s settings, p *probe) []int { return runPolling(ctx, s.items, s.poll, p) },
	"spinning": func(ctx context.Context, s settings, p *probe) []int { return runPolling(ctx, s.items, 0, p) },
	"channels": func(ctx context.Context, s settings, p *probe) []int { return runChannels(ctx, s.items, p) },
	"buffered": func(ctx context.Context, s settings, p *probe) []int { return runBuffered(ctx, s.items, s.buffer, p) },
	"fan-out": func(ctx context.Context, s settings, p *probe) []int {
		return runFanOut(ctx, s.items, s.buffer, s.workers, p)
	},
}

// Trial implements lab.Experiment.
func (Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	s := settingsOf(p)
	pr := newProbe(em, s)
	run, ok := runs[variant]
	if !ok {
		return lab.Trial{}, fmt.Errorf("pipeline: unknown variant %q", variant)
	}
	cpu0, start := lab.CPUTime(), time.Now()
	out := run(ctx, s, pr)
	elapsed, cpu := time.Since(start), lab.CPUTime()-cpu0
	r := pr.finish()
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	got, wrong, reordered := tally(out, s.items)
	extra := map[string]any{
		"items_per_s": math.Round(float64(s.items) / max(elapsed.Seconds(), 1e-9)),
		"reordered":   reordered,
		// What passing one item along cost in CPU time, work and waiting
		// included: a sleeping poll costs little, a spinning one a lot.
		"cpu_us_per_item": math.Round(10*float64(cpu)/float64(time.Microsecond)/float64(s.items)) / 10,
	}
	for i, st := range queueStages {
		extra["peak_depth:"+st.String()] = r.peaks[i]
	}
	// A queue in front of a bottleneck is full nearly all the time; the
	// polling queues have no limit, and hold a tenth of the items on
	// average only behind a stage that cannot keep up.
	pile := float64(s.buffer) / 2
	if variant == "polling" || variant == "spinning" {
		pile = float64(s.items) / 10
		extra["polls"] = r.polls
		extra["polls_wasted"] = r.wasted
	}
	if r.costEach > 0 {
		// What cost really took, on the wall clock: a sleep may overshoot,
		// and CPU work takes longer while it waits for a core.
		extra["cost_us"] = math.Round(float64(r.costEach) / float64(time.Microsecond))
	}
	if f := r.backedUp(pile); f != "" {
		extra["backed_up"] = f
	}
	if wrong > 0 {
		extra["wrong"] = wrong
	}
	return lab.Trial{
		Elapsed:  elapsed,
		CPU:      cpu,
		Expected: lab.Int64(int64(s.items)),
		Got:      lab.Int64(int64(got)),
		Extra:    extra,
	}, nil
}

// tally checks a pipeline's output for n items. got counts the items that
// came out right: 2*i+1 for an i below n, each i once. wrong counts the
// rest, and reordered the right items that came out after a later one.
func tally(out []int, n int) (got, wrong, reordered int) {
	seen := make([]bool, n)
	last := -1
	for _, v := range out {
		i := (v - 1) / 2
		if v < 1 || v%2 != 1 || i >= n || seen[i] {
			wrong++
			continue
		}
		seen[i] = true
		got++
		if i < last {
			reordered++
		}
		last = max(last, i)
	}
	return got, wrong, reordered
}
