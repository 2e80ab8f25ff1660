package primes

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

// variant makes a variant result with speedup against a baseline of base ms,
// counting want and getting got in each of three trials.
func variant(name string, workers int, speedup, base float64, want, got int64) lab.VariantResult {
	ok := want == got
	v := lab.VariantResult{
		Name: name, Baseline: name == "sequential", MedianMs: base / speedup, Speedup: speedup,
		Correct: &ok, Expected: lab.Int64(want), Got: lab.Float64(float64(got)),
		Extra: map[string]any{"workers": float64(workers)},
	}
	for range 3 {
		v.Trials = append(v.Trials, lab.TrialResult{Ms: v.MedianMs, Expected: lab.Int64(want), Got: lab.Int64(got)})
	}
	return v
}

// withCPU gives v a median CPU time per trial of cpuMs: the figure cores
// busy come from.
func withCPU(v lab.VariantResult, cpuMs float64) lab.VariantResult {
	v.CPUMs = cpuMs
	return v
}

// against marks base, and no other variant, as the baseline: what the lab
// does when the declared baseline, sequential, did not run.
func against(base string, vs ...lab.VariantResult) *lab.Result {
	for i := range vs {
		vs[i].Baseline = vs[i].Name == base
	}
	return &lab.Result{Variants: vs}
}

