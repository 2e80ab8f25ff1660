package locked

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// variantResult builds a summarised variant from its trials' answers, the
// way lab would, with ns as the median ns_per_increment.
func variantResult(name string, ns float64, gots ...int64) lab.VariantResult {
	v := lab.VariantResult{Name: name, Expected: lab.Int64(500000), Extra: map[string]any{"ns_per_increment": ns}}
	correct := true
	for _, g := range gots {
		v.Trials = append(v.Trials, lab.TrialResult{Expected: lab.Int64(500000), Got: lab.Int64(g)})
		correct = correct && g == 500000
	}
	v.Correct = &correct
	return v
}

// withReports adds the race detector's report counts to v's trials.
func withReports(v lab.VariantResult, races ...int) lab.VariantResult {
	for i := range v.Trials {
		v.Trials[i].Extra = map[string]any{"race_reports": races[i]}
	}
	return v
}

func TestVerdict(t *testing.T) {
	p := params(t, "goroutines=5&increments=100000")
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	exact := []int64{500000, 500000, 500000}
	tests := []struct {
		name     string
		env      lab.Env // the two-core env when zero
		variants []lab.VariantResult
		want     []string
		wantNot  []string
	}{
		{
			name: "all correct, unsynchronized lossy",
			variants: []lab.VariantResult{
				variantResult("mutex", 21.4, exact...),
				variantResult("atomic", 6.2, exact...),
				variantResult("channel", 120, exact...),
				variantResult("sharded", 0.5, exact...),
				variantResult("unsynchronized", 0.9, 300000, 310000, 500000),
			},
			want: []string{
				"Every synchronized variant (mutex, atomic, channel and sharded) counted every increment in every trial.",
				"With 5 goroutines on 2 cores, the cheapest correct count was sharded at 0.50 ns per increment and the dearest channel at 120 ns (medians): 240 times as much.",
				"Without synchronization (unsynchronized, 0.90 ns per increment), updates were lost in 2 of 3 trials, at worst 200,000 of 500,000 increments (40%).",
			},
			wantNot: []string{"race detector", "miscounted"},
		},
		{
			name: "a synchronized variant miscounts, unsynchronized lossless",
			variants: []lab.VariantResult{
				variantResult("mutex", 21.4, exact...),
				variantResult("atomic", 6.2, exact...),
				variantResult("channel", 120, 500000, 499999, 500000),
				variantResult("unsynchronized", 0.9, exact...),
			},
			want: []string{
				"Mutex and atomic counted every increment in every trial.",
				"The channel variant miscounted in 1 of 3 trials, which a synchronized counter must never do: please report this run.",
				"the cheapest correct count was atomic at 6.20 ns per increment and the dearest mutex at 21.4 ns (medians): 3.5 times as much.",
				"no update was lost in 3 trials: the race is still there",
			},
			wantNot: []string{"channel at"},
		},
		{
			name:     "mutex alone",
			variants: []lab.VariantResult{variantResult("mutex", 21.4, exact...)},
			want: []string{
				"The mutex variant counted every increment in every trial.",
				"With 5 goroutines on 2 cores, mutex cost 21.4 ns per increment (median).",
			},
			wantNot: []string{"unsynchronized", "cheapest"},
		},
		{
			name: "one core of a two-core slot, unsynchronized lossless",
			env:  lab.Env{NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true},
			variants: []lab.VariantResult{
				variantResult("mutex", 14.2, exact...),
				variantResult("unsynchronized", 0.9, exact...),
			},
			want: []string{
				"With 5 goroutines on 1 core, mutex cost 14.2 ns per increment (median).",
				"Without synchronization (unsynchronized, 0.90 ns per increment), no update was lost in 3 trials: with one core (GOMAXPROCS 1) the goroutines could only take turns.",
			},
			wantNot: []string{"2 cores", "different cores"},
		},
		{
			name: "GOMAXPROCS below the slot's CPUs",
			env:  lab.Env{NumCPU: 4, GOMAXPROCS: 2, InFlight: 2},
			variants: []lab.VariantResult{
				variantResult("mutex", 21.4, exact...),
				variantResult("unsynchronized", 0.9, exact...),
			},
			want:    []string{"With 5 goroutines on 2 cores, mutex cost", "run at the same instant on different cores"},
			wantNot: []string{"4 cores", "could only take turns", "shared the machine"},
		},
		{
			name: "race detector",
			variants: []lab.VariantResult{
				withReports(variantResult("mutex", 21.4, exact...), 0, 0, 0),
				withReports(variantResult("atomic", 6.2, exact...), 0, 0, 0),
				withReports(variantResult("unsynchronized", 0.9, 300000, 300000, 300000), 2, 2, 1),
			},
			want: []string{
				"The race detector reported a data race in unsynchronized and none in mutex and atomic.",
				"updates were lost in 3 of 3 trials",
			},
		},
		{
			name: "get-set loses updates with no race reported",
			variants: []lab.VariantResult{
				withReports(variantResult("mutex", 21.4, exact...), 0, 0, 0),
				withReports(variantResult("get-set", 45, 400000, 380000, 500000), 0, 0, 0),
				withReports(variantResult("unsynchronized", 0.9, 300000, 300000, 300000), 2, 2, 1),
			},
			want: []string{
				"The mutex variant counted every increment in every trial; get-set, which locks Get and Set but not the increment between them, lost updates in 2 of 3 trials.",
				"With 5 goroutines on 2 cores, mutex cost 21.4 ns per increment (median).",
				"With Get and Set each under the lock (get-set), updates were still lost in 2 of 3 trials, at worst 120,000 of 500,000 increments (24%).",
				"The race detector found no data race in get-set: race-free is not atomic.",
				"The race detector reported a data race in unsynchronized and none in mutex and get-set.",
			},
			wantNot: []string{"miscounted", "please report", "dearest"},
		},
		{
			name: "get-set alone, lossless on one core",
			env:  lab.Env{NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true},
			variants: []lab.VariantResult{
				variantResult("get-set", 45, exact...),
			},
			want:    []string{"With Get and Set each under the lock (get-set), no update was lost in 3 trials: with one core the goroutines seldom stop between the two."},
			wantNot: []string{"counted every increment", "race detector", "ns per increment"},
		},
		{
			name: "race detector, no race anywhere",
			variants: []lab.VariantResult{
				withReports(variantResult("mutex", 21.4, exact...), 0, 0, 0),
			},
			want: []string{"The race detector reported no data race in mutex."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.env
			if e.NumCPU == 0 {
				e = env
			}
			got := lab.Verdict(Experiment{}, &lab.Result{Variants: tt.variants}, p, e)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("verdict %q has %q", got, w)
				}
			}
		})
	}
}

