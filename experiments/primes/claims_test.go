package primes

import (
	"strings"
	"testing"

	"concurrencylab/lab"
)

// withCI gives v a speedup interval.
func withCI(v lab.VariantResult, lo, hi float64) lab.VariantResult {
	v.SpeedupCI = &[2]float64{lo, hi}
	return v
}

// withIdeal gives v the ideal speedup its trials reported.
func withIdeal(v lab.VariantResult, ideal float64) lab.VariantResult {
	v.Extra["ideal"] = ideal
	return v
}

// TestVerdictAgainstTheRunsIdeal: workers=2 on 16 cores can reach 2×, not
// 16×; the verdict measures against that.
func TestVerdictAgainstTheRunsIdeal(t *testing.T) {
	sixteen := lab.Env{NumCPU: 16, GOMAXPROCS: 16, InFlight: 1}
	seq := variant("sequential", 1, 1, 60, 16, 16)
	for _, tc := range []struct {
		name string
		pool lab.VariantResult
	}{
		{name: "ideal reported", pool: withIdeal(variant("worker-pool", 2, 1.9, 60, 16, 16), 1.97)},
		{name: "ideal from workers", pool: variant("worker-pool", 2, 1.9, 60, 16, 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := lab.Verdict(Experiment{}, &lab.Result{Variants: []lab.VariantResult{seq, tc.pool}},
				params(t, map[string]string{"variants": "sequential,worker-pool", "workers": "2"}), sixteen)
			if strings.Contains(got, "16×") || strings.Contains(got, "16.00×") {
				t.Errorf("verdict %q measures against 16×, want against 2×", got)
			}
			if !strings.Contains(got, "close to the ideal of") || !strings.Contains(got, "(2 workers, 16 cores") {
				t.Errorf("verdict %q, want it close to the ideal of 2 workers on 16 cores", got)
			}
		})
	}
}

// TestGILClaimsOnlyWhatItMeasured: sequential's median was inflated by a
// busy moment (gil 1.24× by the medians), and the interval holds 1: no
// claim of a difference, and "one core did the work" only from gil's
// measured CPU time.
func TestGILClaimsOnlyWhatItMeasured(t *testing.T) {
	seq := variant("sequential", 1, 1, 160, 16, 16)
	raw := map[string]string{"variants": "sequential,worker-pool,gil", "workers": "2"}
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2, InFlight: 1}
	pool := withCI(variant("worker-pool", 2, 2.9, 160, 16, 16), 1.8, 3.1)
	t.Run("no CPU time: no mechanism claimed", func(t *testing.T) {
		gil := withCI(variant("gil", 2, 1.24, 160, 16, 16), 0.97, 1.5)
		got := lab.Verdict(Experiment{}, &lab.Result{Variants: []lab.VariantResult{seq, pool, gil}}, params(t, raw), env)
		if strings.Contains(got, "one core did") {
			t.Errorf("verdict %q claims one core did the work without measuring it", got)
		}
		if !strings.Contains(got, "ran 1.24× as fast as sequential (no measurable difference on this machine)") {
			t.Errorf("verdict %q, want gil's 1.24× called no measurable difference", got)
		}
	})
	t.Run("measured one core", func(t *testing.T) {
		gil := withCPU(withCI(variant("gil", 2, 1.0, 160, 16, 16), 0.9, 1.1), 168)
		got := lab.Verdict(Experiment{}, &lab.Result{Variants: []lab.VariantResult{seq, pool, gil}}, params(t, raw), env)
		if !strings.Contains(got, "It kept 1.1 cores busy") || !strings.Contains(got, "one core did the work, and 1 other core sat idle") {
			t.Errorf("verdict %q, want one core claimed from gil's measured CPU time", got)
		}
	})
	t.Run("measured more than one core", func(t *testing.T) {
		gil := withCPU(withCI(variant("gil", 2, 1.0, 160, 16, 16), 0.9, 1.1), 300)
		got := lab.Verdict(Experiment{}, &lab.Result{Variants: []lab.VariantResult{seq, pool, gil}}, params(t, raw), env)
		if strings.Contains(got, "one core did") {
			t.Errorf("verdict %q claims one core while gil kept 1.9 busy", got)
		}
	})
}

func TestHeadline(t *testing.T) {
	seq := variant("sequential", 1, 1, 60, 16, 16)
	env := lab.Env{NumCPU: 2, GOMAXPROCS: 2, InFlight: 1}
	tests := []struct {
		name string
		best lab.VariantResult
		want string
	}{
		{name: "faster", best: withCI(variant("worker-pool", 2, 1.84, 60, 16, 16), 1.71, 1.98),
			want: "On 2 cores, worker-pool was the fastest: 1.84× as fast as sequential (95% interval 1.71–1.98×)."},
		{name: "inside the noise", best: withCI(variant("worker-pool", 2, 1.05, 60, 16, 16), 0.92, 1.2),
			want: "On 2 cores, no variant was measurably faster than sequential: the best, worker-pool, ran 1.05× as fast (95% interval 0.92–1.20×), no measurable difference on this machine."},
		{name: "slower", best: withCI(variant("worker-pool", 2, 0.8, 60, 16, 16), 0.7, 0.9),
			want: "On 2 cores, every variant was slower than sequential: the best, worker-pool, ran 0.80× as fast (95% interval 0.70–0.90×)."},
		{name: "too few", best: variant("worker-pool", 2, 1.84, 60, 16, 16),
			want: "On 2 cores, worker-pool ran 1.84× as fast as sequential: too few trials to tell (3; 6 give an interval)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := Experiment{}.Judge(&lab.Result{Variants: []lab.VariantResult{seq, tc.best}}, params(t, nil), env)
			if h != tc.want {
				t.Errorf("got %q, want %q", h, tc.want)
			}
			if n := len(strings.Fields(h)); n >= 40 {
				t.Errorf("got a headline of %d words, want under 40", n)
			}
		})
	}
}

// TestLessonSaysWhatPythonDoes: the seed's is_prime loops over range(2, n),
// and CPython's switch interval is how long a waiting thread waits before
// it asks for the GIL, not a period at which the holder hands it over.
func TestLessonSaysWhatPythonDoes(t *testing.T) {
	for _, bad := range []string{"try every divisor up to the square root", "every 5 ms"} {
		if strings.Contains(lesson, bad) {
			t.Errorf("lesson says %q", bad)
		}
	}
	for _, good := range []string{"range(2, n)", "A waiting thread asks for the GIL"} {
		if !strings.Contains(lesson, good) {
			t.Errorf("lesson lacks %q", good)
		}
	}
}
