package runs

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeExp is an experiment whose Trial the test supplies.
type fakeExp struct {
	info  lab.Info
	trial func(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error)
}

func (f *fakeExp) Info() lab.Info { return f.info }

func (f *fakeExp) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	return f.trial(ctx, variant, p, em)
}

// verdictExp is a fakeExp that writes its own verdict.
type verdictExp struct{ *fakeExp }

func (verdictExp) Judge(r *lab.Result, p lab.Params, env lab.Env) (string, string) {
	return fmt.Sprintf("%d variants, repeat %d, in flight %d", len(r.Variants), p.Repeat(), env.InFlight), ""
}

func fakeInfo() lab.Info {
	return lab.Info{
		ID:     "fake",
		Params: []lab.Param{{Name: "tag", Label: "Tag", Kind: lab.KindText}},
		Variants: []lab.Variant{
			{Name: "v1"},
			{Name: "v2", Baseline: true},
		},
		Repeat: 1,
	}
}

// A call is one Trial waiting for the test to answer it.
type call struct {
	tag, variant string
	reply        chan reply // buffered: answering never blocks the test
}

type reply struct {
	trial lab.Trial
	err   error
}

// gate makes Trials wait for the test: each announces itself on calls and
// returns what the test replies, or ctx.Err() once ctx is done.
type gate struct {
	calls chan call

	mu   sync.Mutex
	tags []string // every Trial call, in order
}

func newGate() *gate { return &gate{calls: make(chan call)} }

func (g *gate) trial(ctx context.Context, variant string, p lab.Params, _ lab.Emitter) (lab.Trial, error) {
	c := call{tag: p.String("tag"), variant: variant, reply: make(chan reply, 1)}
	g.mu.Lock()
	g.tags = append(g.tags, c.tag)
	g.mu.Unlock()
	select {
	case g.calls <- c:
	case <-ctx.Done():
		return lab.Trial{}, ctx.Err()
	}
	select {
	case r := <-c.reply:
		return r.trial, r.err
	case <-ctx.Done():
		return lab.Trial{}, ctx.Err()
	}
}

// next returns the next Trial call.
func (g *gate) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-g.calls:
		return c
	case <-time.After(waitTimeout):
		t.Fatalf("no trial started within %s", waitTimeout)
		return call{}
	}
}

// expect returns the next Trial call and checks it is of run tag.
func (g *gate) expect(t *testing.T, tag string) call {
	t.Helper()
	c := g.next(t)
	if c.tag != tag {
		t.Fatalf("got a trial of run %q, want run %q", c.tag, tag)
	}
	return c
}

func (g *gate) called() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.tags)
}

// newTestManager returns a manager over a fresh MemStore that is shut down
// when the test ends.
func newTestManager(t *testing.T, cfg Config, exps ...lab.Experiment) (*Manager, *MemStore) {
	t.Helper()
	store := NewMemStore()
	m, err := NewManager(context.Background(), slog.New(slog.DiscardHandler), store, cfg, exps)
	if err != nil {
		t.Fatalf("NewManager: got error %v, want none", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: got error %v, want none", err)
		}
	})
	return m, store
}

// gated returns a manager whose one experiment, "fake", waits on a gate.
func gated(t *testing.T, cfg Config) (*Manager, *MemStore, *gate) {
	g := newGate()
	m, store := newTestManager(t, cfg, &fakeExp{info: fakeInfo(), trial: g.trial})
	return m, store, g
}

// submit submits a run of "fake" tagged tag, with extra parameters.
func submit(t *testing.T, m *Manager, tag string, extra ...string) Run {
	t.Helper()
	raw := map[string]string{"tag": tag, "variants": "v1"}
	for i := 0; i+1 < len(extra); i += 2 {
		raw[extra[i]] = extra[i+1]
	}
	exp, err := m.Experiment("fake")
	if err != nil {
		t.Fatalf("Experiment(fake): got error %v, want none", err)
	}
	p, err := lab.ParseMap(exp.Info(), raw)
	if err != nil {
		t.Fatalf("ParseMap(%v): got error %v, want none", raw, err)
	}
	r, err := m.Submit(context.Background(), "fake", p)
	if err != nil {
		t.Fatalf("Submit(%s): got error %v, want none", tag, err)
	}
	return r
}

func events(t *testing.T, m *Manager, id string) *EventLog {
	t.Helper()
	l, err := m.Events(context.Background(), id)
	if err != nil {
		t.Fatalf("Events(%s): got error %v, want none", id, err)
	}
	return l
}

func get(t *testing.T, m *Manager, id string) Run {
	t.Helper()
	r, err := m.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): got error %v, want none", id, err)
	}
	return r
}

