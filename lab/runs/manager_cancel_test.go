package runs

// Cancelling runs, shutting the manager down, and runs a crash left behind.

import (
	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestManagerCancelQueued(t *testing.T) {
	m, store, g := gated(t, Config{Parallel: 1})
	a := submit(t, m, "A")
	b := submit(t, m, "B")
	c := submit(t, m, "C")
	ca := g.expect(t, "A")

	if err := m.Cancel(context.Background(), b.ID); err != nil {
		t.Fatalf("Cancel(B): got error %v, want none", err)
	}
	// C moves up while A still runs.
	if got, want := compact(statuses(t, events(t, m, c.ID).Events(0))), []string{"queued 2", "queued 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("C: got statuses %v, want %v", got, want)
	}
	bEvents := finished(t, m, b.ID)
	if got, want := compact(statuses(t, bEvents)), []string{"queued 1", "cancelled"}; !reflect.DeepEqual(got, want) {
		t.Errorf("B: got statuses %v, want %v", got, want)
	}
	if got, want := errorMessages(t, bEvents), []string{"cancelled on request"}; !reflect.DeepEqual(got, want) {
		t.Errorf("B: got errors %v, want %v", got, want)
	}
	rb, err := store.LoadRun(context.Background(), b.ID)
	if err != nil {
		t.Fatalf("LoadRun(B): got error %v, want none", err)
	}
	if rb.Status != StatusCancelled || rb.Started != nil || rb.Finished == nil || rb.Error != "cancelled on request" {
		t.Errorf("B stored: got status %q, started %v, finished %v, error %q; want cancelled, nil, set, %q",
			rb.Status, rb.Started, rb.Finished, rb.Error, "cancelled on request")
	}
	if err := m.Cancel(context.Background(), b.ID); !errors.Is(err, ErrFinished) {
		t.Errorf("Cancel(B) again: got %v, want ErrFinished", err)
	}

	ca.reply <- reply{}
	g.expect(t, "C").reply <- reply{} // B never starts: C comes next
	finished(t, m, a.ID)
	finished(t, m, c.ID)
	if got, want := g.called(), []string{"A", "C"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got trials of %v, want %v", got, want)
	}
	if got := get(t, m, c.ID).Status; got != StatusDone {
		t.Errorf("C: got status %q, want done", got)
	}
}

func TestManagerCancelQueuedConcurrently(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	submit(t, m, "A")
	b := submit(t, m, "B")
	ca := g.expect(t, "A")

	const cancels = 8
	errs := make(chan error, cancels)
	start := make(chan struct{})
	for range cancels {
		go func() {
			<-start
			errs <- m.Cancel(context.Background(), b.ID)
		}()
	}
	close(start)
	var ok, fin int
	for range cancels {
		select {
		case err := <-errs:
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrFinished):
				fin++
			default:
				t.Errorf("Cancel: got error %v, want nil or ErrFinished", err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("Cancel still blocked")
		}
	}
	if ok != 1 || fin != cancels-1 {
		t.Errorf("got %d cancels accepted and %d ErrFinished, want 1 and %d", ok, fin, cancels-1)
	}
	evs := finished(t, m, b.ID)
	if got, want := compact(statuses(t, evs)), []string{"queued 1", "cancelled"}; !reflect.DeepEqual(got, want) {
		t.Errorf("B: got statuses %v, want %v", got, want)
	}
	if got := errorMessages(t, evs); len(got) != 1 {
		t.Errorf("B: got error events %v, want exactly one", got)
	}
	ca.reply <- reply{}
}

func TestManagerCancelDuringShutdown(t *testing.T) {
	m, store, g := gated(t, Config{Parallel: 1})
	submit(t, m, "A")
	b := submit(t, m, "B")
	g.expect(t, "A") // left unanswered: Shutdown ends it

	start := make(chan struct{})
	cancelErr, shutdownErr := make(chan error, 1), make(chan error, 1)
	go func() {
		<-start
		cancelErr <- m.Cancel(context.Background(), b.ID)
	}()
	go func() {
		<-start
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		shutdownErr <- m.Shutdown(ctx)
	}()
	close(start)
	for _, ch := range []chan error{cancelErr, shutdownErr} {
		select {
		case err := <-ch:
			if err != nil && !errors.Is(err, ErrFinished) {
				t.Errorf("got error %v, want nil or ErrFinished", err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("Cancel or Shutdown still blocked")
		}
	}
	evs := finished(t, m, b.ID)
	var finals []string
	for _, s := range statuses(t, evs) {
		if Status(s).Final() && !strings.HasPrefix(s, "queued") {
			finals = append(finals, s)
		}
	}
	if len(finals) != 1 {
		t.Fatalf("B: got final statuses %v, want exactly one", finals)
	}
	r, err := store.LoadRun(context.Background(), b.ID)
	if err != nil {
		t.Fatalf("LoadRun(B): got error %v, want none", err)
	}
	if string(r.Status) != finals[0] {
		t.Errorf("B stored: got status %q, want %q as its stream says", r.Status, finals[0])
	}
	if got := g.called(); !reflect.DeepEqual(got, []string{"A"}) {
		t.Errorf("got trials of %v, want [A]", got)
	}
}

func TestManagerCancelRunning(t *testing.T) {
	m, store, g := gated(t, Config{Parallel: 1})
	a := submit(t, m, "A")
	b := submit(t, m, "B")
	g.expect(t, "A") // left unanswered: only the cancel can end it

	if got := get(t, m, a.ID); got.Status != StatusRunning || got.Started == nil {
		t.Errorf("A: got status %q, started %v, want running, set", got.Status, got.Started)
	}
	if err := m.Cancel(context.Background(), a.ID); err != nil {
		t.Fatalf("Cancel(A): got error %v, want none", err)
	}
	aEvents := finished(t, m, a.ID)
	if got, want := compact(statuses(t, aEvents)), []string{"queued 1", "running", "cancelled"}; !reflect.DeepEqual(got, want) {
		t.Errorf("A: got statuses %v, want %v", got, want)
	}
	if got, want := errorMessages(t, aEvents), []string{"cancelled on request"}; !reflect.DeepEqual(got, want) {
		t.Errorf("A: got errors %v, want %v", got, want)
	}
	if got := eventsOf(t, aEvents, event.TypeResult, ""); len(got) != 0 {
		t.Errorf("A: got %d result events, want none", len(got))
	}
	g.expect(t, "B").reply <- reply{} // the next run starts
	finished(t, m, b.ID)

	stored(t, m, a.ID)
	ra, err := store.LoadRun(context.Background(), a.ID)
	if err != nil {
		t.Fatalf("LoadRun(A): got error %v, want none", err)
	}
	if ra.Status != StatusCancelled || ra.Error != "cancelled on request" || ra.Result != nil {
		t.Errorf("A stored: got status %q, error %q, result %v; want cancelled, %q, nil", ra.Status, ra.Error, ra.Result, "cancelled on request")
	}
}

func TestManagerCancelErrors(t *testing.T) {
	m, _, g := gated(t, Config{Parallel: 1})
	a := submit(t, m, "A")
	g.expect(t, "A").reply <- reply{}
	finished(t, m, a.ID)
	stored(t, m, a.ID)

	tests := []struct {
		name string
		id   string
		want error
	}{
		{name: "finished run", id: a.ID, want: ErrFinished},
		{name: "unknown run", id: "nosuchrun", want: lab.ErrNotFound},
		{name: "empty id", id: "", want: lab.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := m.Cancel(context.Background(), tc.id); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestManagerShutdown(t *testing.T) {
	m, store, g := gated(t, Config{Parallel: 1})
	a := submit(t, m, "A")
	b := submit(t, m, "B")
	g.expect(t, "A") // left unanswered

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: got error %v, want none", err)
	}
	tests := []struct {
		name      string
		id        string
		wantError string
	}{
		{name: "running", id: a.ID, wantError: "the server stopped during the run"},
		{name: "queued", id: b.ID, wantError: "the server stopped before the run started"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := store.LoadRun(context.Background(), tc.id)
			if err != nil {
				t.Fatalf("LoadRun: got error %v, want none", err)
			}
			if r.Status != StatusInterrupted || r.Error != tc.wantError || r.Finished == nil {
				t.Errorf("got status %q, error %q, finished %v, want interrupted, %q, set", r.Status, r.Error, r.Finished, tc.wantError)
			}
			evs := readAll(t, events(t, m, tc.id))
			if got := statuses(t, evs); got[len(got)-1] != "interrupted" {
				t.Errorf("got statuses %v, want interrupted last", got)
			}
		})
	}
	if got, want := g.called(), []string{"A"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got trials of %v, want %v", got, want)
	}
	p, err := lab.ParseMap(fakeInfo(), nil)
	if err != nil {
		t.Fatalf("ParseMap: got error %v, want none", err)
	}
	if _, err := m.Submit(context.Background(), "fake", p); !errors.Is(err, ErrShuttingDown) {
		t.Errorf("Submit after Shutdown: got %v, want ErrShuttingDown", err)
	}
	if running, waiting := m.Queue(); running != 0 || waiting != 0 {
		t.Errorf("got Queue %d running, %d waiting after Shutdown, want 0, 0", running, waiting)
	}
}

func TestManagerShutdownTimeout(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	exp := &fakeExp{info: fakeInfo(), trial: func(ctx context.Context, _ string, _ lab.Params, _ lab.Emitter) (lab.Trial, error) {
		close(entered)
		<-release // ignores ctx, as a broken experiment would
		return lab.Trial{}, nil
	}}
	m, _ := newTestManager(t, Config{}, exp)
	r := submit(t, m, "A")
	select {
	case <-entered:
	case <-time.After(waitTimeout):
		t.Fatalf("no trial started within %s", waitTimeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := m.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
	close(release) // the cleanup's Shutdown then waits for the run to end
	evs := finished(t, m, r.ID)
	if got := statuses(t, evs); got[len(got)-1] != "interrupted" {
		t.Errorf("got statuses %v, want interrupted last", got)
	}
}

func TestNewManagerInterrupts(t *testing.T) {
	store := NewMemStore()
	seed := []Run{
		{ID: "queued1", Status: StatusQueued},
		{ID: "running1", Status: StatusRunning},
		{ID: "done1", Status: StatusDone},
		{ID: "failed1", Status: StatusFailed},
	}
	for _, r := range seed {
		if err := store.SaveRun(context.Background(), r); err != nil {
			t.Fatalf("SaveRun: got error %v, want none", err)
		}
	}
	m, err := NewManager(context.Background(), slog.New(slog.DiscardHandler), store, Config{}, nil)
	if err != nil {
		t.Fatalf("NewManager: got error %v, want none", err)
	}
	defer m.Shutdown(context.Background())
	tests := []struct {
		name string
		id   string
		want Status
	}{
		{name: "queued", id: "queued1", want: StatusInterrupted},
		{name: "running", id: "running1", want: StatusInterrupted},
		{name: "done stays", id: "done1", want: StatusDone},
		{name: "failed stays", id: "failed1", want: StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, m, tc.id)
			if r.Status != tc.want {
				t.Errorf("got %q, want %q", r.Status, tc.want)
			}
		})
	}
}

// failingStore fails Interrupt, as a broken database would.
type failingStore struct{ *MemStore }

func (failingStore) Interrupt(context.Context) (int, error) { return 0, errors.New("disk on fire") }

func TestNewManagerStoreError(t *testing.T) {
	_, err := NewManager(context.Background(), slog.New(slog.DiscardHandler), failingStore{NewMemStore()}, Config{}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("got %v, want an error wrapping the store's", err)
	}
}
