package lab

import (
	"context"
	"errors"
	"io"
)

// A Soloist is an experiment with work that must be allowed to end the
// program that runs it: a panic, a deadlock. Each call of Solo happens in
// a fresh process of its own, started with Spawn from one of its trials;
// the process ends when Solo returns (exit status 0, or 1 with the error
// printed), or earlier if the work ends the program.
type Soloist interface {
	Solo(ctx context.Context, task string, p Params, out io.Writer) error
}

// A SoloTask names the work of a Soloist to run in a process of its own.
type SoloTask struct {
	Experiment string            `json:"experiment"`
	Task       string            `json:"task"`
	Params     map[string]string `json:"params"` // as Params.Encode writes them
}

// A SoloExit is how a process of its own ended.
type SoloExit struct {
	// Status is the exit status: 0, 1 for an error Solo returned, 2 for a
	// Go panic or fatal error; -1 when a signal ended it.
	Status int
	// Output is what it printed on stdout and stderr, bounded.
	Output string
	// TimedOut is true when the process was killed at the deadline of the
	// context Spawn was given.
	TimedOut bool
}

// A Spawner starts processes of their own; runners that execute runs in
// processes provide one to every trial through its context.
type Spawner interface {
	Spawn(ctx context.Context, t SoloTask) (SoloExit, error)
}

// ErrNoSpawner is Spawn's error where the run has no processes to spare:
// under the in-process runner of tests.
var ErrNoSpawner = errors.New("this runner cannot start a process of its own: the run executes inside the server")

type spawnerKey struct{}

// WithSpawner returns ctx carrying s, for the trials of a run.
func WithSpawner(ctx context.Context, s Spawner) context.Context {
	return context.WithValue(ctx, spawnerKey{}, s)
}

// Spawn runs task in a fresh process of its own and returns how it ended.
// A context deadline bounds it: past it, the process is killed.
func Spawn(ctx context.Context, task SoloTask) (SoloExit, error) {
	s, ok := ctx.Value(spawnerKey{}).(Spawner)
	if !ok {
		return SoloExit{}, ErrNoSpawner
	}
	return s.Spawn(ctx, task)
}
