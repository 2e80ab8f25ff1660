package processes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"concurrencylab/experiments/internal/helper"
)

// oneByOne starts each child and waits for it before it starts the next,
// like a loop of Python's subprocess.run: K × (start + work). The
// baseline, and the measure of one child's time.
func oneByOne(j *Job) error {
	for i := range j.K {
		c, err := j.start(i)
		if err != nil {
			return err
		}
		if err := c.wait(); err != nil {
			return err
		}
	}
	return nil
}

// allAtOnce starts all K children (Start returns once each is running),
// then waits for every one. Children that wait overlap completely, so K
// of them take about one child's time; children that compute share the
// cores, K ÷ cores of them at a time. Each still pays its start.
func allAtOnce(j *Job) error {
	var children []*child
	var errs []error
	for i := range j.K {
		c, err := j.start(i)
		if err != nil {
			errs = append(errs, err)
			break
		}
		children = append(children, c)
	}
	for _, c := range children {
		errs = append(errs, c.wait())
	}
	return errors.Join(errs...)
}

// inGoroutines does the same K works in goroutines of this process:
// what a process costs beside a goroutine, which starts in a microsecond
// and shares the program's memory.
func inGoroutines(j *Job) error {
	var wg sync.WaitGroup
	for range j.K {
		wg.Go(j.work)
	}
	wg.Wait()
	return j.ctx.Err()
}

// pipeGoroutine hashes the data in a goroutine that reads it from an
// io.Pipe, as a child reads its stdin: the same stream, no copy into
// the kernel and out again.
func pipeGoroutine(j *Job) error {
	r, w := io.Pipe()
	digest := make(chan string, 1)
	go func() {
		h := sha256.New()
		_, err := io.Copy(h, r)
		r.CloseWithError(err)
		digest <- hex.EncodeToString(h.Sum(nil))
	}()
	_, err := w.Write(j.Data)
	w.CloseWithError(err)
	j.Digest = <-digest
	return err
}

// pipeChild hashes the data in a child process: the data goes to its
// stdin through a pipe, its digest comes back on its stdout. Every byte
// is copied into the kernel and out again, and the child must start.
func pipeChild(j *Job) error {
	cmd, err := helper.Command(j.ctx, "processes", "hash")
	if err != nil {
		return err
	}
	cmd.Stdin = bytes.NewReader(j.Data)
	out, err := cmd.Output()
	j.Digest = string(bytes.TrimSpace(out))
	return err
}

// pipeline connects two children with a pipe, as a shell's `encrypt |
// hash` would, without a shell: the first encrypts the data, the second
// hashes what the first writes. Both run at once, each on its own core
// where there are two; the digest must equal the one computed in a
// single process.
func pipeline(j *Job) error {
	encrypt, err := helper.Command(j.ctx, "processes", "encrypt")
	if err != nil {
		return err
	}
	hash, err := helper.Command(j.ctx, "processes", "hash")
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	encrypt.Stdin, encrypt.Stdout = bytes.NewReader(j.Data), w
	hash.Stdin, hash.Stdout = r, &out
	errEnc := encrypt.Start()
	errHash := hash.Start()
	// The children hold their ends now; this process keeps none, so
	// the hash sees the end of its input when the encrypt exits.
	r.Close()
	w.Close()
	if errEnc == nil {
		errEnc = encrypt.Wait()
	}
	if errHash == nil {
		errHash = hash.Wait()
	}
	j.Digest = string(bytes.TrimSpace(out.Bytes()))
	return errors.Join(errEnc, errHash)
}

// timeout starts a child that hangs (it ignores SIGTERM and never ends)
// and gives it a deadline once it runs. At the deadline the context is
// done and exec calls Cancel, here a polite SIGTERM; the hung child
// ignores it, so WaitDelay later Wait kills it (SIGKILL) and returns.
// KilledAfter is how long after the deadline the child was gone.
func timeout(j *Job) error {
	ctx, cancel := context.WithCancel(j.ctx)
	defer cancel()
	cmd, err := helper.Command(ctx, "processes", "hang")
	if err != nil {
		return err
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = j.Grace
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	out.Read(make([]byte, 1)) // the child runs, and ignores SIGTERM
	deadline := time.Now().Add(j.Deadline)
	timer := time.AfterFunc(j.Deadline, cancel)
	defer timer.Stop()
	waitErr := cmd.Wait()
	gone := time.Now()
	if j.ctx.Err() != nil {
		return j.ctx.Err()
	}
	if waitErr == nil {
		return fmt.Errorf("the hung child ended on its own")
	}
	j.KilledAfter = gone.Sub(deadline)
	j.Exit = cmd.ProcessState.String()
	// Gone means reaped: no process of that id is left.
	j.Gone = errors.Is(syscall.Kill(cmd.Process.Pid, 0), syscall.ESRCH)
	return nil
}
