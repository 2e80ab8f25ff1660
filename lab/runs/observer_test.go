package runs

import (
	"context"
	"sync"
	"testing"
	"time"
)

// observed records what an Observer hears.
type observed struct {
	mu       sync.Mutex // guards the fields below
	started  int
	finished map[Status]int
	ran      []time.Duration
}

func (o *observed) RunStarted(time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started++
}

func (o *observed) RunFinished(s Status, ran time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[s]++
	o.ran = append(o.ran, ran)
}

// The observer hears each run start once and end once, with its final
// status; a run cancelled in the queue never started and never ran.
func TestObserver(t *testing.T) {
	o := &observed{finished: make(map[Status]int)}
	m, _, g := gated(t, Config{Observer: o})
	a := submit(t, m, "A")
	b := submit(t, m, "B") // queued behind A
	c := g.expect(t, "A")
	if err := m.Cancel(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // A runs a moment
	c.reply <- reply{}               // A's one trial
	finished(t, m, a.ID)
	stored(t, m, a.ID)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.started != 1 {
		t.Errorf("got %d starts, want 1", o.started)
	}
	if o.finished[StatusDone] != 1 || o.finished[StatusCancelled] != 1 || len(o.ran) != 2 {
		t.Errorf("got finishes %v, want one done and one cancelled", o.finished)
	}
	var zero, positive int
	for _, d := range o.ran {
		if d == 0 {
			zero++
		} else if d > 0 {
			positive++
		}
	}
	if zero != 1 || positive != 1 {
		t.Errorf("got run times %v, want one zero (never ran) and one positive", o.ran)
	}
}
