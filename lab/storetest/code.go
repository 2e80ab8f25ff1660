package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/code"
)

// testCode keeps a learner's file, gives it back as kept, keeps the
// first of two saves of an id, knows no other id, and still has it after
// a restart. (A kept file passed the check: Go source, valid UTF-8
// without NUL.)
func testCode(t *testing.T, b Backend) {
	place := b.New(t)
	ctx := t.Context()
	src := code.Source{ID: code.ID("race", "package yours\n"), Experiment: "race",
		Code: "package yours\n\n// 日本, \"quotes\", `back`, \\, 'single'\n", Vet: []code.Problem{{Line: 3, Col: 2, Msg: "unusedresult"}},
		Created: time.Date(2026, 12, 7, 17, 30, 0, 123456000, time.UTC)}
	s := openOnce(t, b, place)
	if err := s.SaveCode(ctx, src); err != nil {
		t.Fatal(err)
	}
	other := src
	other.Code, other.Vet = "package yours // other", nil
	if err := s.SaveCode(ctx, other); err != nil {
		t.Fatal(err)
	}
	check := func(s Store) {
		t.Helper()
		got, err := s.LoadCode(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, src) {
			t.Errorf("LoadCode: got %+v, want the first save %+v", got, src)
		}
	}
	check(s)
	if _, err := s.LoadCode(ctx, code.ID("race", "nothing")); !errors.Is(err, lab.ErrNotFound) {
		t.Errorf("an unknown id: got %v, want lab.ErrNotFound", err)
	}
	check(reopen(t, b, s, place))
}
