package process

// The limits a process makes real: the CPUs it starts pinned to, and the
// memory of its whole process tree, in a cgroup of its own or polled.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A box holds one child's process tree under a memory limit: its cgroup,
// or the polling of its private memory.
type box struct {
	mem   *Memory
	limit int64
	dir   string   // the tree's cgroup; "" when polled
	fd    *os.File // dir, opened for clone3 (cgroup v2)
	proc  *os.Process

	over atomic.Bool  // the tree passed limit
	peak atomic.Int64 // the most memory seen, in bytes
	stop chan struct{}
	done chan struct{}
}

// newBox makes a box for a tree of at most limit bytes (0: no limit, and
// no group).
func (m *Memory) newBox(limit int64) (*box, error) {
	b := &box{mem: m, limit: limit, stop: make(chan struct{}), done: make(chan struct{})}
	if limit <= 0 || m == nil || m.base == "" {
		return b, nil
	}
	dir := filepath.Join(m.base, "run-"+strconv.FormatInt(m.n.Add(1), 10))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("process: create the run's cgroup: %w", err)
	}
	b.dir = dir
	lim := []byte(strconv.FormatInt(limit, 10))
	var err error
	switch m.mech {
	case MechCgroupV1:
		err = os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), lim, 0)
		if err == nil {
			// With swap accounting, swap counts against the limit too.
			os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), lim, 0)
		}
	case MechCgroupV2:
		err = os.WriteFile(filepath.Join(dir, "memory.max"), lim, 0)
		if err == nil {
			os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte("0"), 0)
			os.WriteFile(filepath.Join(dir, "memory.oom.group"), []byte("1"), 0)
			b.fd, err = os.Open(dir)
		}
	}
	if err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("process: set the run's memory limit: %w", err)
	}
	return b, nil
}

// start starts cmd in the box, pinned to cpus, and watches its memory.
// The child is in the box's cgroup from its start: with clone3 into the
// group (v2), or forked by a thread that joined the group (v1).
func (b *box) start(cmd *exec.Cmd, cpus []int) error {
	if b.fd != nil {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(b.fd.Fd())
	}
	join := ""
	if b.dir != "" && b.mem.mech == MechCgroupV1 {
		join = b.dir
	}
	if err := startPinned(cmd, cpus, join, b.mem.homeTasks()); err != nil {
		b.remove()
		return err
	}
	b.proc = cmd.Process
	go b.watch()
	return nil
}

// watch polls the tree until end, and kills it once it passes the limit.
func (b *box) watch() {
	defer close(b.done)
	if b.limit <= 0 {
		<-b.stop
		return
	}
	t := time.NewTicker(rssEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			if b.check() {
				b.over.Store(true)
				b.kill()
				return
			}
		}
	}
}

// check reads the tree's memory and reports whether it passed the limit:
// the kernel OOM-killed in its group, or its private memory is over.
func (b *box) check() bool {
	if b.dir != "" {
		b.peak.Store(b.mem.groupPeak(b.dir))
		return b.mem.groupOOMKills(b.dir) > 0
	}
	n := privateBytes(treePids(b.proc.Pid))
	if n > b.peak.Load() {
		b.peak.Store(n)
	}
	return n > b.limit
}

// kill kills the child's process group and everything in its cgroup.
func (b *box) kill() {
	killGroup(b.proc)
	if b.dir == "" {
		for _, pid := range treePids(b.proc.Pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return
	}
	for _, pid := range groupPids(b.dir) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// end stops the watch once the child has ended (and before it is
// reaped), kills what is left of its tree, removes its cgroup and says
// whether the tree passed the limit and the most memory it held.
func (b *box) end() (over bool, peak int64) {
	close(b.stop)
	<-b.done
	if b.dir != "" && b.limit > 0 && b.check() {
		b.over.Store(true)
	}
	b.kill()
	b.remove()
	return b.over.Load(), b.peak.Load()
}

// remove removes the box's cgroup, waiting briefly for killed processes
// to leave it.
func (b *box) remove() {
	if b.fd != nil {
		b.fd.Close()
	}
	if b.dir == "" {
		return
	}
	for i := 0; i < 100; i++ {
		err := os.Remove(b.dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		for _, pid := range groupPids(b.dir) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killGroup kills the process group p leads.
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// startPinned starts cmd with its affinity set to cpus and, with join
// set, in that cgroup v1 group: the thread that forks gets the affinity
// and joins the group first, so the child's runtime starts already pinned
// and limited, and every thread and process it makes inherits both. The
// thread goes back to the home tasks file after. Where the system
// refuses the mask, the child starts unpinned (its env says so).
func startPinned(cmd *exec.Cmd, cpus []int, join, home string) error {
	if len(cpus) == 0 && join == "" {
		return cmd.Start()
	}
	runtime.LockOSThread()
	tid := []byte(strconv.Itoa(unix.Gettid()))
	var old unix.CPUSet
	pinned := false
	if len(cpus) > 0 && unix.SchedGetaffinity(0, &old) == nil {
		var set unix.CPUSet
		for _, c := range cpus {
			set.Set(c)
		}
		pinned = unix.SchedSetaffinity(0, &set) == nil
	}
	if join != "" {
		if err := os.WriteFile(filepath.Join(join, "tasks"), tid, 0); err != nil {
			if !pinned || unix.SchedSetaffinity(0, &old) == nil {
				runtime.UnlockOSThread()
			}
			return fmt.Errorf("process: join the run's cgroup: %w", err)
		}
	}
	err := cmd.Start()
	restored := !pinned || unix.SchedSetaffinity(0, &old) == nil
	if join != "" && os.WriteFile(home, tid, 0) != nil {
		restored = false
	}
	if !restored {
		// The thread keeps the slot's mask or the run's group, so it must
		// not serve other goroutines: the calling goroutine stays locked
		// to it, and the thread ends with that goroutine. (No child is
		// tied to the life of the thread that forked it.)
		return err
	}
	runtime.UnlockOSThread()
	return err
}
