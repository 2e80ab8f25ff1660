package pipeline

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// fake is a variant's figures for a synthetic result.
type fake struct {
	name           string
	median, lo, hi float64
	got            int64
	extra          map[string]any // the variant's medians
	backedUp       []string       // each trial's backed-up queue; "" for unsampled
	reordered      []int          // each trial's reordered count
}

func result(items int64, fakes ...fake) *lab.Result {
	r := &lab.Result{}
	for _, f := range fakes {
		ok := f.got == items
		v := lab.VariantResult{
			Name: f.name, Baseline: f.name == "polling",
			MedianMs: f.median, MinMs: f.lo, MaxMs: f.hi,
			Expected: lab.Int64(items), Got: lab.Float64(float64(f.got)), Correct: &ok,
			Extra: f.extra,
		}
		n := max(len(f.backedUp), len(f.reordered))
		for i := range n {
			extra := map[string]any{}
			if i < len(f.backedUp) && f.backedUp[i] != "" {
				extra["backed_up"] = f.backedUp[i]
			}
			if i < len(f.reordered) {
				extra["reordered"] = f.reordered[i]
			}
			v.Trials = append(v.Trials, lab.TrialResult{Ms: f.median, Expected: lab.Int64(items), Got: lab.Int64(f.got), Extra: extra})
		}
		r.Variants = append(r.Variants, v)
	}
	return r
}

func peaks(d, i, c float64, more map[string]any) map[string]any {
	m := map[string]any{"peak_depth:double": d, "peak_depth:increment": i, "peak_depth:collect": c}
	for k, v := range more {
		m[k] = v
	}
	return m
}

func three(s string) []string { return []string{s, s, s} }