func TestVerdict(t *testing.T) {
	twoCores := lab.Env{NumCPU: 2, GOMAXPROCS: 2, InFlight: 1}
	cpu := func(vs ...lab.VariantResult) *lab.Result { return &lab.Result{Variants: vs} }
	seq := variant("sequential", 1, 1, 60, 16, 16)
	sweep := func(approach string, speedups ...float64) []lab.VariantResult {
		var vs []lab.VariantResult
		for i, s := range speedups {
			n := []int{1, 2, 4, 8, 16}[i]
			vs = append(vs, variant(approach+"/"+strconv.Itoa(n), n, s, 60, 16, 16))
		}
		return vs
	}
	tests := []struct {
		name   string
		raw    map[string]string
		env    lab.Env
		result *lab.Result
		want   []string
		not    []string
	}{
		{
			name: "cpu: near the core count, gil near 1x",
			env:  twoCores,
			result: cpu(seq,
				variant("goroutine-per-task", 250, 1.95, 60, 16, 16),
				variant("worker-pool", 2, 1.91, 60, 16, 16),
				variant("errgroup", 2, 1.88, 60, 16, 16),
				withCPU(variant("gil", 2, 0.98, 60, 16, 16), 62)),
			want: []string{"On 2 cores (GOMAXPROCS 2), goroutine-per-task ran 1.95× as fast as sequential, close to the ideal of 2.00× (2 cores, this work's spread over the tasks) (worker-pool 1.91×, errgroup 1.88×)",
				"gil, the same pool of 2 goroutines made to hold one lock to compute, ran 0.98× as fast as sequential (too few trials to tell), against worker-pool's 1.91×",
				"1 other core sat idle"},
			not: []string{"please report", "shared the machine"},
		},
		{
			name:   "cpu: short of the cores, another run on other cores",
			env:    lab.Env{NumCPU: 4, GOMAXPROCS: 4, CPUs: []int{0, 1, 2, 3}, Pinned: true, InFlight: 2},
			result: cpu(seq, variant("worker-pool", 4, 1.6, 60, 16, 16)),
			want: []string{"worker-pool ran 1.60× as fast", "short of the ideal of 4.00× (4 workers, 4 cores, this work's spread over the tasks): busy cores rarely add up fully (on this kind of virtual machine two busy cores give about 1.6×, not 2×), or a trial is too short to spread well.",
				"Another run executed on other cores of this machine meanwhile: it shared the memory bus and caches, not this run's cores."},
			not: []string{"shared the machine", "noisier", "kept", "other work kept the cores busy"},
		},
		{
			name:   "cpu: another run, this one not pinned",
			env:    lab.Env{NumCPU: 2, GOMAXPROCS: 2, InFlight: 3},
			result: cpu(seq, variant("worker-pool", 2, 1.9, 60, 16, 16)),
			want:   []string{"Another run executed on this machine meanwhile, and this run was not pinned to cores of its own, so the two may have shared cores."},
			not:    []string{"shared the machine", "noisier", "other cores of this machine"},
		},
		{
			name:   "io: another run meanwhile goes unmentioned",
			raw:    map[string]string{"workload": "io"},
			env:    lab.Env{NumCPU: 2, GOMAXPROCS: 2, Pinned: true, InFlight: 2},
			result: cpu(variant("sequential", 1, 1, 1003, 10, 10), variant("goroutine-per-task", 10, 9.97, 1003, 10, 10)),
			want:   []string{"goroutine-per-task overlapped all 10 waits"},
			not:    []string{"Another run", "shared the machine"},
		},
		{
			name:   "cpu: one core",
			env:    lab.Env{NumCPU: 2, GOMAXPROCS: 1, InFlight: 1},
			result: cpu(seq, variant("worker-pool", 2, 0.99, 60, 16, 16), variant("gil", 2, 0.97, 60, 16, 16)),
			want: []string{"With GOMAXPROCS 1 (cores=1) the goroutines had one core to share, so no variant could beat sequential by more than the noise: the best, worker-pool, ran 0.99× as fast as sequential.",
				"gil, the same pool of 2 goroutines made to hold one lock to compute, ran 0.97× as fast as sequential"},
			not: []string{"sat idle", "2 cores", "cores allow", "kept"},
		},
		{
			name: "cpu: cores=1 of a 2-core slot, with CPU time",
			env:  lab.Env{NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true, InFlight: 1},
			result: cpu(withCPU(seq, 60),
				withCPU(variant("worker-pool", 2, 1.02, 60, 16, 16), 58.5),
				withCPU(variant("errgroup", 2, 0.98, 60, 16, 16), 61)),
			want: []string{"no variant could beat sequential by more than the noise: the best, worker-pool, ran 1.02× as fast as sequential (errgroup 0.98×).",
				"worker-pool kept 1.0 cores busy (58.5 ms of CPU time in 58.8 ms of wall time, medians)."},
			not: []string{"2 cores", " 2×", "close to", "short of", "more than one core allows"},
		},
		{
			name:   "cpu: GOMAXPROCS below the slot's CPUs",
			env:    lab.Env{NumCPU: 4, GOMAXPROCS: 2, CPUs: []int{0, 1}, Pinned: true},
			result: cpu(seq, variant("worker-pool", 2, 1.9, 60, 16, 16)),
			want:   []string{"On 2 cores (GOMAXPROCS 2), worker-pool ran 1.90× as fast as sequential, close to the ideal of 2.00× (2 workers, 2 cores, this work's spread over the tasks)"},
			not:    []string{"4 cores", "4×"},
		},
		{
			name:   "cpu: close to the cores, with CPU time",
			env:    twoCores,
			result: cpu(withCPU(seq, 60), withCPU(variant("worker-pool", 2, 1.9, 60, 16, 16), 60.3)),
			want: []string{"close to the ideal of 2.00× (2 workers, 2 cores, this work's spread over the tasks): Go runs goroutines on every core at once.",
				"worker-pool kept 1.9 cores busy (60.3 ms of CPU time in 31.6 ms of wall time, medians)."},
		},
		{
			name:   "cpu: short of the cores with every core busy",
			env:    twoCores,
			result: cpu(withCPU(seq, 60), withCPU(variant("worker-pool", 2, 1.4, 60, 16, 16), 81.4)),
			want:   []string{"On 2 cores (GOMAXPROCS 2), worker-pool ran 1.40× as fast as sequential, short of the ideal of 2.00× (2 workers, 2 cores, this work's spread over the tasks), though worker-pool kept 1.9 cores busy (81.4 ms of CPU time in 42.9 ms of wall time, medians): busy cores rarely add up fully (on this kind of virtual machine two busy cores give about 1.6×, not 2×)."},
			not:    []string{"did not spread", "too short"},
		},
		{
			name:   "cpu: short of the cores with a core idle",
			env:    twoCores,
			result: cpu(withCPU(seq, 60), withCPU(variant("worker-pool", 2, 1.2, 60, 16, 16), 60)),
			want:   []string{"short of the ideal of 2.00× (2 workers, 2 cores, this work's spread over the tasks), and worker-pool kept only 1.2 cores of the 2 busy (60.0 ms of CPU time in 50.0 ms of wall time, medians): the work did not spread over every core"},
			not:    []string{"1.6×", "rarely add up"},
		},
		{
			name:   "cpu: one core, yet faster than sequential",
			env:    lab.Env{NumCPU: 2, GOMAXPROCS: 1, InFlight: 1},
			result: cpu(seq, variant("worker-pool", 2, 1.6, 60, 16, 16)),
			want:   []string{"yet worker-pool ran 1.60× as fast as sequential, more than one core allows"},
			not:    []string{"cannot beat one core"},
		},
		{
			name:   "cpu: a miscount",
			env:    twoCores,
			result: cpu(seq, variant("worker-pool", 2, 1.9, 60, 16, 15)),
			want:   []string{"worker-pool counted 15 primes where there are 16", "please report this run"},
		},
		{
			name: "cpu sweep: levels off at the cores, gil flat",
			raw:  map[string]string{"sweep": "true"},
			env:  twoCores,
			result: cpu(append(append([]lab.VariantResult{seq},
				sweep("worker-pool", 0.99, 1.93, 1.95, 1.94, 1.92)...),
				sweep("gil", 0.98, 0.97, 0.99, 0.96, 0.95)...)...),
			want: []string{"worker-pool went from 0.99× sequential's speed with 1 worker", "1.92× with 16", "at best 1.95×",
				"past 2 cores, more workers only take turns",
				"gil stayed between 0.95× and 0.99× sequential's speed at every count from 1 to 16"},
			not: []string{"did not run", "against worker-pool"},
		},
		{
			name: "cpu sweep: short of the cores",
			raw:  map[string]string{"sweep": "true"},
			env:  twoCores,
			result: cpu(append(append([]lab.VariantResult{seq},
				sweep("worker-pool", 0.5, 0.76, 0.8, 0.9, 0.91)...),
				sweep("gil", 0.5, 0.6, 0.7, 0.8, 0.81)...)...),
			want: []string{"at best 0.91×, short of the ideal of 2.00× there (16 workers, 2 cores, this work's spread over the tasks)", "gil stayed between 0.50× and 0.81×"},
			not:  []string{"take turns on them"},
		},
		{
			name: "io sweep: fewer tasks than cores",
			raw:  map[string]string{"workload": "io", "sweep": "true", "tasks": "2"},
			env:  lab.Env{NumCPU: 4, GOMAXPROCS: 4},
			result: cpu(append(append([]lab.VariantResult{variant("sequential", 1, 1, 200, 2, 2)},
				sweep("worker-pool", 1, 2, 2, 2, 1.99)...),
				sweep("gil", 1, 1.98, 1.99, 2, 1.98)...)...),
			want: []string{"worker-pool and gil reached 1.99× and 1.98× sequential's speed with 16 workers, where 2 tasks allow at most 2×"},
			not:  []string{"beyond"},
		},
		{
			name: "io: goroutines overlap every wait, gil as good as the pool",
			raw:  map[string]string{"workload": "io"},
			env:  twoCores,
			result: cpu(variant("sequential", 1, 1, 1003, 10, 10),
				variant("goroutine-per-task", 10, 9.97, 1003, 10, 10),
				variant("worker-pool", 2, 2.0, 1003, 10, 10),
				variant("errgroup", 2, 1.99, 1003, 10, 10),
				variant("gil", 2, 2.0, 1003, 10, 10)),
			want: []string{"goroutine-per-task overlapped all 10 waits: 9.97× as fast as sequential (1.00 s, about 10 × 100ms)",
				"With 2 workers, the pools wait on at most 2 requests at once (worker-pool 2.00×, errgroup 1.99× as fast as sequential)",
				"gil ran 2.00× as fast as sequential, against worker-pool's 2.00×: a goroutine lets go of the lock while it waits", "the waits overlapped all the same",
				"slows computing, not waiting"},
			not: []string{"did not run", "short of"},
		},
		{
			name:   "io: gil alone falls short",
			raw:    map[string]string{"workload": "io", "workers": "10"},
			env:    twoCores,
			result: cpu(variant("sequential", 1, 1, 1003, 10, 10), variant("gil", 10, 3.1, 1003, 10, 10)),
			want:   []string{"gil ran 3.10× as fast as sequential (1.00 s, about 10 × 100ms), short of the 10× its workers allow"},
		},
		{
			name: "io sweep: both climb past the cores",
			raw:  map[string]string{"workload": "io", "sweep": "true"},
			env:  twoCores,
			result: cpu(append(append([]lab.VariantResult{variant("sequential", 1, 1, 1003, 10, 10)},
				sweep("worker-pool", 1, 2, 3.9, 7.8, 9.9)...),
				sweep("gil", 1, 2, 3.9, 7.7, 9.8)...)...),
			want: []string{"worker-pool and gil reached 9.90× and 9.80× sequential's speed with 16 workers, far beyond the 2 cores, where 10 tasks allow at most 10×"},
		},
		{
			name: "io: the pools alone, sequential's time in their sentence",
			raw:  map[string]string{"workload": "io"},
			env:  twoCores,
			result: cpu(variant("sequential", 1, 1, 1003, 10, 10),
				variant("worker-pool", 2, 2.0, 1003, 10, 10)),
			want: []string{"(worker-pool 2.00× as fast as sequential, which took 1.00 s, about 10 × 100ms)"},
		},
		{
			name: "io: goroutine-per-task short of overlapping every wait",
			raw:  map[string]string{"workload": "io"},
			env:  twoCores,
			result: cpu(variant("sequential", 1, 1, 1003, 10, 10),
				variant("goroutine-per-task", 10, 4.2, 1003, 10, 10)),
			want: []string{"goroutine-per-task ran 4.20× as fast as sequential (1.00 s, about 10 × 100ms) on 2 cores (GOMAXPROCS 2), short of the 10× overlapping all 10 waits would give"},
			not:  []string{"overlapped all"},
		},
		{
			name:   "cpu: sequential ran last, still the baseline",
			env:    twoCores,
			result: cpu(variant("worker-pool", 2, 1.9, 60, 16, 16), seq),
			want:   []string{"worker-pool ran 1.90× as fast as sequential, close to the ideal of 2.00× (2 workers, 2 cores, this work's spread over the tasks)"},
			not:    []string{"did not run"},
		},
		{
			name: "cpu: sequential absent, speedups against worker-pool",
			env:  twoCores,
			result: against("worker-pool",
				variant("worker-pool", 2, 1, 30, 16, 16),
				variant("errgroup", 2, 1.19, 30, 16, 16),
				variant("gil", 2, 0.52, 30, 16, 16)),
			want: []string{"sequential did not run, so every speedup here is against worker-pool (30.0 ms): errgroup ran 1.19× as fast as worker-pool (gil 0.52×).",
				"Run sequential too to see how they compare with one goroutine"},
			not: []string{"as fast as sequential", "sequential's", "cores allow", "one core did all the work", "sat idle",
				"worker-pool 1.00×", "worker-pool's"},
		},
		{
			name: "cpu: sequential absent on one core",
			env:  lab.Env{NumCPU: 2, GOMAXPROCS: 1, InFlight: 1},
			result: against("gil",
				variant("gil", 2, 1, 60, 16, 16),
				variant("goroutine-per-task", 250, 1.02, 60, 16, 16)),
			want: []string{"against gil (60.0 ms): goroutine-per-task ran 1.02× as fast as gil."},
			not:  []string{"as fast as sequential", "only one goroutine runs", "gil, the same pool"},
		},
		{
			name: "cpu: sequential absent, a miscount still reported",
			env:  twoCores,
			result: against("worker-pool",
				variant("worker-pool", 2, 1, 30, 16, 16),
				variant("errgroup", 2, 1.1, 30, 16, 15)),
			want: []string{"errgroup counted 15 primes where there are 16", "errgroup ran 1.10× as fast as worker-pool"},
		},
		{
			name:   "cpu: one variant, not sequential",
			env:    twoCores,
			result: against("worker-pool", variant("worker-pool", 2, 1, 30, 16, 16)),
			want:   []string{"worker-pool took 30.0 ms (median of 3 trials)."},
			not:    []string{"sequential"},
		},
		{
			name: "cpu sweep: sequential absent",
			raw:  map[string]string{"sweep": "true"},
			env:  twoCores,
			result: against("worker-pool/1", append(
				sweep("worker-pool", 1, 1.9, 1.95, 1.9, 1.9),
				sweep("gil", 1, 0.99, 0.98, 0.97, 0.96)...)...),
			want: []string{"every speedup here is against worker-pool/1", "worker-pool/4 ran 1.95× as fast as worker-pool/1"},
			not:  []string{"sequential's", "as fast as sequential", "cores allow", "one lock, so one core"},
		},
		{
			name: "io: sequential absent, speedups against goroutine-per-task",
			raw:  map[string]string{"workload": "io"},
			env:  twoCores,
			result: against("goroutine-per-task",
				variant("goroutine-per-task", 10, 1, 100.3, 10, 10),
				variant("worker-pool", 2, 0.2, 100.3, 10, 10),
				variant("gil", 2, 0.2, 100.3, 10, 10)),
			want: []string{"sequential did not run, so every speedup here is against goroutine-per-task (100.3 ms): worker-pool ran 0.20× as fast as goroutine-per-task (gil 0.20×)."},
			not: []string{"as fast as sequential", "sequential's", "overlapped", "short of", "lets go of the lock",
				"at most 2 requests", "about 10 × 100ms"},
		},
		{
			name: "io sweep: sequential absent",
			raw:  map[string]string{"workload": "io", "sweep": "true"},
			env:  twoCores,
			result: against("worker-pool/1", append(
				sweep("worker-pool", 1, 2, 3.9, 7.8, 9.9),
				sweep("gil", 1, 2, 3.9, 7.7, 9.8)...)...),
			want: []string{"every speedup here is against worker-pool/1", "worker-pool/16 ran 9.90× as fast as worker-pool/1"},
			not:  []string{"sequential's", "far beyond", "tasks allow"},
		},
		{
			name:   "sequential alone",
			env:    twoCores,
			result: cpu(seq),
			want:   []string{"sequential took 60.0 ms (median of 3 trials)."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lab.Verdict(Experiment{}, tt.result, params(t, tt.raw), tt.env)
			t.Log(got)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("verdict %q has %q", got, w)
				}
			}
		})
	}
}

