package session

import (
	"errors"
	"testing"
)

// TestRemoveLearner: the instructor removes a learner, with the key only;
// the roster no longer shows them, their token opens nothing, their place
// is free, and a reload from the store remembers it.
func TestRemoveLearner(t *testing.T) {
	store := NewMemStore()
	f := newFixture(t, store)
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	ann, annToken, _ := f.svc.Join(ctx, c.Code, "Ann")
	bo, _, _ := f.svc.Join(ctx, c.Code, "Bo")
	if err := f.svc.Remove(ctx, c.Code, "wrong", ann.ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("remove with a wrong key: got %v, want ErrForbidden", err)
	}
	if err := f.svc.Remove(ctx, c.Code, c.Key, "nobody"); !errors.Is(err, ErrNoLearner) {
		t.Fatalf("remove an unknown learner: got %v, want ErrNoLearner", err)
	}
	sub, _, err := f.svc.Subscribe(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := f.svc.Remove(ctx, c.Code, c.Key, ann.ID); err != nil {
		t.Fatalf("remove: %v", err)
	}
	e := <-sub.C()
	if e.Type != EventLearner || e.Learner == nil || e.Learner.ID != ann.ID || !e.Learner.Removed {
		t.Errorf("event after remove: got %+v, want Ann's learner event with removed", e)
	}
	if _, err := f.svc.Learner(ctx, c.Code, ann.ID, annToken); !errors.Is(err, ErrRemoved) {
		t.Errorf("the removed learner's token: got %v, want ErrRemoved", err)
	}
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil); !errors.Is(err, ErrRemoved) {
		t.Errorf("the removed learner runs: got %v, want ErrRemoved", err)
	}
	v, _ := f.svc.View(ctx, c.Code)
	if len(v.Learners) != 1 || v.Learners[0].ID != bo.ID {
		t.Errorf("roster after remove: got %+v, want only Bo", v.Learners)
	}
	var applied View
	applied.Learners = []Learner{ann, bo}
	applied.Apply(e)
	if len(applied.Learners) != 1 || applied.Learners[0].ID != bo.ID {
		t.Errorf("View.Apply of the remove: got %+v, want only Bo", applied.Learners)
	}
	rec, _ := store.LoadSession(ctx, c.Code)
	if len(rec.Learners) != 2 || !rec.Learners[0].Removed {
		t.Errorf("stored learners: got %+v, want Ann kept and marked removed", rec.Learners)
	}
}

// TestEndSession: the instructor ends the session, with the key only;
// subscribers learn it, the view says when, and nothing more changes:
// no join, no run, no push, no second end.
func TestEndSession(t *testing.T) {
	f := newFixture(t, NewMemStore())
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	ann, annToken, _ := f.svc.Join(ctx, c.Code, "Ann")
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.End(ctx, c.Code, "wrong"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("end with a wrong key: got %v, want ErrForbidden", err)
	}
	sub, _, err := f.svc.Subscribe(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	at, err := f.svc.End(ctx, c.Code, c.Key)
	if err != nil {
		t.Fatalf("end: %v", err)
	}
	if e := <-sub.C(); e.Type != EventEnded || e.Ended == nil || !e.Ended.Equal(at) {
		t.Errorf("event after end: got %+v, want ended at %v", e, at)
	}
	v, _ := f.svc.View(ctx, c.Code)
	if v.Ended == nil || !v.Ended.Equal(at) || len(v.Learners) != 1 || v.Push == nil {
		t.Errorf("view after end: got ended %v, %d learners, push %v; want ended at %v, the roster and the push kept", v.Ended, len(v.Learners), v.Push, at)
	}
	if _, _, err := f.svc.Join(ctx, c.Code, "Cy"); !errors.Is(err, ErrEnded) {
		t.Errorf("join after end: got %v, want ErrEnded", err)
	}
	if _, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil); !errors.Is(err, ErrEnded) {
		t.Errorf("learner run after end: got %v, want ErrEnded", err)
	}
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, false); !errors.Is(err, ErrEnded) {
		t.Errorf("push after end: got %v, want ErrEnded", err)
	}
	if _, err := f.svc.End(ctx, c.Code, c.Key); !errors.Is(err, ErrEnded) {
		t.Errorf("end twice: got %v, want ErrEnded", err)
	}
}
