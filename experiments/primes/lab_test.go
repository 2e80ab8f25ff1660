package primes

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

// A sweep is one run through lab: every planned variant, sequential as the
// baseline, the worker counts in each variant's figures, spans and a verdict.
func TestSweepRunsThroughLab(t *testing.T) {
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
	p := params(t, map[string]string{"sweep": "true", "numbers": "30", "start": "1000000000", "repeat": "2"})
	run, err := m.Submit(ctx, "primes", p)
	if err != nil {
		t.Fatal(err)
	}
	log, err := m.Events(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	spans := 0
	within(t, "the sweep run", func() {
		for from := 0; ; {
			evs, ok := log.Next(ctx, from)
			if !ok {
				return
			}
			for _, e := range evs {
				var body struct{ Type string }
				if json.Unmarshal(e.Data, &body) == nil && body.Type == event.TypeSpan {
					spans++
				}
			}
			from += len(evs)
		}
	})
	run, err = m.Get(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runs.StatusDone || run.Result == nil {
		t.Fatalf("got status %s, error %q, want done with a result", run.Status, run.Error)
	}
	var names []string
	for _, v := range run.Result.Variants {
		names = append(names, v.Name)
		if v.Correct == nil || !*v.Correct {
			t.Errorf("%s: got correct %v, want true", v.Name, v.Correct)
		}
		if v.Baseline != (v.Name == "sequential") {
			t.Errorf("%s: got baseline %v", v.Name, v.Baseline)
		}
		if _, w, _ := parseVariant(v.Name, 1); v.Extra["workers"] != float64(w) {
			t.Errorf("%s: got extra workers %v, want %d", v.Name, v.Extra["workers"], w)
		}
	}
	if want := (Experiment{}).Plan(p); !slices.Equal(names, want) {
		t.Errorf("got variants %v, want %v", names, want)
	}
	if spans == 0 {
		t.Errorf("got no spans")
	}
	if run.Result.Verdict == "" {
		t.Errorf("got no verdict")
	}
	t.Log(run.Result.Verdict)
}
