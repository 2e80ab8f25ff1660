// Package primes is the prime numbers experiment: CPU-bound work (trial
// division) and I/O-bound work (waits) run sequentially, with a goroutine
// per task, with worker pools, and under a model of Python's GIL.
package primes

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"math/big"
	"runtime"
	"strconv"
	"time"

	"concurrencylab/lab"
)

//go:embed primes.go
var primesSource string

//go:embed gil.go
var gilSource string

// Limits that keep a trial short, so it ends soon after a cancel.
const (
	// MaxDivisions bounds the trial divisions one CPU trial is expected to
	// make: about a second on one core.
	MaxDivisions = 300_000_000
	// MaxWait bounds tasks × latency: the sequential I/O trial.
	MaxWait = 3 * time.Second
	// MaxWorkers bounds the workers of a pool.
	MaxWorkers = 256
)

// sweepCounts are the worker counts a sweep measures.
var sweepCounts = [...]int{1, 2, 4, 8, 16}

// Experiment is the prime numbers experiment. Make one with New, or use
// the zero value, which works the ideal's task costs out on every trial.
type Experiment struct {
	// Cores is the CPUs a run has to itself, the workers' default; zero
	// means runtime.NumCPU().
	Cores int

	shapes *shapes // the costs of the run's tasks, worked out once
}

// New returns the experiment with the given default cores.
func New(cores int) Experiment { return Experiment{Cores: cores, shapes: &shapes{}} }

var (
	_ lab.Experiment = Experiment{}
	_ lab.Planner    = Experiment{}
)

// Info implements lab.Experiment.
func (e Experiment) Info() lab.Info {
	cores := lab.SlotCores(e.Cores)
	return lab.Info{
		ID:      "primes",
		Title:   "Prime numbers: CPU-bound vs I/O-bound",
		Summary: "Test numbers for primality, or wait on slow requests, with one goroutine, a goroutine each, worker pools, and a model of Python's GIL.",
		Lesson:  lesson,
		Figures: []lab.Figure{
			{Key: "speedup", Label: "Speedup", Main: true},
			{Key: "ideal", Label: "Ideal speedup", Unit: "×", Help: "the most the cores, the workers and the spread of the work over the tasks allow"},
			{Key: "workers", Label: "Workers"},
		},
		Params: []lab.Param{
			{Name: "workload", Label: "Workload", Kind: lab.KindChoice, Default: "cpu", Choices: []string{"cpu", "io"},
				Help: "cpu: test numbers for primality by trial division; io: tasks that each wait latency, like a network request"},
			{Name: "numbers", Label: "Numbers to test", Kind: lab.KindInt, Default: "250", Min: 1, Max: 10_000,
				Help: "cpu: how many consecutive odd numbers to test"},
			{Name: "start", Label: "First number", Kind: lab.KindInt, Default: "10000000000001", Min: 1, Max: 1e15,
				Help: "cpu: testing starts at the first odd number from here; a prime near 10^13 takes 1.6 million divisions (the Python lesson's were near 7,900, too quick to time in Go)"},
			{Name: "workers", Label: "Workers", Kind: lab.KindInt, Default: strconv.Itoa(cores), Min: 1, Max: MaxWorkers,
				Help: "goroutines in worker-pool, errgroup and gil (default: the cores a run has to itself)"},
			{Name: "switch", Label: "GIL switch interval", Kind: lab.KindDuration, Default: "5ms", Min: 0.1, Max: 100,
				Help: "gil: how long a goroutine computes before handing the lock over, like CPython's sys.getswitchinterval()"},
			{Name: "tasks", Label: "Tasks", Kind: lab.KindInt, Default: "10", Min: 1, Max: 10_000,
				Help: "io: how many requests to wait for"},
			{Name: "latency", Label: "Latency", Kind: lab.KindDuration, Default: "100ms", Min: 1, Max: 1000,
				Help: "io: how long each request waits, like the Python lesson's time.sleep(0.1)"},
			{Name: "sweep", Label: "Sweep worker counts", Kind: lab.KindBool, Default: "false",
				Help: "run sequential, then worker-pool and gil with 1, 2, 4, 8 and 16 workers, to chart speedup against workers; the variants choice is then ignored"},
		},
		Variants: []lab.Variant{
			{Name: "sequential", Summary: "one goroutine runs every task in turn", Baseline: true},
			{Name: "goroutine-per-task", Summary: "a goroutine for every task, like the Python lesson's thread per number"},
			{Name: "worker-pool", Summary: "workers goroutines take tasks from one channel"},
			{Name: "errgroup", Summary: "the pool again with errgroup.SetLimit, Go's ThreadPoolExecutor"},
			{Name: "gil", Summary: "the pool, but a goroutine must hold one global lock to run, as under CPython's GIL"},
		},
		Source: []lab.SourceFile{
			{Name: "primes.go", Code: primesSource},
			{Name: "gil.go", Code: gilSource},
		},
		Repeat: 6,
		Check:  check,
		Edit:   edit,
	}
}

