package pool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func params(tb testing.TB, q string) lab.Params {
	return labtest.Params(tb, Experiment{}.Info(), q)
}

// trial runs one trial, failing the test if it hangs.
func trial(t *testing.T, ctx context.Context, variant string, p lab.Params) (lab.Trial, error) {
	t.Helper()
	type result struct {
		tr  lab.Trial
		err error
	}
	done := make(chan result, 1)
	go func() {
		tr, err := Experiment{}.Trial(ctx, variant, p, lab.Discard)
		done <- result{tr, err}
	}()
	select {
	case r := <-done:
		return r.tr, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: still running after 30s", variant)
	}
	return lab.Trial{}, nil
}

var boundedVariants = []string{"semaphore", "channel", "errgroup"}

// The bounded pools never have more than K connections open and serve
// every request, whatever the sizes.
func TestBoundedNeverOverK(t *testing.T) {
	for _, variant := range boundedVariants {
		for _, q := range []string{
			"requests=1&connections=1&query=0",
			"requests=200&connections=1&query=0",
			"requests=200&connections=4&query=2ms",
			"requests=1000&connections=8&query=0",
			"requests=100&connections=64&query=1ms",
			"requests=500&connections=3&query=0&cores=1",
		} {
			t.Run(variant+"/"+q, func(t *testing.T) {
				p := params(t, q)
				tr, err := trial(t, context.Background(), variant, p)
				if err != nil {
					t.Fatal(err)
				}
				k := int64(p.Int("connections"))
				if most := tr.Extra["max_in_use"].(int64); most > k || most < 1 {
					t.Errorf("got max_in_use %d, want 1..%d", most, k)
				}
				if *tr.Got != *tr.Expected || *tr.Expected != int64(p.Int("requests")) {
					t.Errorf("got %d of %d requests served, want all %d", *tr.Got, *tr.Expected, p.Int("requests"))
				}
				if tr.Extra["failures"] != int64(0) || tr.Extra["limit"] != p.Int("connections") {
					t.Errorf("got failures %v, limit %v, want 0 and %d", tr.Extra["failures"], tr.Extra["limit"], k)
				}
				p50, p99 := tr.Extra["wait_ms_p50"].(float64), tr.Extra["wait_ms_p99"].(float64)
				if p50 < 0 || p99 < p50 {
					t.Errorf("got waits p50 %v, p99 %v, want 0 <= p50 <= p99", p50, p99)
				}
			})
		}
	}
}

// With many more requests than connections, each holding its connection a
// while, the unbounded pool asks for more than K and requests fail; the
// ones that ran and the ones that failed make up all of them.
func TestUnboundedFails(t *testing.T) {
	p := params(t, "requests=200&connections=4&query=5ms")
	for i := range 3 {
		tr, err := trial(t, context.Background(), "unbounded", p)
		if err != nil {
			t.Fatal(err)
		}
		most, failed := tr.Extra["max_in_use"].(int64), tr.Extra["failures"].(int64)
		if most <= 4 || failed == 0 {
			t.Errorf("trial %d: got max_in_use %d and %d failures, want over 4 and some", i+1, most, failed)
		}
		if *tr.Got+failed != 200 || *tr.Got == *tr.Expected {
			t.Errorf("trial %d: got %d served and %d failed, want them to make 200, short of all", i+1, *tr.Got, failed)
		}
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	for _, variant := range append(boundedVariants, "unbounded") {
		t.Run(variant, func(t *testing.T) {
			p := params(t, "requests=10000&connections=64&query=5ms") // about a second
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			began := time.Now()
			_, err := trial(t, ctx, variant, p)
			// unbounded may finish first: every request past K fails at once.
			if !errors.Is(err, context.DeadlineExceeded) && (variant != "unbounded" || err != nil) {
				t.Errorf("got %v, want %v", err, context.DeadlineExceeded)
			}
			if took := time.Since(began); took > 5*time.Second {
				t.Errorf("took %v, want well under 5s", took)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestCheck(t *testing.T) {
	_, err := lab.ParseMap(Experiment{}.Info(), map[string]string{"requests": "10000", "connections": "1", "query": "0.5ms"})
	if err == nil || err.Error() != "requests × query ÷ connections must be at most 1s (sleeps count as at least 1ms), got 10s" {
		t.Errorf("got %v, want the bound", err)
	}
}

func TestJudge(t *testing.T) {
	mk := func(name string, most, failed int64, got int64, ci *[2]float64, speedup float64) lab.VariantResult {
		v := lab.VariantResult{Name: name, Baseline: name == "semaphore", Speedup: speedup, SpeedupCI: ci,
			Extra: map[string]any{"wait_ms_p50": 50.0, "wait_ms_p99": 99.0}}
		for range 6 {
			v.Trials = append(v.Trials, lab.TrialResult{Ms: 100, Expected: lab.Int64(200), Got: lab.Int64(got),
				Extra: map[string]any{"max_in_use": most, "failures": failed}})
		}
		return v
	}
	r := &lab.Result{Variants: []lab.VariantResult{
		mk("semaphore", 4, 0, 200, nil, 1),
		mk("channel", 4, 0, 200, &[2]float64{1.01, 1.1}, 1.05),
		mk("errgroup", 4, 0, 200, &[2]float64{0.9, 1.1}, 1),
		mk("unbounded", 200, 196, 4, &[2]float64{10, 20}, 15),
	}}
	h, d := Experiment{}.Judge(r, params(t, "requests=200&connections=4"), lab.Env{GOMAXPROCS: 2})
	want := "Semaphore, channel and errgroup kept to 4 connections and served all 200 requests in every trial; with no limit, 196 requests failed in the worst trial, refused past 4 connections (up to 200 asked for at once)."
	if h != want {
		t.Errorf("got headline\n%q\nwant\n%q", h, want)
	}
	if n := len(strings.Fields(h)); n >= 40 {
		t.Errorf("got %d words, want under 40", n)
	}
	for _, w := range []string{"semaphore 50.0 ms and 99.0 ms", "channel was faster (1.05×)", "errgroup ran at 1.00× the speed (no measurable difference on this machine)"} {
		if !strings.Contains(d, w) {
			t.Errorf("got details %q, want %q", d, w)
		}
	}
	r.Variants[1] = mk("channel", 5, 0, 200, nil, 1)
	if h, _ := (Experiment{}).Judge(r, params(t, "requests=200&connections=4"), lab.Env{}); !strings.Contains(h, "Channel (up to 5, 0 trials short) went over 4 connections") {
		t.Errorf("got headline %q, want the pool over K reported", h)
	}
}
