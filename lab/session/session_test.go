package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitTimeout = 10 * time.Second

// counter is a quick experiment: each trial counts to n, after a pause
// that a test can hold open with the gate.
type counter struct{ gate chan struct{} }

func (counter) Info() lab.Info {
	return lab.Info{
		ID: "counter", Title: "Counter", Summary: "counts",
		Params:   []lab.Param{{Name: "n", Label: "N", Kind: lab.KindInt, Default: "10", Min: 1, Max: 1000}},
		Variants: []lab.Variant{{Name: "one", Baseline: true}, {Name: "lossy"}},
		Repeat:   1,
	}
}

func (c counter) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return lab.Trial{}, ctx.Err()
		}
	}
	n := int64(p.Int("n"))
	got := n
	if variant == "lossy" {
		got = n - 3
	}
	return lab.Trial{Expected: lab.Int64(n), Got: lab.Int64(got)}, nil
}

type fixture struct {
	svc   *Service
	runs  *runs.Manager
	store Store
	gate  chan struct{}
}

func newFixture(t *testing.T, store Store) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gate := make(chan struct{})
	m, err := runs.NewManager(context.Background(), log, runs.NewMemStore(), runs.Config{}, []lab.Experiment{counter{gate}})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(log, store, m)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		m.Shutdown(ctx)
		svc.Close()
	})
	return &fixture{svc: svc, runs: m, store: store, gate: gate}
}

// open lets every trial of the fixture's runs finish.
func (f *fixture) open() { close(f.gate) }

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if len(c) != CodeLen || strings.ContainsAny(c, "01OIL") {
			t.Fatalf("NewCode: got %q, want %d characters from %s", c, CodeLen, CodeAlphabet)
		}
		if got, ok := NormalizeCode(strings.ToLower(c)); !ok || got != c {
			t.Fatalf("NormalizeCode(%q): got %q %v, want %q", strings.ToLower(c), got, ok, c)
		}
		seen[c] = true
	}
	if len(seen) < 1990 {
		t.Errorf("2000 codes gave only %d distinct ones", len(seen))
	}
	for _, bad := range []string{"", "ABCDE", "ABCDEFG", "ABCDE0", "ABCDEI", "ABC DE", "ÄBCDEF"} {
		if _, ok := NormalizeCode(bad); ok {
			t.Errorf("NormalizeCode(%q): got ok, want refused", bad)
		}
	}
	key := NewKey()
	if len(key) != 43 || strings.ContainsAny(key, "+/=") {
		t.Errorf("NewKey: got %q, want 43 base64url characters", key)
	}
	if !secretMatches(key, hashSecret(key)) || secretMatches(key+"x", hashSecret(key)) || secretMatches("", "") {
		t.Errorf("secretMatches does not tell keys apart")
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"plain", "Ada", "Ada", ""},
		{"spaces folded", "  Ada \t Lovelace ", "Ada Lovelace", ""},
		{"markup kept, pages escape it", "<b>Bo</b>", "<b>Bo</b>", ""},
		{"emoji", "🦫 gopher", "🦫 gopher", ""},
		{"empty", "   ", "", "type a name"},
		{"too long", strings.Repeat("x", MaxNameLen+1), "", "at most 40"},
		{"control", "a\x00b", "", "invisible"},
		{"bidi override", "abc\u202edef", "", "invisible"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckName(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadName) {
					t.Fatalf("got %q %v, want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			}
		})
	}
}

// next reads the next event of sub, failing after waitTimeout.
func next(t *testing.T, sub *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-sub.C():
		if !ok {
			t.Fatalf("subscription closed: %v", sub.Err())
		}
		return e
	case <-time.After(waitTimeout):
		t.Fatal("no event")
	}
	return Event{}
}

// nextOf skips events until one of type typ.
func nextOf(t *testing.T, sub *Subscription, typ string) Event {
	t.Helper()
	for {
		if e := next(t, sub); e.Type == typ {
			return e
		}
	}
}

func TestWrongKeyChangesNothing(t *testing.T) {
	f := newFixture(t, NewMemStore())
	ctx := t.Context()
	c, err := f.svc.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := f.svc.View(ctx, c.Code)
	for _, key := range []string{"", "nope", c.Key + "x", strings.ToUpper(c.Key)} {
		if _, err := f.svc.Push(ctx, c.Code, key, "counter", nil, true); !errors.Is(err, ErrForbidden) {
			t.Errorf("Push with key %q: got %v, want ErrForbidden", key, err)
		}
		if _, err := f.svc.RoomRun(ctx, c.Code, key); !errors.Is(err, ErrForbidden) {
			t.Errorf("RoomRun with key %q: got %v, want ErrForbidden", key, err)
		}
		if _, err := f.svc.Ask(ctx, c.Code, key, true); !errors.Is(err, ErrForbidden) {
			t.Errorf("Ask: got %v, want ErrForbidden", err)
		}
		if _, err := f.svc.Predict(ctx, c.Code, key, QuestionCount, ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("Predict: got %v, want ErrForbidden", err)
		}
	}
	after, _ := f.svc.View(ctx, c.Code)
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Errorf("wrong keys changed the session:\nbefore %s\nafter  %s", b, a)
	}
	if strings.Contains(string(a), c.Key) {
		t.Errorf("the public view holds the key")
	}
	if _, err := f.svc.View(ctx, "ZZZZZZ"); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("View of an unknown code: got %v, want ErrNotFound", err)
	}
}

