// Package helper starts child processes of the lab's own program for an
// experiment's trials: the program that runs the trial (the runner, the
// server, or a test binary) started again, never a shell, in a helper
// mode named by an environment variable. Its main checks Name first
// thing and hands the process to the experiment that asked for it
// (package pure's Helper does the dispatch).
//
// A helper inherits what its parent has: the run's CPU pinning, its
// process group (a cancelled run ends its helpers with it) and its memory
// limit, which counts the whole process tree.
package helper

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Env is the environment variable that names the helper a process runs:
// "<experiment>/<mode>", such as "processes/hash".
const Env = "LAB_HELPER"

// Name returns the helper this process was started as ("processes/hash"),
// or "" when it is no helper.
func Name() string { return os.Getenv(Env) }

// Mode returns the mode of this process's helper name if it belongs to
// experiment ("hash" for "processes/hash"); ok is false otherwise.
func Mode(experiment string) (mode string, ok bool) {
	return strings.CutPrefix(Name(), experiment+"/")
}

// Command returns a command that starts this program again as helper
// mode of experiment, with args. Like exec.CommandContext, it kills the
// process when ctx is done (callers may set Cancel and WaitDelay).
func Command(ctx context.Context, experiment, mode string, args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%s: find this program to start again: %w", experiment, err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	// A program built with the race detector sleeps a second as it exits,
	// for other threads to report; a helper's exit must cost what it
	// costs.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), Env+"="+experiment+"/"+mode, "GORACE="+race)
	return cmd, nil
}

// ChildrenCPU is the CPU time (user + system) of every child this
// process has waited for: what a trial's helpers used, which the
// process's own CPU time leaves out.
func ChildrenCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