func TestVerdict(t *testing.T) {
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	polling := fake{"polling", 100, 95, 110, 1000,
		peaks(979, 57, 34, map[string]any{"polls": 3124.0, "polls_wasted": 124.0, "items_per_s": 10000.0}),
		three("double"), []int{0, 0, 0}}
	channels := fake{"channels", 98, 96, 120, 1000, peaks(0, 0, 0, map[string]any{"items_per_s": 10204.0}), three("none"), []int{0, 0, 0}}
	buffered := fake{"buffered", 97, 96, 99, 1000, peaks(10, 1, 0, map[string]any{"items_per_s": 10309.0}), three("double"), []int{0, 0, 0}}
	fanOut := fake{"fan-out", 50, 48, 55, 1000, peaks(10, 2, 1, map[string]any{"items_per_s": 20000.0}), three("double"), []int{500, 520, 480}}

	tests := []struct {
		name   string
		q      string
		r      *lab.Result
		want   []string
		unwant []string
	}{
		{"fan-out fastest", "", result(1000, polling, channels, buffered, fanOut), []string{
			"fan-out was fastest: 50 ms a trial (median), 20,000 items/s, 2.00× as fast as the polling baseline and 1.94× as fast as buffered, the next fastest.",
			"Polling looked at its queues 3,124 times to pass 1,000 items along (median trial): 3,000 looks found an item, 124 found the queue empty and slept (1ms asked each time).",
			"fan-out delivered items out of order in 3 of 3 trials (at worst 520 of 1,000 items came out after a later one)",
			"polling, channels and buffered kept order.",
			"Items piled up in front of double in 3 of 3 polling trials (peak 979 of 1,000), 3 of 3 buffered trials (peak 10 of 10) and 3 of 3 fan-out trials (peak 10 of 10): double was the bottleneck. That is the stage made slow (100µs of CPU an item).",
		}, []string{"overlap", "disagree", "garbled"}},
		{"close call", "", result(1000, polling, channels, buffered), []string{
			"buffered was fastest: 97 ms a trial (median), 10,309 items/s, 1.03× as fast as the polling baseline and 1.01× as fast as channels, the next fastest; their trials overlap (96 ms to 99 ms against 96 ms to 120 ms), so that lead is within this machine's noise.",
		}, []string{"out of order", "fan-out"}},
		{"baseline fastest", "", result(1000, fake{"polling", 10, 9, 11, 1000, peaks(0, 0, 0, nil), nil, nil}, fake{"channels", 20, 19, 21, 1000, peaks(0, 0, 0, nil), nil, nil}), []string{
			"polling was fastest: 10 ms a trial (median), 2.00× as fast as channels, the next fastest.",
			"The trials were too short for the depth sampler",
		}, []string{"baseline"}},
		{"channels alone", "", result(1000, channels), []string{
			"channels took 98 ms a trial (median of 3), 10,204 items/s.",
			"Unbuffered channels hold no items, so their depth is always 0",
		}, nil},
		{"producer sets the pace", "slow=produce",
			result(1000, fake{"polling", 100, 99, 101, 1000, peaks(12, 11, 10, nil), three("none"), nil},
				fake{"buffered", 100, 99, 101, 1000, peaks(3, 1, 1, nil), []string{"none", "none", "double"}, nil}), []string{
				"No queue stayed full in polling and buffered: every stage kept up with the one before it, so the producer set the pace. That is the stage made slow (100µs of CPU an item).",
			}, []string{"piled"}},
		{"cores taken by fan-out", "slow=produce&workers=2",
			result(1000, fake{"buffered", 100, 99, 101, 1000, peaks(3, 1, 1, nil), three("none"), []int{0, 0, 0}},
				fake{"fan-out", 100, 99, 101, 1000, peaks(10, 10, 10, nil), []string{"collect", "collect", "double"}, []int{0, 0, 0}}), []string{
				"Items piled up in front of collect in 2 of 3 fan-out trials (peak 10 of 10): collect was the bottleneck. No queue stayed full in buffered. The stage made slow was produce (100µs of CPU an item). In fan-out, 2 CPU-bound produce workers on GOMAXPROCS 2 kept all 2 of the run's cores busy, so the other stages had to wait for one.",
				"buffered and fan-out kept the input's order this time, fan-out included; nothing guarantees that with 2 workers per stage.",
			}, nil},
		{"disagreement", "slow=none",
			result(1000, fake{"polling", 100, 99, 101, 1000, peaks(900, 10, 10, nil), three("double"), nil},
				fake{"buffered", 100, 99, 101, 1000, peaks(10, 10, 10, nil), three("increment"), nil}), []string{
				"Items piled up in front of double in 3 of 3 polling trials (peak 900 of 1,000); in front of increment in 3 of 3 buffered trials (peak 10 of 10): the variants disagree on the bottleneck. No stage was made slow, so the pace is the cost of handing items on.",
			}, nil},
		{"io cost", "slow=increment&cost_kind=io&cost=200us&items=500",
			result(500, fake{"fan-out", 10, 9, 11, 500, peaks(10, 10, 3, nil), three("increment"), []int{0, 7, 3}}), []string{
				"fan-out took 10 ms a trial (median of 3).",
				"fan-out delivered items out of order in 2 of 3 trials (at worst 7 of 500 items came out after a later one)",
				"That is the stage made slow (200µs of sleep an item).",
			}, []string{"kept order"}},
		{"sleeps overshoot", "slow=double&cost_kind=io",
			result(1000, fake{"polling", 1100, 1090, 1200, 1000, peaks(990, 1, 1, map[string]any{"cost_us": 1103.4}), three("double"), nil},
				fake{"buffered", 1100, 1090, 1200, 1000, peaks(10, 1, 1, map[string]any{"cost_us": 1098.0}), three("double"), nil}), []string{
				"polling was fastest: 1,100 ms a trial (median)",
				"That is the stage made slow (100µs of sleep an item, 1,098 µs on the wall clock).",
				"The sleeps overshot: a short time.Sleep on Linux usually lasts about a millisecond",
			}, []string{"wait for a core"}},
		{"cpu waits for a core", "slow=double",
			result(1000, fake{"buffered", 100, 99, 101, 1000, peaks(10, 1, 1, map[string]any{"cost_us": 101.0}), three("double"), nil},
				fake{"fan-out", 100, 99, 101, 1000, peaks(10, 1, 1, map[string]any{"cost_us": 190.0}), three("double"), nil}), []string{
				"That is the stage made slow (100µs of CPU an item, 101 to 190 µs on the wall clock).",
				"The same CPU work took longer on the wall clock where its workers had to wait for a core.",
			}, []string{"overshot"}},
		{"cpu as asked", "slow=double",
			result(1000, fake{"buffered", 100, 99, 101, 1000, peaks(10, 1, 1, map[string]any{"cost_us": 100.4}), three("double"), nil}), []string{
				"That is the stage made slow (100µs of CPU an item, 100 µs on the wall clock).",
			}, []string{"overshot", "wait for a core"}},
		{"one worker per stage", "workers=1",
			result(1000, fake{"fan-out", 100, 99, 101, 1000, peaks(10, 1, 1, nil), three("double"), []int{0, 0, 0}}), []string{
				"With one worker per stage, fan-out keeps the input's order like the others.",
			}, []string{"nothing guarantees"}},
		{"mostly unsampled", "slow=none",
			result(1000, fake{"polling", 3, 2, 9, 1000, peaks(0, 1000, 500, nil), []string{"", "", "collect"}, nil}), []string{
				"The trials were too short for the depth sampler (every 1ms) to see where items piled up",
			}, []string{"piled up in front"}},
		{"wrong answer", "", result(1000, fake{"buffered", 10, 9, 11, 998, peaks(10, 0, 0, nil), three("double"), nil}), []string{
			"buffered lost or garbled items: 998 of 1,000 came out right in its median trial",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lab.Verdict(Experiment{}, tt.r, params(t, tt.q), env)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q\nlacks %q", got, w)
				}
			}
			for _, w := range tt.unwant {
				if strings.Contains(got, w) {
					t.Errorf("verdict %q\nhas %q", got, w)
				}
			}
		})
	}
}