// A run of the pools without sequential goes through the lab, which measures
// against the first variant that ran: the verdict must say so, and name it.
func TestVerdictWithoutSequentialThroughLab(t *testing.T) {
	ctx := context.Background()
	m, err := runs.NewManager(ctx, slog.New(slog.DiscardHandler), runs.NewMemStore(), runs.Config{}, []lab.Experiment{Experiment{}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}()
	p := params(t, map[string]string{"variants": "worker-pool,errgroup", "numbers": "30", "start": "1000000000", "repeat": "1"})
	run, err := m.Submit(ctx, "primes", p)
	if err != nil {
		t.Fatal(err)
	}
	log, err := m.Events(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "the run", func() {
		for from := 0; ; {
			evs, ok := log.Next(ctx, from)
			if !ok {
				return
			}
			from += len(evs)
		}
	})
	if run, err = m.Get(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	if run.Status != runs.StatusDone || run.Result == nil {
		t.Fatalf("got status %s, error %q, want a result", run.Status, run.Error)
	}
	if v := run.Result.Variant("worker-pool"); v == nil || !v.Baseline {
		t.Fatalf("got variants %+v, want worker-pool the baseline", run.Result.Variants)
	}
	got := run.Result.Verdict + " " + run.Result.Details
	t.Log(got)
	for _, w := range []string{"sequential did not run", "against worker-pool", "as fast as worker-pool"} {
		if !strings.Contains(got, w) {
			t.Errorf("verdict %q lacks %q", got, w)
		}
	}
	for _, w := range []string{"as fast as sequential", "cores allow"} {
		if strings.Contains(got, w) {
			t.Errorf("verdict %q has %q", got, w)
		}
	}
}