func TestSessionFlow(t *testing.T) {
	store := NewMemStore()
	f := newFixture(t, store)
	ctx := t.Context()
	c, err := f.svc.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub, view, err := f.svc.Subscribe(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if view.Code != c.Code || view.Push != nil || len(view.Learners) != 0 {
		t.Fatalf("new session view: got %+v", view)
	}

	// Two learners with the same name stay apart.
	ann, annToken, err := f.svc.Join(ctx, strings.ToLower(c.Code), "Ann")
	if err != nil {
		t.Fatal(err)
	}
	ann2, _, err := f.svc.Join(ctx, c.Code, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if ann.ID == ann2.ID || ann.Label != "Ann" || ann2.Label != "ann (2)" {
		t.Errorf("same names: got %+v and %+v, want distinct ids and labels Ann, ann (2)", ann, ann2)
	}
	if e := next(t, sub); e.Type != EventLearner || e.Learner.ID != ann.ID {
		t.Errorf("first event: got %+v, want Ann joining", e)
	}
	f.svc.Connect(ctx, c.Code, ann.ID)
	f.svc.Connect(ctx, c.Code, ann.ID) // a second tab
	f.svc.Disconnect(ctx, c.Code, ann.ID)
	if v, _ := f.svc.View(ctx, c.Code); v.Connected != 1 {
		t.Errorf("connected: got %d, want 1 (Ann, with one tab left)", v.Connected)
	}

	// Nothing to run before a push.
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil); !errors.Is(err, ErrNoPush) {
		t.Errorf("run before a push: got %v, want ErrNoPush", err)
	}
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", json.RawMessage(`{"n": 5000}`), true); err == nil || !strings.Contains(err.Error(), "n must be") {
		t.Errorf("push with a bad parameter: got %v, want the bound named", err)
	}
	push, err := f.svc.Push(ctx, c.Code, c.Key, "counter", json.RawMessage(`{"n": 50}`), true)
	if err != nil {
		t.Fatal(err)
	}
	if push.Round != 1 || push.Params["n"] != "50" || !push.Lock || !strings.HasPrefix(push.URL, "/experiments/counter?n=50") {
		t.Errorf("push: got %+v", push)
	}
	if e := nextOf(t, sub, EventPush); e.Push.Round != 1 {
		t.Errorf("push event: got %+v", e.Push)
	}

	// Locked: other values are refused, the pushed ones run.
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, json.RawMessage(`{"n": 7}`)); !errors.Is(err, ErrLocked) {
		t.Errorf("run with other values while locked: got %v, want ErrLocked", err)
	}
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, "wrong", nil); !errors.Is(err, ErrLearner) {
		t.Errorf("run with a wrong token: got %v, want ErrLearner", err)
	}
	run, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, json.RawMessage(`{"n": 50}`))
	if err != nil {
		t.Fatal(err)
	}
	if e := nextOf(t, sub, EventEntry); e.Entry.Run != run.ID || e.Entry.Learner != ann.ID || e.Entry.Round != 1 {
		t.Errorf("entry event: got %+v", e.Entry)
	}
	// One live run per learner.
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("second run while the first waits: got %v, want ErrBusy", err)
	}

	// A room run and a prediction while Ann's run is held at the gate.
	room, err := f.svc.RoomRun(ctx, c.Code, c.Key)
	if err != nil {
		t.Fatal(err)
	}
	if e := nextOf(t, sub, EventRun); e.Run.ID != room.ID || e.Run.Events != "/runs/"+room.ID+"/events" {
		t.Errorf("run event: got %+v", e.Run)
	}
	if err := f.svc.MayCancel(ctx, room.ID, ""); !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), c.Code) {
		t.Errorf("MayCancel the room run without the key: got %v, want ErrForbidden naming room %s", err, c.Code)
	}
	if _, err := f.svc.Predict(ctx, c.Code, c.Key, "colour", ""); !errors.Is(err, ErrBadInput) {
		t.Errorf("predict an unknown question: got %v, want ErrBadInput", err)
	}
	if _, err := f.svc.Predict(ctx, c.Code, c.Key, QuestionCount, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Guess(ctx, c.Code, ann.ID, annToken, 42); err != nil {
		t.Fatal(err)
	}
	e := nextOf(t, sub, EventPrediction)
	e = nextOf(t, sub, EventPrediction)
	if e.Prediction.Count != 1 || len(e.Prediction.Guesses) != 0 {
		t.Errorf("before reveal: got %+v, want a count of 1 and no guesses shown", e.Prediction)
	}
	p, err := f.svc.Reveal(ctx, c.Code, c.Key)
	if err != nil {
		t.Fatal(err)
	}
	if p.Open || !p.Revealed || len(p.Guesses) != 1 || p.Guesses[0].Value != 42 || p.Guesses[0].Label != "Ann" {
		t.Errorf("revealed: got %+v", p)
	}
	if err := f.svc.Guess(ctx, c.Code, ann.ID, annToken, 43); !errors.Is(err, ErrClosed) {
		t.Errorf("guess after reveal: got %v, want ErrClosed", err)
	}

	// The runs finish; the board entry gets its figures.
	f.open()
	for {
		e := nextOf(t, sub, EventEntry)
		if e.Entry.Status.Final() {
			if e.Entry.Status != runs.StatusDone || e.Entry.Figures == nil {
				t.Fatalf("finished entry: got %+v", e.Entry)
			}
			lossy := e.Entry.Figures.Variants[1]
			if lossy.Name != "lossy" || lossy.Lost == nil || *lossy.Lost != 3 {
				t.Errorf("lossy figures: got %+v, want 3 lost", lossy)
			}
			break
		}
	}
	if _, err := f.svc.Spotlight(ctx, c.Code, c.Key, "nosuchrun"); !errors.Is(err, ErrNoEntry) {
		t.Errorf("spotlight a run not on the board: got %v, want ErrNoEntry", err)
	}
	spot, err := f.svc.Spotlight(ctx, c.Code, c.Key, run.ID)
	if err != nil || spot.Label != "Ann" {
		t.Fatalf("spotlight: got %+v %v", spot, err)
	}
	// The limit is lifted once the run is done.
	waitFor(t, func() bool {
		_, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil)
		return err == nil
	})

	// A new service on the same store (a restart) has it all.
	want, _ := f.svc.View(ctx, c.Code)
	g := newFixture(t, store)
	got, err := g.svc.View(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Push.Round != 1 || len(got.Learners) != 2 || len(got.Board) != len(want.Board) || got.Spotlight.Run != run.ID ||
		got.Prediction == nil || len(got.Prediction.Guesses) != 1 || got.Connected != 0 {
		t.Errorf("after a restart: got %+v, want the same session with nobody connected", got)
	}
	if _, err := g.svc.Learner(ctx, c.Code, ann.ID, annToken); err != nil {
		t.Errorf("Ann reconnects after a restart: %v", err)
	}
	// The new round replaces the old one's room run and prediction.
	if _, err := g.svc.Push(ctx, c.Code, c.Key, "counter", nil, false); err != nil {
		t.Fatal(err)
	}
	v, _ := g.svc.View(ctx, c.Code)
	if v.Run != nil || v.Prediction != nil || v.Spotlight != nil || v.Push.Round != 2 || v.Push.Lock {
		t.Errorf("after the second push: got %+v", v)
	}
}