// finished waits for run id's stream to end and returns its events.
func finished(t *testing.T, m *Manager, id string) []Event {
	t.Helper()
	return readAll(t, events(t, m, id))
}

// stored waits until run id has left memory for the store.
func stored(t *testing.T, m *Manager, id string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		m.mu.Lock()
		_, live := m.live[id]
		m.mu.Unlock()
		if !live {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still live after %s, want it stored", id, waitTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// statuses returns the status events of a log: the state, with the queue
// position for queued ones ("queued 2").
func statuses(t *testing.T, evs []Event) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		if e.Type != event.TypeStatus {
			continue
		}
		f := fields(t, e)
		s := fmt.Sprint(f["state"])
		if pos, ok := f["position"]; ok {
			s += fmt.Sprint(" ", pos)
		}
		out = append(out, s)
	}
	return out
}

// compact drops repeats in a row: a queue position may be announced again.
func compact(ss []string) []string { return slices.Compact(slices.Clone(ss)) }

func errorMessages(t *testing.T, evs []Event) []string {
	t.Helper()
	var out []string
	for _, f := range eventsOf(t, evs, event.TypeError, "") {
		out = append(out, fmt.Sprint(f["message"]))
	}
	return out
}

func TestManagerRunsInOrderWithPositions(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	a := submit(t, m, "A")
	b := submit(t, m, "B")
	c := submit(t, m, "C")
	// Submit starts a run at once when there is room.
	for _, x := range []struct {
		r    Run
		want Status
	}{{a, StatusRunning}, {b, StatusQueued}, {c, StatusQueued}} {
		if x.r.Status != x.want {
			t.Errorf("run %s: got Submit status %q, want %q", x.r.Params["tag"], x.r.Status, x.want)
		}
	}

	ca := g.expect(t, "A")
	if running, waiting := m.Queue(); running != 1 || waiting != 2 {
		t.Errorf("got Queue %d running, %d waiting, want 1, 2", running, waiting)
	}
	tests := []struct {
		name string
		id   string
		want []string
	}{
		{name: "A started", id: a.ID, want: []string{"queued 1", "running"}},
		{name: "B is next", id: b.ID, want: []string{"queued 1"}},
		{name: "C waits behind B", id: c.ID, want: []string{"queued 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := compact(statuses(t, events(t, m, tc.id).Events(0))); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got statuses %v, want %v", got, tc.want)
			}
		})
	}

	ca.reply <- reply{}
	cb := g.expect(t, "B")
	if got, want := compact(statuses(t, events(t, m, c.ID).Events(0))), []string{"queued 2", "queued 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("C after A finished: got statuses %v, want %v", got, want)
	}
	cb.reply <- reply{}
	g.expect(t, "C").reply <- reply{}

	for _, r := range []Run{a, b, c} {
		evs := finished(t, m, r.ID)
		if got := statuses(t, evs); got[len(got)-1] != "done" {
			t.Errorf("run %s: got statuses %v, want done last", r.ID, got)
		}
	}
	if got, want := g.called(), []string{"A", "B", "C"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got trials of %v, want %v", got, want)
	}
}

func TestManagerNotFound(t *testing.T) {
	m, _, _ := gated(t, Config{})
	tests := []struct {
		name string
		call func() error
	}{
		{name: "Get", call: func() error { _, err := m.Get(context.Background(), "nosuchrun"); return err }},
		{name: "Events", call: func() error { _, err := m.Events(context.Background(), "nosuchrun"); return err }},
		{name: "Experiment", call: func() error { _, err := m.Experiment("nope"); return err }},
		{name: "Submit", call: func() error { _, err := m.Submit(context.Background(), "nope", lab.Params{}); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, lab.ErrNotFound) {
				t.Errorf("got %v, want lab.ErrNotFound", err)
			}
		})
	}
}

func TestManagerConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want Config
	}{
		{name: "zero", cfg: Config{}, want: Config{Parallel: 1, Timeout: 2 * time.Minute, MaxQueue: 100, PerClient: 10, Reserve: 25, SaveEvery: 2 * time.Second}},
		{name: "negative", cfg: Config{Parallel: -1, Timeout: -1, MaxQueue: -1}, want: Config{Parallel: 1, Timeout: 2 * time.Minute, MaxQueue: 100, PerClient: 10, Reserve: 25, SaveEvery: 2 * time.Second}},
		{name: "set", cfg: Config{Parallel: 3, Timeout: time.Second, MaxQueue: 7, SaveEvery: time.Second}, want: Config{Parallel: 3, Timeout: time.Second, MaxQueue: 7, PerClient: 10, Reserve: 1, SaveEvery: time.Second}},
		{name: "slots", cfg: Config{Slots: [][]int{{0}, {1}}, Parallel: 5}, want: Config{Slots: [][]int{{0}, {1}}, Parallel: 2, Timeout: 2 * time.Minute, MaxQueue: 100, PerClient: 10, Reserve: 25, SaveEvery: 2 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _, _ := gated(t, tc.cfg)
			got := m.Config()
			if got.Runner == nil {
				t.Error("got no runner, want the in-process one")
			}
			got.Runner = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if got := len(m.Experiments()); got != 1 {
				t.Errorf("got %d experiments, want 1", got)
			}
		})
	}
}

