package deadlock

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildAsleep builds cmd/asleep as make build does: plain Go, no cgo.
func buildAsleep(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "asleep")
	cmd := exec.Command("go", "build", "-o", out, "concurrencylab/cmd/asleep")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build asleep: %v\n%s", err, msg)
	}
	return out
}

// Go's own deadlock detector speaks in a plain Go program with nothing
// but the two transfers, and stays silent beside one live goroutine.
func TestAsleepProgram(t *testing.T) {
	program := buildAsleep(t)
	t.Setenv(EnvAsleep, program)
	if got, ok := findAsleep(); !ok || got != program {
		t.Fatalf("findAsleep: got %q, %v, want %q", got, ok, program)
	}
	tests := []struct {
		name     string
		alive    bool
		status   int
		timedOut bool
		output   string
	}{
		{"alone", false, 2, false, "fatal error: all goroutines are asleep - deadlock!"},
		{"beside a live goroutine", true, -1, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			exit, err := runAsleep(ctx, program, tt.alive)
			if err != nil {
				t.Fatal(err)
			}
			if exit.Status != tt.status || exit.TimedOut != tt.timedOut || !strings.Contains(exit.Output, tt.output) {
				t.Errorf("got status %d, timed out %v, output %q, want %d, %v, %q", exit.Status, exit.TimedOut, firstLines(exit.Output, 3), tt.status, tt.timedOut, tt.output)
			}
		})
	}
}
