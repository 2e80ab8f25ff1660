package locked

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

// synced are the variants that must count exactly, under -race too.
var synced = []string{"mutex", "atomic", "channel", "sharded"}

func TestSynchronizedVariantsAreExact(t *testing.T) {
	sizes := []struct{ goroutines, increments int }{
		{1, 1}, {1, 1000}, {2, 1}, {3, 7}, {5, 100_000}, {16, 10_000}, {64, 1000}, {256, 100},
	}
	for _, variant := range synced {
		for _, s := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", variant, s.goroutines, s.increments), func(t *testing.T) {
				p := params(t, fmt.Sprintf("goroutines=%d&increments=%d", s.goroutines, s.increments))
				tr, err := Experiment{}.Trial(context.Background(), variant, p, lab.Discard)
				if err != nil {
					t.Fatal(err)
				}
				want := int64(s.goroutines * s.increments)
				if *tr.Expected != want || *tr.Got != want {
					t.Errorf("got %d of %d, want %d of %d", *tr.Got, *tr.Expected, want, want)
				}
				if ns, ok := tr.Extra["ns_per_increment"].(float64); !ok || ns <= 0 {
					t.Errorf("got ns_per_increment %v, want a positive float64", tr.Extra["ns_per_increment"])
				}
				if _, ok := tr.Extra["lost"]; ok {
					t.Errorf("got extra lost for %s, want none: it cannot lose updates", variant)
				}
				if tr.Elapsed <= 0 {
					t.Errorf("got elapsed %v, want the counting's own time", tr.Elapsed)
				}
			})
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		name       string
		variant    string
		goroutines int
		increments int
		want       int
		wantErr    string
	}{
		{"mutex", "mutex", 4, 2500, 10_000, ""},
		{"sharded", "sharded", 3, 0, 0, ""},
		{"unknown variant", "spinlock", 2, 10, 0, `locked: unknown variant "spinlock"`},
		{"no goroutines", "mutex", 0, 10, 0, "locked: need at least 1 goroutine and 0 increments, got 0 and 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Count(tt.variant, tt.goroutines, tt.increments)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %d, %v, want %d, nil", got, err, tt.want)
			}
		})
	}
}

