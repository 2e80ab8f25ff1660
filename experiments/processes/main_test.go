package processes

import (
	"context"
	"os"
	"testing"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/helper"
	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

// TestMain is also the helper's main: the trials start this test binary
// again, as the runner program starts itself.
func TestMain(m *testing.M) {
	if mode, ok := helper.Mode("processes"); ok {
		os.Exit(Helper(mode, os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}

func params(t testing.TB, q string) lab.Params {
	t.Helper()
	return labtest.Params(t, New().Info(), q)
}

func trial(t testing.TB, e *Experiment, variant string, p lab.Params) lab.Trial {
	t.Helper()
	tr, err := e.Trial(context.Background(), variant, p, lab.Discard)
	if err != nil {
		t.Fatalf("%s: %v", variant, err)
	}
	if tr.Got == nil || *tr.Got != *tr.Expected {
		t.Errorf("%s: got %v, want %v (extra %v)", variant, tr.Got, *tr.Expected, tr.Extra)
	}
	return tr
}
