package processes

import (
	"context"
	"strings"
	"testing"
	"time"

	"concurrencylab/lab"
)

// Every variant does its work and gets the right answer: every child
// exits 0, the digests equal this process's, the hung child is gone.
func TestVariants(t *testing.T) {
	e := New()
	for _, work := range []string{"wait", "compute"} {
		t.Run(work, func(t *testing.T) {
			p := params(t, "children=3&duration=20ms&megabytes=2&work="+work)
			for _, v := range variants {
				tr := trial(t, e, v.Name, p)
				if tr.Elapsed <= 0 {
					t.Errorf("%s: got elapsed %s, want it measured", v.Name, tr.Elapsed)
				}
				if v.Name == "one-by-one" || v.Name == "all-at-once" {
					if s, ok := tr.Extra["start_ms"].(float64); !ok || s <= 0 {
						t.Errorf("%s: got start %v, want a start per child measured", v.Name, tr.Extra["start_ms"])
					}
				}
			}
		})
	}
}

// Waits overlap: K children that each wait cannot take less than one
// wait, and one by one cannot take less than K waits. Structural facts,
// true on any load.
func TestWaitsOverlap(t *testing.T) {
	e := New()
	p := params(t, "children=4&duration=50ms&work=wait")
	one := trial(t, e, "one-by-one", p)
	all := trial(t, e, "all-at-once", p)
	if one.Elapsed < 200*time.Millisecond {
		t.Errorf("one-by-one: got %s, want at least 4 × 50ms", one.Elapsed)
	}
	if all.Elapsed < 50*time.Millisecond {
		t.Errorf("all-at-once: got %s, want at least one wait of 50ms", all.Elapsed)
	}
	// Four waits at once end before four in a row, unless starting a
	// child took longer than a wait: allow for a loaded machine.
	if all.Elapsed >= one.Elapsed {
		t.Logf("all-at-once %s not under one-by-one %s: a loaded machine", all.Elapsed, one.Elapsed)
	}
}

// The hung child ignores SIGTERM, so it lives through the grace and is
// killed: gone no sooner than the grace after its deadline, and gone.
func TestTimeoutKills(t *testing.T) {
	e := New()
	p := params(t, "deadline=60ms&grace=30ms&variants=timeout")
	tr := trial(t, e, "timeout", p)
	after := tr.Extra["killed_after_ms"].(float64)
	if after < 30 {
		t.Errorf("got the child gone %.1f ms after its deadline, want at least the grace of 30 ms (it ignores SIGTERM)", after)
	}
	if exit := tr.Extra["exit"].(string); !strings.Contains(exit, "killed") {
		t.Errorf("got exit %q, want the child killed", exit)
	}
}

// A cancelled trial stops its children and returns promptly.
func TestCancel(t *testing.T) {
	e := New()
	for _, v := range []string{"one-by-one", "all-at-once", "timeout"} {
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
		p := params(t, "children=4&duration=2s&deadline=5s&grace=200ms")
		start := time.Now()
		if _, err := e.Trial(ctx, v, p, lab.Discard); err == nil {
			t.Errorf("%s: got no error from a cancelled trial", v)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: a cancelled trial took %s, want it prompt", v, d)
		}
		cancel()
	}
}

func TestLimits(t *testing.T) {
	_, err := lab.ParseMap(New().Info(), map[string]string{"children": "64", "duration": "2s"})
	if err == nil || !strings.Contains(err.Error(), "children × duration must be at most 20s") {
		t.Errorf("got %v, want the bound on children × duration", err)
	}
	_, err = lab.ParseMap(New().Info(), map[string]string{"children": "0"})
	if err == nil || !strings.Contains(err.Error(), "children") {
		t.Errorf("got %v, want an error naming children", err)
	}
}

// The helper refuses a mode it does not know.
func TestHelperUnknownMode(t *testing.T) {
	if code := Helper("nope", nil); code == 0 {
		t.Error("got status 0 for an unknown mode, want 1")
	}
}
