//go:build race

package race

import (
	"concurrencylab/lab"
	"context"
	"strings"
	"testing"
)

// Under -race the racy variant refuses to run, with a message that says why.
func TestUnsynchronizedRefusesUnderRace(t *testing.T) {
	p := params(t, "goroutines=2&increments=10")
	_, err := Experiment{}.Trial(context.Background(), "unsynchronized", p, lab.Discard)
	if err == nil || !strings.Contains(err.Error(), "-race") {
		t.Errorf("got error %v, want one that explains -race", err)
	}
}