// A cancel between batches stops every variant promptly and leaves no
// goroutine behind; the channel variant's owner too.
func TestCancelStopsPromptly(t *testing.T) {
	variants := append(slices.Clone(synced), "get-set")
	if !lab.RaceEnabled {
		variants = append(variants, "unsynchronized")
	}
	for _, variant := range variants {
		t.Run(variant, func(t *testing.T) {
			// 50 x 10,000,000 is minutes of work for some variants: the
			// trial can only end early by noticing the cancel.
			p := params(t, "goroutines=50&increments=1000000")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelled time.Time
			rec := &recorder{}
			rec.onProgress = func() { // the first batch is done: cancel mid-run
				rec.mu.Lock()
				if cancelled.IsZero() {
					cancelled = time.Now()
					cancel()
				}
				rec.mu.Unlock()
			}
			type result struct {
				tr  lab.Trial
				err error
			}
			done := make(chan result, 1)
			go func() {
				tr, err := Experiment{}.Trial(ctx, variant, p, rec)
				done <- result{tr, err}
			}()
			select {
			case r := <-done:
				if !errors.Is(r.err, context.Canceled) {
					t.Errorf("got error %v, want %v", r.err, context.Canceled)
				}
				rec.mu.Lock()
				t.Logf("returned %v after the cancel, %d of %d increments done", time.Since(cancelled), rec.done, rec.total)
				if rec.done >= rec.total {
					t.Errorf("got all %d increments done, want the trial cut short", rec.total)
				}
				rec.mu.Unlock()
			case <-time.After(waitTimeout):
				t.Fatalf("trial still running %s after it was cancelled", waitTimeout)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestTimeline(t *testing.T) {
	tests := []struct {
		variant    string
		goroutines int
		increments int
		wantWaits  bool
		wantOwner  bool
	}{
		{"mutex", 5, 100_000, true, false},
		{"mutex", 64, 1000, true, false},
		{"atomic", 5, 10_000, false, false},
		{"channel", 5, 10_000, false, true},
		{"sharded", 5, 10_000, false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%dx%d", tt.variant, tt.goroutines, tt.increments), func(t *testing.T) {
			p := params(t, fmt.Sprintf("goroutines=%d&increments=%d", tt.goroutines, tt.increments))
			rec := &recorder{}
			if _, err := (Experiment{}).Trial(context.Background(), tt.variant, p, rec); err != nil {
				t.Fatal(err)
			}
			total := int64(tt.goroutines * tt.increments)
			if rec.done != total || rec.total != total {
				t.Errorf("got progress %d of %d, want %d of %d", rec.done, rec.total, total, total)
			}
			lanes := map[int][]span{}
			waits := 0
			for _, s := range rec.spans {
				lanes[s.worker] = append(lanes[s.worker], s)
				if s.label == "wait" {
					waits++
				}
			}
			for w := range tt.goroutines {
				spans := lanes[w]
				if len(spans) == 0 || spans[len(spans)-1].label != "work" {
					t.Errorf("worker %d: got spans %v, want them to end with work", w, labels(spans))
					continue
				}
				// One lane is one state at a time: work, wait, work, ...
				slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
				for i := 1; i < len(spans); i++ {
					if spans[i].start.Before(spans[i-1].end) {
						t.Errorf("worker %d: span %d (%s) starts before span %d (%s) ends", w, i, spans[i].label, i-1, spans[i-1].label)
					}
				}
			}
			perWorker := maxSamples
			if limit := maxTrialSamples / tt.goroutines; limit < perWorker {
				perWorker = max(1, limit)
			}
			switch {
			case tt.wantWaits && (waits == 0 || waits > perWorker*tt.goroutines):
				t.Errorf("got %d wait spans, want 1..%d", waits, perWorker*tt.goroutines)
			case !tt.wantWaits && waits > 0:
				t.Errorf("got %d wait spans, want none", waits)
			}
			owner := lanes[tt.goroutines]
			if tt.wantOwner != (len(owner) == 1 && owner[0].label == "own") {
				t.Errorf("got owner lane %v, want an own span: %v", labels(owner), tt.wantOwner)
			}
		})
	}
}

func labels(spans []span) []string {
	var ls []string
	for _, s := range spans {
		ls = append(ls, s.label)
	}
	return ls
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
		{"increments zero", map[string]string{"increments": "0"}, "increments must be 1..10,000,000, got 0"},
		{"increments over", map[string]string{"increments": "10000001"}, "increments must be 1..10,000,000, got 10,000,001"},
		{"too much work", map[string]string{"goroutines": "256", "increments": "10000000"}, "goroutines × increments must be at most 50,000,000, got 2,560,000,000"},
		{"repeat over", map[string]string{"repeat": "51"}, "repeat must be 1..50, got 51"},
		{"detector not bool", map[string]string{"detector": "maybe"}, `detector must be true or false, got "maybe"`},
		{"unknown variant", map[string]string{"variants": "spinlock"}, `variants must name variants among mutex, atomic, channel, sharded, get-set, unsynchronized, yours, got "spinlock"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := lab.ParseMap(info, tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Int("goroutines") != 5 || p.Int("increments") != 100_000 || p.Repeat() != 10 || p.Bool("detector") {
					t.Errorf("got defaults %v, want goroutines 5, increments 100000, repeat 10, detector false", p)
				}
				if got, want := p.Variants(), []string{"mutex", "atomic", "channel", "sharded", "get-set", "unsynchronized"}; !slices.Equal(got, want) {
					t.Errorf("got variants %v, want %v", got, want)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	info := Experiment{}.Info()
	if info.ID != "locked" {
		t.Errorf("got id %q, want locked", info.ID)
	}
	var baselines []string
	for _, v := range info.Variants {
		if v.Baseline {
			baselines = append(baselines, v.Name)
		}
	}
	if !slices.Equal(baselines, []string{"mutex"}) {
		t.Errorf("got baselines %v, want [mutex]", baselines)
	}
	paras := strings.Split(info.Lesson, "\n\n")
	if len(paras) < 6 {
		t.Errorf("got %d lesson paragraphs, want at least 6", len(paras))
	}
	for _, want := range []string{"with lock:", "sync.Mutex", "LOCK XADD", "share memory by communicating", "cache line", "GIL", "-race", "get_lock()", "Race-free is not atomic"} {
		if !strings.Contains(info.Lesson, want) {
			t.Errorf("lesson lacks %q", want)
		}
	}
}

// Every variant runs a function the page shows (counters.go, together.go,
// getset.go), named for the variant (the catalog's test checks the page
// shows the files compiled).
func TestVariantsRunTheirNamedFunctions(t *testing.T) {
	src := Experiment{}.Info().Source
	var names []string
	all := ""
	for _, f := range src {
		names = append(names, f.Name)
		all += f.Code
	}
	if want := []string{"counters.go", "together.go", "getset.go"}; !slices.Equal(names, want) {
		t.Fatalf("got source files %v, want %v", names, want)
	}
	for _, v := range variants {
		full := runtime.FuncForPC(reflect.ValueOf(v.count).Pointer()).Name()
		name := full[strings.LastIndex(full, ".")+1:]
		if !strings.Contains(all, "\nfunc "+name+"(r *runner) int {") {
			t.Errorf("variant %s runs %s, which the page does not show", v.Name, full)
		}
		if !strings.EqualFold(strings.TrimPrefix(name, "count"), strings.ReplaceAll(v.Name, "-", "")) {
			t.Errorf("variant %s runs %s: want the function named for the variant", v.Name, name)
		}
	}
	if !strings.Contains(src[2].Code, "c.Set(c.Get() + 1)") {
		t.Errorf("getset.go lacks c.Set(c.Get() + 1)")
	}
}