// With get-set in the run, the headline says it lost updates though every
// other synchronized variant counted exactly.
func TestJudgeHeadlineWithGetSet(t *testing.T) {
	p := params(t, "goroutines=5&increments=100000")
	exact := []int64{500000, 500000, 500000}
	r := &lab.Result{Variants: []lab.VariantResult{
		variantResult("mutex", 20, exact...),
		variantResult("atomic", 8, exact...),
		variantResult("channel", 120, exact...),
		variantResult("sharded", 0.5, exact...),
		variantResult("get-set", 45, 400000, 500000, 310000),
	}}
	h, _ := Experiment{}.Judge(r, p, lab.Env{NumCPU: 2, GOMAXPROCS: 2})
	want := "Every synchronized variant (mutex, atomic, channel and sharded) counted every increment in every trial; get-set, which locks Get and Set but not the increment between them, lost updates in 2 of 3 trials."
	if h != want {
		t.Errorf("got headline %q, want %q", h, want)
	}
	if n := len(strings.Fields(h)); n >= 40 {
		t.Errorf("got a headline of %d words, want under 40", n)
	}
}

// The headline answers the lesson's question in one short sentence; what
// each variant cost is in the details.
func TestJudgeHeadline(t *testing.T) {
	p := params(t, "goroutines=5&increments=100000")
	exact := []int64{500000, 500000, 500000}
	r := &lab.Result{Variants: []lab.VariantResult{
		variantResult("mutex", 20, exact...),
		variantResult("atomic", 8, exact...),
		variantResult("unsynchronized", 1, 300000, 280000, 310000),
	}}
	h, d := Experiment{}.Judge(r, p, lab.Env{NumCPU: 2, GOMAXPROCS: 2})
	if !strings.Contains(h, "counted every increment in every trial") || len(strings.Fields(h)) >= 40 {
		t.Errorf("got headline %q, want one sentence under 40 words on counting exactly", h)
	}
	if !strings.Contains(d, "atomic") || !strings.Contains(d, "lost") {
		t.Errorf("got details %q, want the costs and the losses", d)
	}
	if v := lab.Verdict(Experiment{}, r, p, lab.Env{NumCPU: 2, GOMAXPROCS: 2}); v != h+" "+d {
		t.Errorf("got Verdict %q, want the headline and the details", v)
	}
}
