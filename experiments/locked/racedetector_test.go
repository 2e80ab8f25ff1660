//go:build race

package locked

import (
	"context"
	"strings"
	"testing"

	"concurrencylab/lab"
)

// Under -race the unsynchronized variant refuses to run, with a message
// that says why, detector or not.
func TestUnsynchronizedRefusesUnderRace(t *testing.T) {
	for _, q := range []string{"goroutines=2&increments=10", "goroutines=2&increments=10&detector=true"} {
		_, err := Experiment{}.Trial(context.Background(), "unsynchronized", params(t, q), lab.Discard)
		if err == nil || !strings.Contains(err.Error(), "-race") {
			t.Errorf("%s: got error %v, want one that explains -race", q, err)
		}
	}
}