func TestUnlockedParams(t *testing.T) {
	f := newFixture(t, NewMemStore())
	f.open()
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	l, tok, _ := f.svc.Join(ctx, c.Code, "Bo")
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", json.RawMessage(`{"n": 20, "variants": "lossy"}`), false); err != nil {
		t.Fatal(err)
	}
	run, err := f.svc.SubmitRun(ctx, c.Code, l.ID, tok, json.RawMessage(`{"n": 30}`))
	if err != nil {
		t.Fatal(err)
	}
	// n from the learner, variants kept from the push.
	if run.Params["n"] != 30 || run.Params["variants"] != "lossy" {
		t.Errorf("params: got %v, want n 30 and the pushed variants", run.Params)
	}
	if _, err := f.svc.SubmitRun(ctx, c.Code, l.ID, tok, json.RawMessage(`{"n": 0}`)); err == nil {
		t.Errorf("a bad value: got nil error")
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	f := newFixture(t, NewMemStore())
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	slow, _, _ := f.svc.Subscribe(ctx, c.Code)
	fast, _, _ := f.svc.Subscribe(ctx, c.Code)
	defer fast.Close()
	var read atomic.Int64
	done := make(chan int)
	go func() {
		for range fast.C() {
			read.Add(1)
		}
		done <- int(read.Load())
	}()
	l, _, _ := f.svc.Join(ctx, c.Code, "Cy")
	for i := range subscriptionBuffer + 10 {
		f.svc.Connect(ctx, c.Code, l.ID)
		f.svc.Disconnect(ctx, c.Code, l.ID)
		if i%1000 == 999 { // let the fast reader catch up, however busy the machine
			want := int64(1 + 2*(i+1))
			waitFor(t, func() bool { return read.Load() == want })
		}
	}
	n := 0
	for range slow.C() {
		n++
	}
	if !errors.Is(slow.Err(), ErrSlow) || n != subscriptionBuffer {
		t.Errorf("slow subscriber: got %d events and %v, want %d and ErrSlow", n, slow.Err(), subscriptionBuffer)
	}
	fast.Close()
	fast.Close() // twice is fine
	if got := <-done; got != 1+2*(subscriptionBuffer+10) {
		t.Errorf("fast subscriber: got %d events, want every one", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
