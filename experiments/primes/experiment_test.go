package primes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
	"concurrencylab/lab/runner"
)

func TestParams(t *testing.T) {
	info := Experiment{}.Info()
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"numbers zero", map[string]string{"numbers": "0"}, "numbers must be 1..10,000, got 0"},
		{"start zero", map[string]string{"start": "0"}, "start must be 1..1,000,000,000,000,000, got 0"},
		{"start over", map[string]string{"start": "10000000000000000"}, "start must be 1..1,000,000,000,000,000, got 10,000,000,000,000,000"},
		{"workers zero", map[string]string{"workers": "0"}, "workers must be 1..256, got 0"},
		{"switch too short", map[string]string{"switch": "10us"}, "switch must be 100µs..100ms, got 10µs"},
		{"latency too long", map[string]string{"workload": "io", "latency": "2s"}, "latency must be 1ms..1s, got 2s"},
		{"tasks over", map[string]string{"tasks": "10001"}, "tasks must be 1..10,000, got 10,001"},
		{"too much waiting", map[string]string{"workload": "io", "tasks": "100", "latency": "100ms"}, "tasks × latency must be at most 3s, got 10s"},
		{"too much computing", map[string]string{"start": "1000000000000000", "numbers": "1000"},
			fmt.Sprintf("numbers must be at most %d when start is 1,000,000,000,000,000, so a trial stays near a second of work, got 1,000", maxNumbers(1e15))},
		{"computing limit ignored for io", map[string]string{"workload": "io", "start": "1000000000000000", "numbers": "10000"}, ""},
		{"waiting limit ignored for cpu", map[string]string{"tasks": "10000", "latency": "1s"}, ""},
		{"workload unknown", map[string]string{"workload": "gpu"}, `workload must be one of cpu, io, got "gpu"`},
		{"sweep not a bool", map[string]string{"sweep": "maybe"}, `sweep must be true or false, got "maybe"`},
		{"repeat over", map[string]string{"repeat": "51"}, "repeat must be 1..50, got 51"},
		{"unknown variant", map[string]string{"variants": "gil/4"}, `variants must name variants among sequential, goroutine-per-task, worker-pool, errgroup, gil, yours, got "gil/4"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p := params(t, nil)
	got := fmt.Sprintf("%s %d %d %s %s %d %s %v %d %v", p.String("workload"), p.Int("numbers"), p.Int("start"),
		p.Duration("switch"), p.Duration("latency"), p.Int("tasks"), p.Duration("latency"), p.Bool("sweep"), p.Repeat(), p.Variants())
	want := "cpu 250 10000000000001 5ms 100ms 10 100ms false 6 [sequential goroutine-per-task worker-pool errgroup gil]"
	if got != want {
		t.Errorf("got defaults %q, want %q", got, want)
	}
	if p.Int("workers") < 1 {
		t.Errorf("got default workers %d, want the core count", p.Int("workers"))
	}
	if d := estimatedDivisions(p.Int("start"), p.Int("numbers")); d > MaxDivisions/4 {
		t.Errorf("the default trial is estimated at %.0f divisions, want well under the %d limit", d, MaxDivisions)
	}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		want []string
	}{
		{"no sweep", nil, []string{"sequential", "goroutine-per-task", "worker-pool", "errgroup", "gil"}},
		{"no sweep, chosen", map[string]string{"variants": "gil,sequential"}, []string{"sequential", "gil"}},
		{"sweep", map[string]string{"sweep": "true"}, []string{"sequential",
			"worker-pool/1", "worker-pool/2", "worker-pool/4", "worker-pool/8", "worker-pool/16",
			"gil/1", "gil/2", "gil/4", "gil/8", "gil/16"}},
		{"sweep ignores variants", map[string]string{"sweep": "true", "variants": "errgroup", "workload": "io"}, []string{"sequential",
			"worker-pool/1", "worker-pool/2", "worker-pool/4", "worker-pool/8", "worker-pool/16",
			"gil/1", "gil/2", "gil/4", "gil/8", "gil/16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Experiment{}).Plan(params(t, tt.raw)); !slices.Equal(got, tt.want) {
				t.Errorf("got plan %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseVariant(t *testing.T) {
	tests := []struct {
		variant  string
		approach string
		workers  int
		wantErr  bool
	}{
		{"sequential", "sequential", 3, false},
		{"worker-pool", "worker-pool", 3, false},
		{"worker-pool/16", "worker-pool", 16, false},
		{"gil/1", "gil", 1, false},
		{"errgroup/256", "errgroup", 256, false},
		{"gil/0", "", 0, true},
		{"gil/257", "", 0, true},
		{"gil/x", "", 0, true},
		{"sequential/2", "", 0, true},
		{"goroutine-per-task/2", "", 0, true},
		{"threads", "", 0, true},
	}
	for _, tt := range tests {
		approach, workers, err := parseVariant(tt.variant, 3)
		if (err != nil) != tt.wantErr || approach != tt.approach || workers != tt.workers {
			t.Errorf("parseVariant(%q) = %q, %d, %v; want %q, %d, error %v",
				tt.variant, approach, workers, err, tt.approach, tt.workers, tt.wantErr)
		}
	}
}

func TestTrialExtra(t *testing.T) {
	tests := []struct {
		variant string
		raw     map[string]string
		workers int
		ideal   float64 // -1: between 1 and min(workers, GOMAXPROCS), from the work's shape
	}{
		{"sequential", nil, 1, 1},
		{"worker-pool/8", nil, 8, -1},
		{"gil/2", nil, 2, 1},
		{"gil/4", map[string]string{"workload": "io", "tasks": "3", "latency": "1ms"}, 4, 3},
		{"goroutine-per-task", map[string]string{"workload": "io", "tasks": "5", "latency": "1ms"}, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			raw := map[string]string{"numbers": "20"}
			for k, v := range tt.raw {
				raw[k] = v
			}
			tr, err := Experiment{}.Trial(context.Background(), tt.variant, params(t, raw), nopEmitter{})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Elapsed <= 0 {
				t.Errorf("got elapsed %v, want the variant's own time", tr.Elapsed)
			}
			ideal, _ := tr.Extra["ideal"].(float64)
			okIdeal := ideal == tt.ideal
			if tt.ideal < 0 {
				okIdeal = ideal >= 1 && ideal <= float64(min(tt.workers, runner.CurrentEnv().GOMAXPROCS))
			}
			if tr.Extra["workers"] != tt.workers || !okIdeal {
				t.Errorf("got workers %v, ideal %v; want %d, %v", tr.Extra["workers"], tr.Extra["ideal"], tt.workers, tt.ideal)
			}
			for _, k := range []string{"cores", "gomaxprocs"} {
				if n, ok := tr.Extra[k].(int); !ok || n < 1 {
					t.Errorf("got %s %v, want a count", k, tr.Extra[k])
				}
			}
		})
	}
}

// A cancel mid-run stops every variant promptly, with every goroutine it
// started gone: goleak checks after each.
func TestCancelStopsPromptly(t *testing.T) {
	workloads := map[string]map[string]string{
		// About a second of work or more, cancelled after 30 ms.
		"cpu": {"start": "1000000000000000", "numbers": fmt.Sprint(maxNumbers(1e15)), "switch": "1ms"},
		"io":  {"workload": "io", "tasks": "30", "latency": "100ms"},
	}
	for _, wl := range []string{"cpu", "io"} {
		p := params(t, workloads[wl])
		for _, v := range allVariants {
			t.Run(wl+"/"+v, func(t *testing.T) {
				defer goleak.VerifyNone(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				stop := time.AfterFunc(30*time.Millisecond, cancel)
				defer stop.Stop()
				var err error
				began := time.Now()
				within(t, "a cancelled trial", func() {
					_, err = Experiment{}.Trial(ctx, v, p, &recorder{})
				})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("got error %v, want %v", err, context.Canceled)
				}
				t.Logf("returned %v after the start", time.Since(began).Round(time.Millisecond))
			})
		}
	}
}

// Every trial keeps to its share of the spans a run keeps, merging a
// worker's numbers when it has more than that, and reports full progress.
func TestSpansStayWithinBudget(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		variant string
		want    int // spans expected, or 0 for "at most the budget"
	}{
		{"a span per number", map[string]string{"numbers": "50", "start": "1000000"}, "worker-pool", 50},
		{"a span per wait", map[string]string{"workload": "io", "tasks": "7", "latency": "1ms"}, "errgroup", 7},
		{"merged in a long sweep", map[string]string{"numbers": "2000", "start": "1000000", "sweep": "true", "repeat": "50"}, "worker-pool/2", 0},
		{"capped, one goroutine each", map[string]string{"numbers": "2000", "start": "1000000", "sweep": "true", "repeat": "50"}, "goroutine-per-task", 0},
		{"gil with a short switch", map[string]string{"numbers": "300", "start": "1000000000000", "switch": "0.1ms", "repeat": "50"}, "gil", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params(t, tt.raw)
			budget := spanBudget(Experiment{}, p)
			rec := &recorder{}
			if _, err := (Experiment{}).Trial(context.Background(), tt.variant, p, rec); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want > 0 && len(rec.spans) != tt.want:
				t.Errorf("got %d spans, want %d", len(rec.spans), tt.want)
			case len(rec.spans) > budget:
				t.Errorf("got %d spans, want at most %d", len(rec.spans), budget)
			case len(rec.spans) == 0:
				t.Errorf("got no spans")
			}
			total := int64(p.Int("numbers"))
			if p.String("workload") == "io" {
				total = int64(p.Int("tasks"))
			}
			if rec.done != total || rec.total != total {
				t.Errorf("got progress %d of %d, want %d of %d", rec.done, rec.total, total, total)
			}
		})
	}
}

func TestSpanLabels(t *testing.T) {
	rec := &recorder{}
	tl := newTimeline(rec, false, 100, 2, 10) // 10 numbers to a span
	now := time.Now()
	for i := range 25 {
		tl.report(0, int64(1001+2*i), now)
	}
	tl.report(1, 7, now.Add(-time.Second)) // another worker, alone
	tl.close(true)
	var labels []string
	for _, s := range rec.spans {
		labels = append(labels, fmt.Sprintf("%d:%s", s.worker, s.label))
	}
	slices.Sort(labels)
	want := []string{"0:1001–1019", "0:1021–1039", "0:1041–1049", "1:7"}
	if !slices.Equal(labels, want) {
		t.Errorf("got spans %v, want %v", labels, want)
	}
}
