package processes

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"concurrencylab/experiments/internal/helper"
	"concurrencylab/lab"
)

// Job is one trial's work and what it measured.
type Job struct {
	K      int           // children (or goroutines)
	Kind   string        // "wait" or "compute"
	Amount time.Duration // each one's work: how long it waits, or computes on one core
	Rounds int           // Amount of computing, as rounds of hashing (compute)
	Data   []byte        // what the pipes carry

	Deadline, Grace time.Duration // the hung child's deadline and WaitDelay

	Digest      string        // the pipe variants' answer
	KilledAfter time.Duration // timeout: from the deadline until the child was gone
	Exit        string        // timeout: how the child ended
	Gone        bool          // timeout: no process of the child's id is left

	ctx    context.Context
	em     lab.Emitter
	mu     sync.Mutex      // guards starts and ok
	starts []time.Duration // each child's start: from Start until it ran its first line
	ok     int             // children that exited with status 0
}

// A child is a started work child: its start is timed by a goroutine
// that reads the byte the child writes first thing.
type child struct {
	cmd   *exec.Cmd
	i     int
	t0    time.Time
	ready chan time.Time // when the child's first byte came; closed without one
	j     *Job
}

// start starts child i doing the job's work: this program again, in
// helper mode "work". It returns once the child runs, not once it is ready.
func (j *Job) start(i int) (*child, error) {
	amount := j.Amount.String()
	if j.Kind == "compute" {
		amount = strconv.Itoa(j.Rounds)
	}
	cmd, err := helper.Command(j.ctx, "processes", "work", j.Kind, amount)
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, i: i, j: j, ready: make(chan time.Time, 1)}
	c.t0 = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("processes: start a child: %w", err)
	}
	go func() {
		defer close(c.ready)
		b := make([]byte, 1)
		if n, _ := out.Read(b); n == 1 {
			c.ready <- time.Now()
		}
		io.Copy(io.Discard, out)
	}()
	return c, nil
}

// wait waits for the child to exit, and records its start and status.
func (c *child) wait() error {
	ready, ok := <-c.ready // the reader has seen the end of the child's stdout
	err := c.cmd.Wait()
	end := time.Now()
	if ok {
		c.j.em.Span(c.i, c.t0, ready, "start")
		c.j.em.Span(c.i, ready, end, c.j.Kind)
	}
	c.j.mu.Lock()
	defer c.j.mu.Unlock()
	if ok {
		c.j.starts = append(c.j.starts, ready.Sub(c.t0))
	}
	if err == nil {
		c.j.ok++
	}
	return err
}

// work is one goroutine's work, the same as a child's: wait for the
// amount, or compute its rounds of hashing.
func (j *Job) work() {
	if j.Kind == "compute" {
		compute(j.Rounds)
		return
	}
	t := time.NewTimer(j.Amount)
	defer t.Stop()
	select {
	case <-t.C:
	case <-j.ctx.Done():
	}
}

// block is what compute hashes, again and again.
const block = 16 << 10

// compute hashes a 16 KiB block rounds times, each round's digest
// written into the block: work for one core that no compiler can skip.
func compute(rounds int) [sha256.Size]byte {
	buf := make([]byte, block)
	var sum [sha256.Size]byte
	for range rounds {
		sum = sha256.Sum256(buf)
		copy(buf, sum[:])
	}
	return sum
}

// roundsFor returns the rounds of compute that take about d on one core
// of this machine, measured now: the fastest of five measures, since
// another program taking the core can only make one slower.
func roundsFor(d time.Duration) int {
	n := 16
	for {
		t0 := time.Now()
		compute(n)
		if time.Since(t0) >= 10*time.Millisecond {
			break
		}
		n *= 2
	}
	best := time.Duration(1<<63 - 1)
	for range 5 {
		t0 := time.Now()
		compute(n)
		best = min(best, time.Since(t0))
	}
	return max(1, int(float64(n)*float64(d)/float64(best)))
}