func check(p lab.Params) error {
	switch p.String("workload") {
	case "cpu":
		start, n := p.Int("start"), p.Int("numbers")
		if estimatedDivisions(start, n) > MaxDivisions {
			return &lab.ParamError{Name: "numbers", Msg: fmt.Sprintf(
				"must be at most %s when start is %s, so a trial stays near a second of work, got %s",
				lab.Group(int64(maxNumbers(start))), lab.Group(int64(start)), lab.Group(int64(n)))}
		}
	case "io":
		if d := time.Duration(p.Int("tasks")) * p.Duration("latency"); d > MaxWait {
			return &lab.ParamError{Name: "tasks × latency",
				Msg: fmt.Sprintf("must be at most %s, got %s", MaxWait, d)}
		}
	}
	return nil
}

// estimatedDivisions is about how many divisions isPrime makes testing count
// odd numbers from start: the primes among them (about 2 in ln n of odd
// numbers) each try √n/2 divisors, and they dominate.
func estimatedDivisions(start, count int) float64 {
	end := float64(start) + 2*float64(count)
	return float64(count) * math.Sqrt(end) / math.Log(end)
}

// maxNumbers returns the most numbers check allows from start.
func maxNumbers(start int) int {
	lo, hi := 0, 10_000 // estimatedDivisions(start, lo) is within bounds
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if estimatedDivisions(start, mid) <= MaxDivisions {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Plan implements lab.Planner: the chosen variants, or with sweep on,
// sequential and then worker-pool and gil at every count of sweepCounts.
func (e Experiment) Plan(p lab.Params) []string {
	if p.String("workload") == "cpu" {
		// Work out the tasks' costs now, before any trial, so no trial's
		// CPU time pays for them.
		e.shapes.workShape(p.Int("start"), p.Int("numbers"))
	}
	if !p.Bool("sweep") {
		return p.Variants()
	}
	plan := []string{"sequential"}
	for _, approach := range []string{"worker-pool", "gil"} {
		for _, n := range sweepCounts {
			plan = append(plan, lab.SweepVariant(approach, n))
		}
	}
	return plan
}

// parseVariant splits a planned variant name into the approach and its
// worker count: "gil/4" is gil with 4 workers, "worker-pool" uses the
// workers parameter.
func parseVariant(variant string, workers int) (string, int, error) {
	approach, n, sweep := lab.ParseSweep(variant)
	switch approach {
	case "sequential", "goroutine-per-task":
		if !sweep {
			return approach, workers, nil
		}
	case "worker-pool", "errgroup", "gil":
		if !sweep {
			return approach, workers, nil
		}
		if n <= MaxWorkers {
			return approach, n, nil
		}
	}
	return "", 0, fmt.Errorf("primes: unknown variant %q", variant)
}

// oddNumbers returns count consecutive odd numbers from start.
func oddNumbers(start, count int) []int64 {
	first := int64(start) | 1
	ns := make([]int64, count)
	for i := range ns {
		ns[i] = first + 2*int64(i)
	}
	return ns
}

// taskIDs returns the ids of count I/O tasks: 0, 1, 2, ...
func taskIDs(count int) []int64 {
	ids := make([]int64, count)
	for i := range ids {
		ids[i] = int64(i)
	}
	return ids
}

// countPrimesExactly counts the primes among ns by a method independent of
// isPrime: math/big's Baillie-PSW test, which is exact below 2⁶⁴.
func countPrimesExactly(ns []int64) int64 {
	var count int64
	var b big.Int
	for _, n := range ns {
		if b.SetInt64(n).ProbablyPrime(0) {
			count++
		}
	}
	return count
}

// spanBudget is one trial's share of the spans a run keeps.
func spanBudget(e Experiment, p lab.Params) int {
	return lab.MaxSpans / (len(e.Plan(p)) * p.Repeat())
}

// Trial implements lab.Experiment. It times only the variant itself: the
// true count is worked out before the clock starts.
func (e Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	approach, workers, err := parseVariant(variant, p.Int("workers"))
	if err != nil {
		return lab.Trial{}, err
	}
	io := p.String("workload") == "io"
	var (
		tasks    []int64
		expected int64
		test     func(int64) bool
		gilTest  func(context.Context, int64, *Thread, func(time.Time)) (bool, error)
	)
	if io {
		latency := p.Duration("latency")
		tasks = taskIDs(p.Int("tasks"))
		expected = int64(len(tasks))
		test = func(int64) bool { return wait(ctx, latency) }
		gilTest = func(ctx context.Context, _ int64, t *Thread, waited func(time.Time)) (bool, error) {
			return waitReleasingGIL(ctx, latency, t, waited)
		}
	} else {
		tasks = oddNumbers(p.Int("start"), p.Int("numbers"))
		expected = countPrimesExactly(tasks)
		test = isPrime
		gilTest = isPrimeUnderGIL
	}
	switch approach {
	case "sequential":
		workers = 1
	case "goroutine-per-task":
		workers = len(tasks)
	}
	tl := newTimeline(em, io, len(tasks), workers, spanBudget(e, p))

	var got int
	began := time.Now()
	switch approach {
	case "sequential":
		got = countSequential(ctx, tasks, test, tl.report)
	case "goroutine-per-task":
		got = countGoroutinePerTask(ctx, tasks, test, tl.report)
	case "worker-pool":
		got = countWorkerPool(ctx, tasks, workers, test, tl.report)
	case "errgroup":
		got, err = countErrgroup(ctx, tasks, workers, test, tl.report)
	case "gil":
		got, err = countGIL(ctx, tasks, workers, NewGIL(p.Duration("switch")), gilTest, tl.report)
	}
	elapsed := time.Since(began)
	tl.close(ctx.Err() == nil)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return lab.Trial{}, ctxErr
	}
	if err != nil {
		return lab.Trial{}, fmt.Errorf("primes: %s: %w", variant, err)
	}

	procs := runtime.GOMAXPROCS(0)
	var ideal float64
	switch {
	case io:
		ideal = float64(min(workers, len(tasks)))
	case approach == "gil":
		ideal = 1 // one lock holder computes at a time
	default:
		ideal = idealSpeedup(e.shapes.workShape(p.Int("start"), p.Int("numbers")), workers, procs)
	}
	return lab.Trial{
		Elapsed:  elapsed,
		Expected: lab.Int64(expected),
		Got:      lab.Int64(int64(got)),
		Extra: map[string]any{
			"workers":    workers,
			"ideal":      ideal,
			"cores":      runtime.NumCPU(),
			"gomaxprocs": procs,
		},
	}, nil
}
