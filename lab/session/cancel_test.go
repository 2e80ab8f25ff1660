package session

import (
	"errors"
	"testing"

	"concurrencylab/lab"
)

// TestMayCancel: a session's runs are cancelled only with its key, or a
// learner's own run with that learner's token too; other runs by anyone.
func TestMayCancel(t *testing.T) {
	f := newFixture(t, NewMemStore()) // the gate stays shut: every run stays live
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	ann, annToken, _ := f.svc.Join(ctx, c.Code, "Ann")
	_, boToken, _ := f.svc.Join(ctx, c.Code, "Bo")
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, true); err != nil {
		t.Fatal(err)
	}
	annRun, err := f.svc.SubmitRun(ctx, c.Code, ann.ID, annToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	room, err := f.svc.RoomRun(ctx, c.Code, c.Key)
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.runs.Submit(ctx, "counter", lab.Params{"n": 5})
	if err != nil {
		t.Fatal(err)
	}

	check := func(what, run, secret string, want bool) {
		t.Helper()
		err := f.svc.MayCancel(ctx, run, secret)
		var ce *CancelError
		switch {
		case want && err != nil:
			t.Errorf("%s: got %v, want it allowed", what, err)
		case !want && (!errors.Is(err, ErrForbidden) || !errors.As(err, &ce) || ce.Code != c.Code):
			t.Errorf("%s: got %v, want a CancelError for room %s", what, err, c.Code)
		}
	}
	check("a run of no session, by anyone", other.ID, "", true)
	check("the room run, no key", room.ID, "", false)
	check("the room run, a learner's token", room.ID, annToken, false)
	check("the room run, the key", room.ID, c.Key, true)
	check("Ann's run, no key", annRun.ID, "", false)
	check("Ann's run, Bo's token", annRun.ID, boToken, false)
	check("Ann's run, a wrong token", annRun.ID, annToken+"x", false)
	check("Ann's run, Ann's token", annRun.ID, annToken, true)
	check("Ann's run, the key", annRun.ID, c.Key, true)

	// A new push drops the room run from the state; it keeps playing, and
	// stays the instructor's.
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, true); err != nil {
		t.Fatal(err)
	}
	check("the round before's room run, a learner's token", room.ID, annToken, false)
	check("the round before's room run, the key", room.ID, c.Key, true)

	// In the spotlight, Ann's run plays for the room: the key only.
	if _, err := f.svc.Spotlight(ctx, c.Code, c.Key, annRun.ID); err != nil {
		t.Fatal(err)
	}
	check("Ann's spotlit run, Ann's token", annRun.ID, annToken, false)
	check("Ann's spotlit run, the key", annRun.ID, c.Key, true)

	// Out of memory and back, the session still owns its runs.
	evictAll(t, f.svc)
	check("the room run after an eviction, no key", room.ID, "", false)
	check("Ann's run after an eviction, Bo's token", annRun.ID, boToken, false)

	// Nothing was cancelled on the way.
	for _, id := range []string{room.ID, annRun.ID, other.ID} {
		if r, _ := f.runs.Get(ctx, id); r.Status.Final() {
			t.Errorf("run %s: got %s, want it still live", id, r.Status)
		}
	}
}

// TestOwnersSwept: the index of the sessions' runs forgets the runs that
// are over, so it does not grow with every run ever made.
func TestOwnersSwept(t *testing.T) {
	f := newFixture(t, NewMemStore())
	f.open()
	ctx := t.Context()
	c, _ := f.svc.Create(ctx)
	if _, err := f.svc.Push(ctx, c.Code, c.Key, "counter", nil, false); err != nil {
		t.Fatal(err)
	}
	for range 3 * minOwnersSweep {
		run, err := f.svc.RoomRun(ctx, c.Code, c.Key)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { r, _ := f.runs.Get(ctx, run.ID); return r.Status.Final() })
	}
	f.svc.ownersMu.Lock()
	n := len(f.svc.owners)
	f.svc.ownersMu.Unlock()
	if n > minOwnersSweep {
		t.Errorf("owners: %d runs held after %d finished room runs, want at most %d", n, 3*minOwnersSweep, minOwnersSweep)
	}
}
