package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
)

func testSessionRoundTrip(t *testing.T, b Backend) {
	place := b.New(t)
	ctx := t.Context()
	s := openOnce(t, b, place)
	created := time.Date(2025, 5, 6, 7, 8, 9, 123456000, time.UTC)
	rec := session.Record{ID: "sess1", Code: "ABC234", KeyHash: "hash", Created: created}
	if err := s.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, session.Record{ID: "sess2", Code: "ABC234", Created: created}); !errors.Is(err, session.ErrCodeTaken) {
		t.Errorf("a second session with the code: got %v, want ErrCodeTaken", err)
	}
	push := &session.Push{Round: 2, Experiment: "race", Title: "Race", Params: map[string]string{"n": "5"}, Lock: true, URL: "/experiments/race?n=5", At: created}
	pred := &session.Prediction{ID: 3, Round: 2, Question: "count", Prompt: "How many?", Open: true, At: created}
	st := session.State{Round: 2, Push: push, Prediction: pred, Asks: 1, Predictions: 3}
	if err := s.SaveState(ctx, rec.ID, st); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, "nosuch", st); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("SaveState of an unknown session: got %v, want ErrNotFound", err)
	}
	// Learners and entries keep the order they came in, also when saved again.
	learners := []session.Learner{
		{ID: "l1", Name: "<b>Ann</b>", Label: "<b>Ann</b>", Joined: created, TokenHash: "t1"},
		{ID: "l2", Name: "Bo", Label: "Bo", Joined: created, TokenHash: "t2"},
	}
	for _, l := range learners {
		if err := s.SaveLearner(ctx, rec.ID, l); err != nil {
			t.Fatal(err)
		}
	}
	learners[0].Label = "Ann again"
	if err := s.SaveLearner(ctx, rec.ID, learners[0]); err != nil {
		t.Fatal(err)
	}
	lost := 3.0
	entries := []session.Entry{
		{Run: "r1", Learner: "l2", Label: "Bo", Round: 2, Experiment: "race", Params: map[string]any{"n": 5.0}, Status: runs.StatusQueued, Created: created},
		{Run: "r2", Learner: "l1", Label: "<b>Ann</b>", Round: 2, Experiment: "race", Params: map[string]any{"n": 5.0}, Status: runs.StatusDone, Created: created,
			Figures: &session.Figures{Verdict: "v", Variants: []session.VariantFigures{{Name: "x", Lost: &lost}}}},
	}
	for _, e := range entries {
		if err := s.SaveEntry(ctx, rec.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	entries[0].Status = runs.StatusDone
	if err := s.SaveEntry(ctx, rec.ID, entries[0]); err != nil {
		t.Fatal(err)
	}
	for _, g := range []session.Guess{{Prediction: 2, Learner: "l1", Value: 1}, {Prediction: 3, Learner: "l1", Value: 5}, {Prediction: 3, Learner: "l1", Value: 6}, {Prediction: 3, Learner: "l2", Value: 7}} {
		if err := s.SaveGuess(ctx, rec.ID, g); err != nil {
			t.Fatal(err)
		}
	}
	s = reopen(t, b, s, place) // after a restart
	got, err := s.LoadSession(ctx, "ABC234")
	if err != nil {
		t.Fatal(err)
	}
	want := session.Record{
		ID: "sess1", Code: "ABC234", KeyHash: "hash", Created: created, State: st,
		Learners: learners, Entries: entries,
		Guesses: []session.Guess{{Prediction: 3, Learner: "l1", Value: 6}, {Prediction: 3, Learner: "l2", Value: 7}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadSession:\ngot  %+v\nwant %+v", got, want)
	}
	if _, err := s.LoadSession(ctx, "ZZZZZZ"); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("LoadSession of an unknown code: got %v, want ErrNotFound", err)
	}
	testLearnersConcurrent(t, s)
}

// testLearnersConcurrent joins learners from many goroutines at once: each
// is stored once, and the join order has no repeats.
func testLearnersConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	rec := session.Record{ID: "sess3", Code: "XYZ789", KeyHash: "h", Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			l := session.Learner{ID: string(rune('a' + i)), Name: "n", Label: "n", Joined: rec.Created}
			if err := s.SaveLearner(ctx, rec.ID, l); err != nil {
				t.Errorf("SaveLearner: %v", err)
			}
		})
	}
	wg.Wait()
	got, err := s.LoadSession(ctx, rec.Code)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, l := range got.Learners {
		seen[l.ID] = true
	}
	if len(got.Learners) != n || len(seen) != n {
		t.Errorf("got %d learners (%d distinct), want %d", len(got.Learners), len(seen), n)
	}
}
