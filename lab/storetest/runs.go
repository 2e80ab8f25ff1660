package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"concurrencylab/lab"
	"concurrencylab/lab/event"
	"concurrencylab/lab/runs"
)

func testRoundTrip(t *testing.T, b Backend) {
	s := open(t, b, b.New(t))
	ctx := t.Context()
	r := FullRun("abc234", runs.StatusDone)
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	es := Events(Span(0, 10)...)
	if err := s.SaveEvents(ctx, r.ID, es); err != nil {
		t.Fatal(err)
	}
	CheckRun(t, s, r)
	CheckLoadEvents(t, s, r.ID, es)

	// SaveRun replaces: the same id with new contents.
	r.Status, r.Error, r.Result = runs.StatusFailed, "boom", nil
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	CheckRun(t, s, r)
	if n, err := s.Interrupt(ctx); err != nil || n != 0 {
		t.Errorf("Interrupt with one failed run: got %d, %v, want 0, nil (the replaced status column must say failed)", n, err)
	}
}

func testSaveEventsIdempotent(t *testing.T, b Backend) {
	tests := []struct {
		name    string
		batches [][]int64
		want    []int64
	}{
		{"same twice", [][]int64{Span(0, 5), Span(0, 5)}, Span(0, 5)},
		{"overlapping", [][]int64{Span(0, 5), Span(3, 9)}, Span(0, 9)},
		{"out of order", [][]int64{{4, 2, 3}, {0, 1, 2}}, Span(0, 5)},
		{"empty batch", [][]int64{Span(0, 2), nil}, Span(0, 2)},
	}
	s := open(t, b, b.New(t))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("run%d", i)
			if err := s.SaveRun(t.Context(), FullRun(id, runs.StatusRunning)); err != nil {
				t.Fatal(err)
			}
			for _, batch := range tt.batches {
				if err := s.SaveEvents(t.Context(), id, Events(batch...)); err != nil {
					t.Fatal(err)
				}
			}
			CheckLoadEvents(t, s, id, Events(tt.want...))
		})
	}

	t.Run("stored seq left alone", func(t *testing.T) {
		ctx := t.Context()
		if err := s.SaveRun(ctx, FullRun("keep", runs.StatusRunning)); err != nil {
			t.Fatal(err)
		}
		first := runs.Event{Seq: 0, Type: event.TypeLog, Key: "", Data: json.RawMessage(`{"seq":0,"msg":"first"}`)}
		again := runs.Event{Seq: 0, Type: event.TypeError, Key: "x", Data: json.RawMessage(`{"seq":0,"msg":"again"}`)}
		for _, e := range []runs.Event{first, again} {
			if err := s.SaveEvents(ctx, "keep", []runs.Event{e}); err != nil {
				t.Fatal(err)
			}
		}
		CheckLoadEvents(t, s, "keep", []runs.Event{first})
	})
}

func testSaveEventsUnknownRun(t *testing.T, b Backend) {
	s := open(t, b, b.New(t))
	if err := s.SaveEvents(t.Context(), "nosuchrun", Events(0)); err == nil {
		t.Errorf("SaveEvents of an unsaved run: got nil error, want a foreign key error")
	}
}

func testRestart(t *testing.T, b Backend) {
	place := b.New(t)
	ctx := t.Context()
	r := FullRun("restart", runs.StatusDone)
	es := Events(Span(0, 20)...)

	s := openOnce(t, b, place)
	if err := s.SaveRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvents(ctx, r.ID, es); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, b, s, place)
	CheckRun(t, s, r)
	CheckLoadEvents(t, s, r.ID, es)
}

func testInterrupt(t *testing.T, b Backend) {
	place := b.New(t)
	ctx := t.Context()
	before := []runs.Run{
		FullRun("queued", runs.StatusQueued),
		FullRun("running", runs.StatusRunning),
		FullRun("failing", runs.StatusRunning), // keeps its own error
		FullRun("done", runs.StatusDone),
		FullRun("failed", runs.StatusFailed),
		FullRun("cancelled", runs.StatusCancelled),
	}
	before[0].Result, before[0].Started, before[0].Finished = nil, nil, nil
	before[2].Error = "worker panicked"
	before[4].Error = "boom"

	s := openOnce(t, b, place)
	for _, r := range before {
		if err := s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Interrupt(ctx)
	if err != nil {
		t.Fatalf("Interrupt: %v", err)
	}
	if n != 3 {
		t.Errorf("Interrupt: got %d, want 3", n)
	}
	want := make(map[string]runs.Run)
	for _, r := range before {
		if !r.Status.Final() {
			r.Status = runs.StatusInterrupted
			if r.Error == "" {
				r.Error = "the server stopped during the run"
			}
		}
		want[r.ID] = r
	}
	for _, r := range before {
		CheckRun(t, s, want[r.ID])
	}
	s = reopen(t, b, s, place)
	for _, r := range before {
		CheckRun(t, s, want[r.ID])
	}
	if n, err := s.Interrupt(ctx); err != nil || n != 0 {
		t.Errorf("Interrupt after reopen: got %d, %v, want 0, nil", n, err)
	}
}

func testLoadRunNotFound(t *testing.T, b Backend) {
	s := open(t, b, b.New(t))
	_, err := s.LoadRun(t.Context(), "nosuchrun")
	if !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("LoadRun of an unknown id: got error %v, want lab.ErrNotFound", err)
	}
	es, err := s.LoadEvents(t.Context(), "nosuchrun")
	if err != nil || len(es) != 0 {
		t.Errorf("LoadEvents of an unknown id: got %d events, %v, want 0, nil", len(es), err)
	}
}

func testConcurrent(t *testing.T, b Backend) {
	const goroutines, perGoroutine, nevents = 8, 20, 12
	s := open(t, b, b.New(t))
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				r := FullRun(fmt.Sprintf("g%dr%d", g, i), runs.StatusRunning)
				if err := s.SaveRun(ctx, r); err != nil {
					t.Errorf("SaveRun(%s): %v", r.ID, err)
					return
				}
				// Two overlapping batches, as a live run flushes them.
				if err := s.SaveEvents(ctx, r.ID, Events(Span(0, nevents/2+2)...)); err != nil {
					t.Errorf("SaveEvents(%s): %v", r.ID, err)
					return
				}
				if err := s.SaveEvents(ctx, r.ID, Events(Span(nevents/2, nevents)...)); err != nil {
					t.Errorf("SaveEvents(%s): %v", r.ID, err)
					return
				}
				r.Status = runs.StatusDone
				if err := s.SaveRun(ctx, r); err != nil {
					t.Errorf("SaveRun(%s): %v", r.ID, err)
					return
				}
				if _, err := s.LoadRun(ctx, r.ID); err != nil {
					t.Errorf("LoadRun(%s): %v", r.ID, err)
				}
				if _, err := s.LoadEvents(ctx, r.ID); err != nil {
					t.Errorf("LoadEvents(%s): %v", r.ID, err)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for g := range goroutines {
		for i := range perGoroutine {
			id := fmt.Sprintf("g%dr%d", g, i)
			r, err := s.LoadRun(ctx, id)
			if err != nil {
				t.Fatalf("LoadRun(%s): %v", id, err)
			}
			if r.Status != runs.StatusDone {
				t.Errorf("run %s: got status %q, want %q", id, r.Status, runs.StatusDone)
			}
			CheckLoadEvents(t, s, id, Events(Span(0, nevents)...))
		}
	}
}
