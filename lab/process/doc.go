// Package process runs each run of the lab in a child process of its own,
// as the Go Playground runs each program: the server keeps the queue, the
// event log and the sockets; the child, the runner program (cmd/runner,
// pure Go) or, for an experiment that declares cgo, a cgo program of the
// lab started in runner mode, gets the job on stdin, streams the run's
// events back as JSON lines on a pipe (file descriptor 3) and exits.
//
// A child is pinned to its runner slot's CPUs before it starts, with
// GOMAXPROCS set to the run's cores, so that runs on one machine never share
// cores; it is killed with its process group on cancel, deadline or memory
// limit, and its crash fails only its run.
//
// The job and the messages are plain JSON, so a runner on another machine
// can take the same jobs from a shared queue.
package process

import (
	"encoding/json"
	"os"

	"concurrencylab/lab/runner"
)

// EnvMode is the environment variable that starts the lab's binary as a
// child: its main (and the TestMain of a test package that starts real
// children) checks it first thing and calls Main.
const EnvMode = "LAB_RUNNER"

// modeChild is EnvMode's value in a run's child process.
const modeChild = "child"

// IsChild reports whether this process was started as a run's child, or
// as a process of its own that a trial spawned: then main calls Main.
func IsChild() bool {
	m := os.Getenv(EnvMode)
	return m == modeChild || m == modeSolo
}

// A message is one line from child to parent: an event of the run (its
// type and its body, which the parent decodes into that type, refusing
// any other field), its report at the end, or the error that ended it.
type message struct {
	Type   string          `json:"type,omitempty"`
	Event  json.RawMessage `json:"event,omitempty"` // the body's fields
	Report *runner.Report  `json:"report,omitempty"`
	Error  string          `json:"error,omitempty"`
}
