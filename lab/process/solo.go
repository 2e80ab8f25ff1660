package process

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"concurrencylab/lab"
)

// modeSolo is EnvMode's value in a process of its own that a trial spawned.
const modeSolo = "solo"

// spawner starts processes of their own from a run's child: the same
// binary again, in solo mode, pinned where the child is pinned (it
// inherits the mask) and in the child's process group, so a cancel of the
// run kills them too.
type spawner struct{ path string }

var _ lab.Spawner = spawner{}

// Spawn implements lab.Spawner.
func (s spawner) Spawn(ctx context.Context, t lab.SoloTask) (lab.SoloExit, error) {
	in, err := json.Marshal(t)
	if err != nil {
		return lab.SoloExit{}, fmt.Errorf("runner: encode task: %w", err)
	}
	output := NewBoundedBuffer(MaxOutput)
	cmd := exec.CommandContext(ctx, s.path)
	cmd.Env = append(os.Environ(), EnvMode+"="+modeSolo)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = output, output
	cmd.WaitDelay = killWait
	err = cmd.Run()
	exit := lab.SoloExit{Output: output.String(), TimedOut: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exit.Status = ee.ExitCode() // -1 when a signal ended it
	case exit.TimedOut:
		exit.Status = -1
	default:
		return lab.SoloExit{}, fmt.Errorf("runner: start a process of its own: %w", err)
	}
	return exit, nil
}

// solo is main in a process of its own: it runs one task of a Soloist.
func solo(exps []lab.Experiment) int {
	var t lab.SoloTask
	if err := json.NewDecoder(io.LimitReader(os.Stdin, 1<<20)).Decode(&t); err != nil {
		fmt.Fprintln(os.Stderr, "runner: read the task:", err)
		return 1
	}
	for _, e := range exps {
		info := e.Info()
		if info.ID != t.Experiment {
			continue
		}
		s, ok := e.(lab.Soloist)
		if !ok {
			break
		}
		p, err := lab.ParseMap(info, t.Params)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := s.Solo(context.Background(), t.Task, p, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "runner: %q has no work to run in a process of its own\n", t.Experiment)
	return 1
}