func TestVerdictWithoutVariants(t *testing.T) {
	if got := lab.Verdict(Experiment{}, &lab.Result{}, params(t, ""), lab.Env{}); got != "No variant ran." {
		t.Errorf("got %q, want No variant ran.", got)
	}
}

// TestVerdictOnTheRunsCores checks that fan-out's busy cores are the run's
// (its GOMAXPROCS, the cores parameter), not the slot's or the machine's.
func TestVerdictOnTheRunsCores(t *testing.T) {
	r := func() *lab.Result {
		return result(1000, fake{"buffered", 100, 99, 101, 1000, peaks(3, 1, 1, nil), three("none"), []int{0, 0, 0}},
			fake{"fan-out", 100, 99, 101, 1000, peaks(10, 10, 10, nil), three("collect"), []int{0, 0, 0}})
	}
	tests := []struct {
		name   string
		q      string
		env    lab.Env
		want   string
		unwant []string
	}{
		{"cores=1 of a 2-core slot", "slow=produce&workers=1", lab.Env{NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true},
			"In fan-out, 1 CPU-bound produce worker on GOMAXPROCS 1 kept the run's one core busy, so the other stages had to wait for it.",
			[]string{"2 of the run's cores", "every core"}},
		{"cores=2 of a 4-core slot", "slow=produce&workers=2", lab.Env{NumCPU: 4, GOMAXPROCS: 2, InFlight: 2},
			"In fan-out, 2 CPU-bound produce workers on GOMAXPROCS 2 kept all 2 of the run's cores busy, so the other stages had to wait for one.",
			[]string{"4 of the run's cores", "shared the machine"}},
		{"fewer workers than the run's cores", "slow=produce&workers=2", lab.Env{NumCPU: 4, GOMAXPROCS: 4},
			"", []string{"CPU-bound produce workers", "busy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lab.Verdict(Experiment{}, r(), params(t, tt.q), tt.env)
			if !strings.Contains(got, tt.want) {
				t.Errorf("got verdict %q, want it to contain %q", got, tt.want)
			}
			for _, u := range tt.unwant {
				if strings.Contains(got, u) {
					t.Errorf("got verdict %q, want it without %q", got, u)
				}
			}
		})
	}
}

func TestVerdictCPUPerItem(t *testing.T) {
	v := func(name string, us float64) lab.VariantResult {
		return lab.VariantResult{Name: name, Extra: map[string]any{"cpu_us_per_item": us}}
	}
	tests := []struct {
		name string
		r    lab.Result
		want string
	}{
		{"spinning burns more", lab.Result{Variants: []lab.VariantResult{v("polling", 3), v("spinning", 1200), v("channels", 2)}},
			"CPU time per item, waiting included (median trial): polling 3.0 µs, spinning 1200.0 µs, channels 2.0 µs. Spinning instead of sleeping burned 400.00× as much CPU"},
		{"no polling variant", lab.Result{Variants: []lab.VariantResult{v("channels", 2), v("buffered", 2)}}, ""},
		{"close", lab.Result{Variants: []lab.VariantResult{v("polling", 3), v("spinning", 4)}},
			"CPU time per item, waiting included (median trial): polling 3.0 µs, spinning 4.0 µs."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cpuPerItem(&tt.r)
			if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) || (tt.name == "close" && got != tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