func TestManagerDeadline(t *testing.T) {
	exp := &fakeExp{info: fakeInfo(), trial: func(ctx context.Context, _ string, _ lab.Params, _ lab.Emitter) (lab.Trial, error) {
		<-ctx.Done()
		return lab.Trial{}, ctx.Err()
	}}
	m, store := newTestManager(t, Config{Timeout: 50 * time.Millisecond}, exp)
	r := submit(t, m, "A")
	evs := finished(t, m, r.ID)
	if got := statuses(t, evs); got[len(got)-1] != "failed" {
		t.Errorf("got statuses %v, want failed last", got)
	}
	msgs := errorMessages(t, evs)
	if len(msgs) != 1 || !strings.Contains(msgs[0], "50ms time limit") {
		t.Errorf("got error events %v, want one mentioning the 50ms time limit", msgs)
	}
	stored(t, m, r.ID)
	sr, err := store.LoadRun(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("LoadRun: got error %v, want none", err)
	}
	if sr.Status != StatusFailed || !strings.Contains(sr.Error, "time limit") {
		t.Errorf("stored: got status %q, error %q, want failed and the time limit", sr.Status, sr.Error)
	}
}

func TestManagerParallel(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 2})
	a := submit(t, m, "A")
	b := submit(t, m, "B")
	// Both run at once: each Trial is waiting before either is answered.
	first, second := g.next(t), g.next(t)
	if got := []string{first.tag, second.tag}; !slices.Contains(got, "A") || !slices.Contains(got, "B") {
		t.Fatalf("got trials of %v running at once, want A and B", got)
	}
	if running, waiting := m.Queue(); running != 2 || waiting != 0 {
		t.Errorf("got Queue %d running, %d waiting, want 2, 0", running, waiting)
	}
	c := submit(t, m, "C")
	if running, waiting := m.Queue(); running != 2 || waiting != 1 {
		t.Errorf("got Queue %d running, %d waiting, want 2, 1", running, waiting)
	}
	for _, id := range []string{a.ID, b.ID} {
		if got := get(t, m, id).Env.InFlight; got != 2 {
			t.Errorf("run %s: got InFlight %d, want 2", id, got)
		}
	}
	first.reply <- reply{}
	third := g.next(t)
	if third.tag != "C" {
		t.Fatalf("got a trial of run %q, want C", third.tag)
	}
	second.reply <- reply{}
	third.reply <- reply{}
	for _, id := range []string{a.ID, b.ID, c.ID} {
		finished(t, m, id)
		stored(t, m, id)
		if got := get(t, m, id); got.Status != StatusDone || got.Env.InFlight != 2 {
			t.Errorf("run %s: got status %q, InFlight %d, want done, 2", id, got.Status, got.Env.InFlight)
		}
	}
}

func TestManagerInFlightAlone(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 2})
	a := submit(t, m, "A")
	g.expect(t, "A").reply <- reply{}
	finished(t, m, a.ID)
	if got := get(t, m, a.ID).Env.InFlight; got != 1 {
		t.Errorf("got InFlight %d, want 1", got)
	}
}

func TestManagerTrialError(t *testing.T) {
	m, _, g := gated(t, Config{})
	r := submit(t, m, "A", "repeat", "3")
	g.expect(t, "A").reply <- reply{}
	g.expect(t, "A").reply <- reply{err: errors.New("boom")}
	evs := finished(t, m, r.ID)
	const want = "v1, trial 2: boom"
	if got := errorMessages(t, evs); !reflect.DeepEqual(got, []string{want}) {
		t.Errorf("got error events %v, want [%s]", got, want)
	}
	if got := statuses(t, evs); got[len(got)-1] != "failed" {
		t.Errorf("got statuses %v, want failed last", got)
	}
	if got := eventsOf(t, evs, event.TypeResult, ""); len(got) != 0 {
		t.Errorf("got %d result events, want none", len(got))
	}
	got := get(t, m, r.ID)
	if got.Status != StatusFailed || got.Error != want || got.Result != nil {
		t.Errorf("got status %q, error %q, result %v, want failed, %q, nil", got.Status, got.Error, got.Result, want)
	}
	if n := len(g.called()); n != 2 {
		t.Errorf("got %d trials, want 2 (none after the error)", n)
	}
}

