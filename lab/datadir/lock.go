// Package datadir locks a server's data directory, so a second server
// started on the same directory stops before it touches anything there.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// LockName is the lock file's name in the data directory.
const LockName = "lock"

// A Lock holds a data directory for one process, with flock(2) on its lock
// file: the kernel drops it when the process ends, however it ends, so a
// crash leaves no stale lock behind.
type Lock struct {
	f *os.File
}

// ErrLocked is wrapped by Acquire's error when another process holds the
// directory.
var ErrLocked = errors.New("the data directory is in use by another server")

// Acquire locks dir, which must exist, or fails at once, naming the lock
// file (and the process holding it, as it wrote its id there).
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("datadir: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := make([]byte, 32)
		n, _ := f.ReadAt(holder, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is locked (by process %s); stop that server or give this one another -data",
				ErrLocked, path, pid(holder[:n]))
		}
		return nil, fmt.Errorf("datadir: lock %s: %w", path, err)
	}
	// Say who holds it, for the message a second server prints.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// pid returns the process id a lock file holds, or "unknown".
func pid(b []byte) string {
	n, err := strconv.Atoi(string(trimSpace(b)))
	if err != nil || n <= 0 {
		return "unknown"
	}
	return strconv.Itoa(n)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// Release unlocks the directory. The lock file stays: removing it would
// let a third server lock a new file while a second still waits on the old.
func (l *Lock) Release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("datadir: release lock: %w", err)
	}
	return nil
}
