package waits

import (
	"context"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// The waits at once are exact, whatever the machine's load: one for
// sequential, K for the pool, and no more than N for a goroutine each.
// Sequential waits 100 × 5ms in a row and a goroutine each about one
// 5ms, a ratio of 100 by structure; load lengthens both, and a parked
// goroutine needs no core, so 10× leaves a wide margin.
func TestVariants(t *testing.T) {
	for _, kind := range []string{"timer", "net"} {
		t.Run(kind, func(t *testing.T) {
			p := params(t, "n=100&latency=5ms&workers=10&kind="+kind)
			seq := trial(t, "sequential", p)
			each := trial(t, "goroutines", p)
			pool := trial(t, "pool", p)
			for _, tt := range []struct {
				name string
				tr   lab.Trial
				want int64
			}{{"sequential", seq, 1}, {"pool", pool, 10}} {
				if got := tt.tr.Extra["waits_at_once"].(int64); got != tt.want {
					t.Errorf("%s: got %d waits at once, want %d", tt.name, got, tt.want)
				}
			}
			if got := each.Extra["waits_at_once"].(int64); got < 2 || got > 100 {
				t.Errorf("goroutines: got %d waits at once, want 2..100", got)
			}
			// A busy machine (the race detector's too) can stretch one
			// pair of trials: a few more are allowed before calling it.
			r := float64(seq.Elapsed) / float64(each.Elapsed)
			for try := 0; try < 4 && r < 10; try++ {
				seq, each = trial(t, "sequential", p), trial(t, "goroutines", p)
				r = float64(seq.Elapsed) / float64(each.Elapsed)
			}
			if r < 10 {
				t.Errorf("sequential %s, goroutines %s: got %.1f×, want at least 10×", seq.Elapsed, each.Elapsed, r)
			}
			// No variant can beat its ideal: every wait lasts at least the latency.
			for name, tr := range map[string]lab.Trial{"sequential": seq, "goroutines": each, "pool": pool} {
				if x := tr.Extra["vs_ideal"].(float64); x < 1 {
					t.Errorf("%s: got %.2f× the ideal, want at least 1", name, x)
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	for _, tt := range []struct{ name, query, want string }{
		{"goroutines", "n=300000&latency=1ms&variants=goroutines", "at most 250000 with a goroutine each"},
		{"sequential", "n=1000&latency=50ms", "n × latency must be at most 10s for sequential"},
		{"pool", "n=1000000&latency=50ms&workers=100&variants=pool", "ceil(n ÷ workers) × latency must be at most 10s"},
		{"net", "n=3000&kind=net&latency=1ms&variants=goroutines", "at most 2000 for kind net"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lab.ParseQuery(Experiment{}.Info(), mustValues(t, tt.query))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := lab.ParseQuery(Experiment{}.Info(), mustValues(t, "n=1000000&latency=50ms&workers=10000&variants=pool")); err != nil {
		t.Errorf("a pool of 10,000 over a million waits: got %v, want it accepted", err)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	p := params(t, "n=100&latency=1s&workers=10&variants=pool")
	start := time.Now()
	if _, err := (Experiment{}).Trial(ctx, "pool", p, lab.Discard); err == nil {
		t.Error("got no error from a cancelled trial")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a cancelled trial took %s, want it prompt", d)
	}
}

func TestVerdictSaysWhy(t *testing.T) {
	p := params(t, "n=10000&latency=50ms&workers=100&variants=pool")
	r := &lab.Result{Variants: []lab.VariantResult{{Name: "pool", Baseline: true, MedianMs: 5040, Correct: new(true),
		Extra: map[string]any{"peak_goroutines": 100.0, "stack_bytes_per_goroutine": 2048.0, "rss_kib_per_1000": 30.0, "rss_mib": 12.0}}}}
	h, d := Experiment{}.Judge(r, p, lab.Env{})
	for _, want := range []string{"5.04 s", "100 rounds × 50ms = 5.00 s", "only 100 waits run at once"} {
		if !strings.Contains(h, want) {
			t.Errorf("headline %q lacks %q", h, want)
		}
	}
	if !strings.Contains(d, "100 goroutines") {
		t.Errorf("details %q lack the peak goroutines", d)
	}
}