func TestManagerGetAndReplay(t *testing.T) {
	m, store, g := gated(t, Config{})
	r := submit(t, m, "A")
	if r.Params["tag"] != "A" || r.Params["variants"] != "v1" || r.Params["repeat"] != 1 {
		t.Errorf("got params %v, want tag A, variants v1, repeat 1", r.Params)
	}
	if r.Experiment != "fake" || !ValidID(r.ID) || r.Created.IsZero() {
		t.Errorf("got run %+v, want experiment fake, a valid id, a creation time", r)
	}
	c := g.expect(t, "A")

	live := get(t, m, r.ID)
	if live.Status != StatusRunning || live.Started == nil || live.Finished != nil {
		t.Errorf("live: got status %q, started %v, finished %v, want running, set, nil", live.Status, live.Started, live.Finished)
	}
	// A reader attached while it runs sees the same stream as one after.
	liveLog := events(t, m, r.ID)
	c.reply <- reply{}
	liveEvents := readAll(t, liveLog)
	stored(t, m, r.ID)

	after := get(t, m, r.ID)
	fromStore, err := store.LoadRun(context.Background(), r.ID)
	if err != nil {
		t.Fatalf("LoadRun: got error %v, want none", err)
	}
	if !reflect.DeepEqual(after, fromStore) {
		t.Errorf("got Get %+v, want the stored run %+v", after, fromStore)
	}
	if after.Status != StatusDone || after.Finished == nil || after.Result == nil || after.Created != r.Created || after.ID != r.ID {
		t.Errorf("after: got %+v, want done, finished, with a result and the same id and creation time", after)
	}

	replayed := readAll(t, events(t, m, r.ID))
	if !reflect.DeepEqual(replayed, liveEvents) {
		t.Errorf("got replayed events\n%s\nwant the live ones\n%s", dump(replayed), dump(liveEvents))
	}
	// A late reader of a finished run can start anywhere.
	l := events(t, m, r.ID)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if evs, ok := l.Next(ctx, len(liveEvents)-1); !ok || len(evs) != 1 || evs[0].Seq != int64(len(liveEvents)-1) {
		t.Errorf("got %v, ok %v from the last index, want the last event", evs, ok)
	}
	if evs, ok := l.Next(ctx, len(liveEvents)); ok || evs != nil {
		t.Errorf("got %v, ok %v past the end, want none, ok false", evs, ok)
	}
}

func dump(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s\n", e.Data)
	}
	return b.String()
}

func TestManagerQueueFull(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1, MaxQueue: 2})
	a := submit(t, m, "A") // runs
	b := submit(t, m, "B") // waits
	c := submit(t, m, "C") // waits
	ca := g.expect(t, "A")
	p, err := lab.ParseMap(fakeInfo(), map[string]string{"tag": "D"})
	if err != nil {
		t.Fatalf("ParseMap: got error %v, want none", err)
	}
	if _, err := m.Submit(context.Background(), "fake", p); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Submit beyond MaxQueue: got %v, want ErrQueueFull", err)
	}
	ca.reply <- reply{}
	cb := g.expect(t, "B")
	d := submit(t, m, "D") // room again
	cb.reply <- reply{}
	g.expect(t, "C").reply <- reply{}
	g.expect(t, "D").reply <- reply{}
	for _, r := range []Run{a, b, c, d} {
		finished(t, m, r.ID)
	}
}

func TestMemStoreSaveEvents(t *testing.T) {
	l := NewEventLog()
	for i := range 4 {
		l.Append(event.Log{Text: fmt.Sprint(i)})
	}
	all := l.Events(0)
	tests := []struct {
		name    string
		batches [][]Event
		want    []Event
	}{
		{name: "in one go", batches: [][]Event{all}, want: all},
		{name: "in parts", batches: [][]Event{all[:2], all[2:]}, want: all},
		{name: "overlapping", batches: [][]Event{all[:3], all[1:]}, want: all},
		{name: "with a gap the rest waits", batches: [][]Event{all[:1], all[2:]}, want: all[:1]},
		{name: "none", batches: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewMemStore()
			for _, b := range tc.batches {
				if err := s.SaveEvents(context.Background(), "r", b); err != nil {
					t.Fatalf("SaveEvents: got error %v, want none", err)
				}
			}
			got, err := s.LoadEvents(context.Background(), "r")
			if err != nil {
				t.Fatalf("LoadEvents: got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %d events, want %d", len(got), len(tc.want))
			}
		})
	}
}
