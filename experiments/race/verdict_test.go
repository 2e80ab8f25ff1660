package race

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// TestVerdictOnCores checks what the verdict says for the cores the run
// had: one core (cores=1) lets the goroutines only take turns, and only on
// amd64 does the verdict name the single INCQ instruction as the reason
// nothing was lost.
func TestVerdictOnCores(t *testing.T) {
	p := params(t, "goroutines=5&increments=100000")
	oneCore := func(arch string) lab.Env {
		return lab.Env{Arch: arch, NumCPU: 2, GOMAXPROCS: 1, CPUs: []int{0}, Pinned: true}
	}
	tests := []struct {
		name string
		env  lab.Env
		gots []int64
		want []string
		not  []string
	}{
		{
			name: "one core on amd64, nothing lost",
			env:  oneCore("amd64"),
			gots: []int64{500000, 500000, 500000},
			want: []string{
				"No update was lost in 3 trials with 5 goroutines on 1 core (GOMAXPROCS 1): with one core the goroutines could only take turns",
				"on amd64 Increment is one INCQ instruction, which a core never stops halfway through",
				"That is the lesson of cores=1",
			},
			not: []string{"2 cores", "this time they took turns", "Run it again", "preempted"},
		},
		{
			name: "one core on arm64, nothing lost",
			env:  oneCore("arm64"),
			gots: []int64{500000, 500000, 500000},
			want: []string{
				"No update was lost in 3 trials with 5 goroutines on 1 core (GOMAXPROCS 1): with one core the goroutines could only take turns.",
				"On arm64, Increment is a load, an add and a store, three instructions, so turns on one core can still lose updates if a goroutine is preempted between Increment's read and its write; this time none was.",
			},
			not: []string{"INCQ", "amd64", "lesson of cores=1"},
		},
		{
			name: "one core, some updates lost",
			env:  oneCore("amd64"),
			gots: []int64{450000, 500000, 500000},
			want: []string{"Updates were lost in 1 of 3 trials with 5 goroutines on 1 core (GOMAXPROCS 1): at worst 50,000 of 500,000 increments (10%) vanished, although the goroutines could only take turns."},
			not:  []string{"INCQ", "No update was lost", "happened not to overlap", "lesson of cores=1"},
		},
		{
			name: "one core, every trial lossy",
			env:  oneCore("arm64"),
			gots: []int64{450000, 460000, 470000},
			want: []string{"Updates were lost in every one of 3 trials with 5 goroutines on 1 core (GOMAXPROCS 1): a median of 40,000 of 500,000 increments (8%) vanished, at worst 50,000."},
			not:  []string{"INCQ", "No update was lost"},
		},
		{
			name: "two cores on amd64, nothing lost",
			env:  lab.Env{Arch: "amd64", NumCPU: 2, GOMAXPROCS: 2, CPUs: []int{0, 1}, Pinned: true},
			gots: []int64{500000, 500000},
			want: []string{"No update was lost in 2 trials with 5 goroutines on 2 cores (GOMAXPROCS 2): the race is still there", "this time they took turns"},
			not:  []string{"INCQ", "lesson of cores=1"},
		},
		{
			name: "the run's cores, not the slot's",
			env:  lab.Env{Arch: "amd64", NumCPU: 4, GOMAXPROCS: 2, InFlight: 2},
			gots: []int64{300000, 500000},
			want: []string{"5 goroutines on 2 cores (GOMAXPROCS 2)"},
			not:  []string{"4 cores", "shared the machine"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trials []lab.TrialResult
			for _, g := range tt.gots {
				trials = append(trials, lab.TrialResult{Expected: lab.Int64(500000), Got: lab.Int64(g)})
			}
			r := &lab.Result{Variants: []lab.VariantResult{{Name: "unsynchronized", Expected: lab.Int64(500000), Trials: trials}}}
			got := lab.Verdict(Experiment{}, r, p, tt.env)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got verdict %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("got verdict %q, want it without %q", got, w)
				}
			}
		})
	}
}

