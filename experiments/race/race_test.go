package race

import (
	"context"
	"strings"
	"testing"

	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

func params(t *testing.T, q string) lab.Params {
	return labtest.Params(t, Experiment{}.Info(), q)
}

func TestSequentialIsExact(t *testing.T) {
	for _, total := range []int{0, 1, 7, 100_000} {
		if got := countSequential(total); got != total {
			t.Errorf("countSequential(%d) = %d, want %d", total, got, total)
		}
	}
}

func TestParams(t *testing.T) {
	info := Experiment{}.Info()
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"goroutines zero", map[string]string{"goroutines": "0"}, "goroutines must be 1..256, got 0"},
		{"goroutines over", map[string]string{"goroutines": "257"}, "goroutines must be 1..256, got 257"},
		{"increments over", map[string]string{"increments": "10000001"}, "increments must be 1..10,000,000, got 10,000,001"},
		{"too much work", map[string]string{"goroutines": "256", "increments": "10000000"}, "goroutines × increments must be at most 500,000,000, got 2,560,000,000"},
		{"repeat over", map[string]string{"repeat": "51"}, "repeat must be 1..50, got 51"},
		{"unknown variant", map[string]string{"variants": "locked"}, `variants must name variants among sequential, unsynchronized, yours, got "locked"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Int("goroutines") != 5 || p.Int("increments") != 1_000_000 || p.Repeat() != 10 {
					t.Errorf("got defaults %v, want goroutines 5, increments 1000000, repeat 10", p)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSequentialTrial(t *testing.T) {
	p := params(t, "goroutines=4&increments=1000")
	tr, err := Experiment{}.Trial(context.Background(), "sequential", p, lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if *tr.Expected != 4000 || *tr.Got != 4000 {
		t.Errorf("got %d of %d, want 4000 of 4000", *tr.Got, *tr.Expected)
	}
}

func TestVerdict(t *testing.T) {
	p := params(t, "goroutines=5&increments=100000")
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2}
	trials := func(gots ...int64) []lab.TrialResult {
		var ts []lab.TrialResult
		for _, g := range gots {
			ts = append(ts, lab.TrialResult{Expected: lab.Int64(500000), Got: lab.Int64(g)})
		}
		return ts
	}
	tests := []struct {
		name string
		gots []int64
		want []string
	}{
		{"some lossy", []int64{300000, 310000, 500000}, []string{"lost in 2 of 3 trials", "5 goroutines on 2 cores (GOMAXPROCS 2)", "at worst 200,000 of 500,000 increments (40%)", "happened not to overlap"}},
		{"all lossy", []int64{300000, 310000, 400000}, []string{"lost in every one of 3 trials", "a median of 190,000 of 500,000 increments (38%)", "at worst 200,000"}},
		{"clean", []int64{500000, 500000}, []string{"No update was lost in 2 trials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &lab.Result{Variants: []lab.VariantResult{
				{Name: "unsynchronized", Expected: lab.Int64(500000), Trials: trials(tt.gots...)},
			}}
			got := lab.Verdict(Experiment{}, r, p, env)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
		})
	}
}

// TestTrace checks a recorded run against itself: the last write is the
// final count, every write stores one more than its goroutine's read, and
// replaying the steps finds exactly the lost updates.
func TestTrace(t *testing.T) {
	for _, tt := range []struct {
		name          string
		goroutines, n int
	}{{"one goroutine", 1, 500}, {"two", 2, 1000}, {"four", 4, 500}, {"eight", 8, 250}} {
		t.Run(tt.name, func(t *testing.T) {
			got, steps := countRecorded(tt.goroutines, tt.n)
			if len(steps) != 2*tt.goroutines*tt.n {
				t.Fatalf("got %d steps, want %d", len(steps), 2*tt.goroutines*tt.n)
			}
			read := map[int]int{}
			count, lost := 0, 0
			for i, s := range steps {
				if !s.Write {
					if s.Value != count {
						t.Fatalf("step %d: read %d, want the count %d", i, s.Value, count)
					}
					read[s.Goroutine] = s.Value
					continue
				}
				if s.Value != read[s.Goroutine]+1 {
					t.Fatalf("step %d: wrote %d after reading %d", i, s.Value, read[s.Goroutine])
				}
				lost += count - read[s.Goroutine] // updates this write erased
				count = s.Value
			}
			if count != got {
				t.Errorf("last write %d, want the final count %d", count, got)
			}
			if want := tt.goroutines*tt.n - got; lost != want {
				t.Errorf("replay found %d lost updates, want %d", lost, want)
			}
			if tt.goroutines == 1 && got != tt.n {
				t.Errorf("one goroutine: got %d, want %d", got, tt.n)
			}
		})
	}
}

func TestRecordLimit(t *testing.T) {
	info := Experiment{}.Info()
	_, err := lab.ParseMap(info, map[string]string{"steps": "true", "goroutines": "5", "increments": "1000"})
	if err == nil || err.Error() != "goroutines × increments must be at most 2,000 to record every step (say 2 goroutines × 1,000 increments), got 5,000" {
		t.Errorf("got %v, want the recording limit named", err)
	}
	p := params(t, "steps=true&goroutines=4&increments=100")
	tr, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, lab.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if trace := tr.Extra["steps"].([][3]int); len(trace) != 800 {
		t.Errorf("got %d steps, want 800", len(trace))
	}
}
