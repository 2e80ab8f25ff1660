package deadlock

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"

	"concurrencylab/lab"
)

// EnvAsleep names the environment variable that gives the asleep
// program's path (cmd/asleep).
const EnvAsleep = "LAB_ASLEEP"

// maxAsleepOutput bounds what the asleep program's output keeps.
const maxAsleepOutput = 16 << 10

// findAsleep returns the asleep program's path: $LAB_ASLEEP if set, else
// asleep beside this program's executable, else bin/asleep in the working
// directory.
func findAsleep() (string, bool) {
	var candidates []string
	if p := os.Getenv(EnvAsleep); p != "" {
		candidates = append(candidates, p)
	}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "asleep"))
	}
	candidates = append(candidates, filepath.Join("bin", "asleep"))
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// runAsleep runs the asleep program until it ends or ctx is done, and
// says how it ended as a process of its own would.
func runAsleep(ctx context.Context, program string, alive bool) (lab.SoloExit, error) {
	var args []string
	if alive {
		args = append(args, "-alive")
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = []string{} // nothing of the server's: GOTRACEBACK and the like stay at their defaults
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	exit := lab.SoloExit{Output: string(out.Bytes()[:min(out.Len(), maxAsleepOutput)]), TimedOut: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exit.Status = ee.ExitCode()
	default:
		return lab.SoloExit{}, err
	}
	return exit, nil
}