// TestHeadline: one plain sentence from every trial, not the median; with
// one goroutine, no race to speak of; a recorded run says it is a model.
func TestHeadline(t *testing.T) {
	twoCores := lab.Env{Arch: "amd64", NumCPU: 2, GOMAXPROCS: 2}
	tests := []struct {
		name, raw string
		gots      []int64
		// The variant's median wall and CPU time, and others' share.
		ms, cpu, others float64
		want            string
		details         []string
		not             []string
	}{
		{name: "nothing lost on a busy machine", raw: "goroutines=5&increments=100000",
			gots: []int64{500000, 500000, 500000}, ms: 20, cpu: 5, others: 63,
			want: "No update was lost in 3 trials with 5 goroutines on 2 cores: they used 0.2 cores on average, rarely running at the same instant; other programs took 63% of the cores."},
		{name: "nothing lost on a quiet machine", raw: "goroutines=5&increments=100000",
			gots: []int64{500000, 500000, 500000}, ms: 20, cpu: 38, others: 2,
			want: "No update was lost in 3 trials with 5 goroutines on 2 cores this time."},
		{name: "one lossy trial of five: the board's defect", raw: "goroutines=5&increments=100000",
			gots:    []int64{500000, 279750, 500000, 500000, 500000},
			want:    "Updates were lost in 1 of 5 trials with 5 goroutines on 2 cores: at worst 220,250 of 500,000 lost, 279,750 counted.",
			details: []string{"no guaranteed behaviour"}},
		{name: "one goroutine", raw: "goroutines=1&increments=500000",
			gots:    []int64{500000, 500000, 500000},
			want:    "With one goroutine there is nothing to race with: the count was exact in 3 trials.",
			details: []string{"there is no data race at all"},
			not:     []string{"the race is still there", "happened not to overlap", "no guaranteed behaviour"}},
		{name: "recorded", raw: "goroutines=2&increments=1000&steps=true",
			gots:    []int64{2000, 1014},
			want:    "Updates were lost in 1 of 2 trials with 2 goroutines on 2 cores: at worst 986 of 2,000 lost, 1,014 counted.",
			details: []string{"a model of count++ that takes a lock around the read and another around the write"}},
		{name: "recorded, nothing lost", raw: "goroutines=2&increments=1000&steps=true",
			gots:    []int64{2000, 2000},
			want:    "No update was lost in 2 trials with 2 goroutines on 2 cores this time.",
			details: []string{"in the recorded model a goroutine loses an update only when another takes the lock between its read and its write"},
			not:     []string{"different cores"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trials []lab.TrialResult
			exp := tt.gots[0]
			for _, g := range tt.gots {
				exp = max(exp, g)
			}
			for _, g := range tt.gots {
				trials = append(trials, lab.TrialResult{Expected: lab.Int64(exp), Got: lab.Int64(g)})
			}
			v := lab.VariantResult{Name: "unsynchronized", Expected: lab.Int64(exp), Trials: trials, MedianMs: tt.ms, CPUMs: tt.cpu}
			if tt.others > 0 {
				v.OthersPct = &tt.others
			}
			r := &lab.Result{Variants: []lab.VariantResult{v}}
			h, d := Experiment{}.Judge(r, params(t, tt.raw), twoCores)
			if h != tt.want {
				t.Errorf("got headline %q, want %q", h, tt.want)
			}
			if n := len(strings.Fields(h)); n >= 40 {
				t.Errorf("got %d words, want under 40", n)
			}
			for _, w := range tt.details {
				if !strings.Contains(d, w) {
					t.Errorf("got details %q, want %q in them", d, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(h+d, w) {
					t.Errorf("got %q, want it without %q", h+" "+d, w)
				}
			}
		})
	}
}

// TestLessonClaimsOnlyWhatHolds: a single core loses nothing only where
// Increment is one instruction (amd64); arm64 loads, adds and stores; a
// racy program has no guaranteed behaviour; recording is a model.
func TestLessonClaimsOnlyWhatHolds(t *testing.T) {
	for _, want := range []string{"On arm64 it becomes three instructions", "Go memory model", "a model of counter++", "a lock around the read and another around the write"} {
		if !strings.Contains(lesson, want) {
			t.Errorf("lesson lacks %q", want)
		}
	}
	if strings.Contains(lesson, "Go loses updates only while goroutines truly run at once on different cores") {
		t.Errorf("lesson still says updates are lost only on different cores, true of amd64 alone")
	}
}
