package process

// The limits a process makes real: its memory polled and its group killed,
// and the CPUs it starts pinned to.

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// watchMemory polls the child's resident memory until stop is closed and
// kills its group once it passes r.Memory.
func (r *Runner) watchMemory(p *os.Process, stop <-chan struct{}, over *atomic.Bool) {
	if r.Memory <= 0 {
		return
	}
	t := time.NewTicker(rssEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if rss, ok := residentBytes(p.Pid); ok && rss > r.Memory {
				over.Store(true)
				killGroup(p)
				return
			}
		}
	}
}

// residentBytes reads a process's resident memory from /proc.
func residentBytes(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
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

// startPinned starts cmd with its affinity set to cpus: the thread that
// forks gets the affinity first, so the child's runtime starts already
// pinned, and every thread it makes inherits the mask. Where the system
// refuses the mask, the child starts unpinned (its env says so).
func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return cmd.Start()
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	pinned := unix.SchedSetaffinity(0, &set) == nil
	err := cmd.Start()
	if pinned && unix.SchedSetaffinity(0, &old) != nil {
		// The thread keeps the slot's mask, so it must not serve other
		// goroutines: the calling goroutine stays locked to it, and the
		// thread ends with that goroutine. (No child is tied to the life
		// of the thread that forked it.)
		return err
	}
	runtime.UnlockOSThread()
	return err
}
