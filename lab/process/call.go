package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A Helper runs one request at a time in a child process of its own, for
// work the server must not do in its own process (decoding an uploaded
// video with C libraries): the request on the child's stdin, the answer
// from its stdout, under the limits a run's child has (its own process
// group, the memory of its tree, a deadline, bounded output, only its
// descriptors). A crash of the child fails only its request.
type Helper struct {
	// Path is the program to start; Mode is EnvMode's value for it.
	Path, Mode string
	// Env is added to the child's environment.
	Env []string
	// Memory is the most the child's tree may own (0: no limit); Limit
	// makes it real (nil: polled).
	Memory int64
	Limit  *Memory
	// Timeout bounds one call (0: only ctx).
	Timeout time.Duration
	// MaxAnswer bounds the answer; a longer one fails the call.
	MaxAnswer int
	// CPUs, if set, pins the child.
	CPUs []int
}

// ErrCrashed is the error of a call whose child ended without an answer.
var ErrCrashed = errors.New("the helper process crashed")

// Call starts the child, writes req to its stdin and returns what it
// wrote to stdout once it exits with status 0.
func (h *Helper) Call(ctx context.Context, req []byte) ([]byte, error) {
	if h.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.Timeout)
		defer cancel()
	}
	answer := NewBoundedBuffer(h.MaxAnswer + 1)
	stderr := NewBoundedBuffer(MaxOutput)
	cmd := exec.CommandContext(ctx, h.Path)
	cmd.Env = append(childEnv(h.Env), EnvMode+"="+h.Mode)
	if h.Memory > 0 {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+fmt.Sprint(h.Memory/10*9))
	}
	cmd.Stdin = bytes.NewReader(req)
	cmd.Stdout, cmd.Stderr = answer, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = killWait
	b, err := h.Limit.newBox(h.Memory)
	if err != nil {
		return nil, err
	}
	if err := b.start(cmd, h.CPUs); err != nil {
		return nil, fmt.Errorf("process: start a %s process: %w", h.Mode, err)
	}
	// As for runs: end the tree while the leader is a zombie, then reap.
	var info unix.Siginfo
	unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
	over, _ := b.end()
	waitErr := cmd.Wait()
	out := answer.Bytes()
	switch {
	case over:
		return nil, fmt.Errorf("%w: the %s process held more than %s of memory and was stopped", ErrMemory, h.Mode, bytesString(h.Memory))
	case ctx.Err() != nil:
		return nil, fmt.Errorf("process: the %s process: %w", h.Mode, ctx.Err())
	case waitErr != nil:
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return nil, fmt.Errorf("%w (%v): %s", ErrCrashed, waitErr, msg)
	case len(out) > h.MaxAnswer:
		return nil, fmt.Errorf("process: the %s process answered over %d bytes", h.Mode, h.MaxAnswer)
	}
	return out, nil
}
