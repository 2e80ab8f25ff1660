package thumbnails

import (
	"context"
	"os"
	"testing"

	"go.uber.org/goleak"

	"concurrencylab/experiments/internal/helper"
	"concurrencylab/experiments/internal/labtest"
	"concurrencylab/lab"
)

// TestMain is also the resizer child's main: the processes variant
// starts this test binary again, as the runner program starts itself.
func TestMain(m *testing.M) {
	if mode, ok := helper.Mode("thumbnails"); ok {
		os.Exit(Helper(mode))
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
		t.Errorf("%s: got %v thumbnails right, want %d", variant, tr.Got, *tr.Expected)
	}
	return tr
}
