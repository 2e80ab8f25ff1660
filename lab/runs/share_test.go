package runs

import (
	"concurrencylab/lab"
	"context"
	"errors"
	"testing"
	"time"
)

// submitFrom submits an anonymous run of "fake" for client.
func submitFrom(t *testing.T, m *Manager, client string) (Run, error) {
	t.Helper()
	p, err := lab.ParseMap(fakeInfo(), map[string]string{"tag": client, "variants": "v1"})
	if err != nil {
		t.Fatalf("ParseMap: got error %v, want none", err)
	}
	return m.SubmitAnonymous(context.Background(), "fake", p, client)
}

func TestManagerClientShare(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1, MaxQueue: 10, PerClient: 3, Reserve: 4})
	var runs []Run
	for range 3 { // one runs, two wait
		r, err := submitFrom(t, m, "a")
		if err != nil {
			t.Fatalf("run within a's share: got error %v, want none", err)
		}
		runs = append(runs, r)
	}
	c := g.expect(t, "a")
	if _, err := submitFrom(t, m, "a"); !errors.Is(err, ErrClientShare) {
		t.Fatalf("a's fourth run: got %v, want ErrClientShare", err)
	}
	// Others fill the anonymous part of the queue: 10 - 4 = 6 places, two
	// of them a's.
	for i := range 4 {
		if _, err := submitFrom(t, m, string(rune('b'+i))); err != nil {
			t.Fatalf("client %c: got error %v, want none", 'b'+i, err)
		}
	}
	if _, err := submitFrom(t, m, "z"); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("an anonymous run past the anonymous share: got %v, want ErrQueueFull", err)
	}
	// A workshop's runs still find room: the reserve is theirs.
	for i := range 4 {
		submit(t, m, "session"+string(rune('0'+i)))
	}
	if _, err := m.Submit(context.Background(), "fake", mustParams(t)); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("a workshop run past the whole queue: got %v, want ErrQueueFull", err)
	}
	// A finished run gives its client a place back.
	c.reply <- reply{trial: lab.Trial{Elapsed: time.Millisecond}}
	finished(t, m, runs[0].ID)
	m.Shutdown(context.Background()) // the rest are interrupted
}

func mustParams(t *testing.T) lab.Params {
	t.Helper()
	p, err := lab.ParseMap(fakeInfo(), map[string]string{"variants": "v1"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManagerRetryAfter(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	if got := m.RetryAfter(); got != 10*time.Second {
		t.Errorf("with nothing known: got %s, want 10s", got)
	}
	r := submit(t, m, "A")
	g.expect(t, "A").reply <- reply{trial: lab.Trial{Elapsed: time.Millisecond}}
	finished(t, m, r.ID)
	submit(t, m, "B")
	c := g.expect(t, "B")
	if got := m.RetryAfter(); got != time.Second {
		t.Errorf("a quick experiment running: got %s, want the 1s floor", got)
	}
	c.reply <- reply{}
}
