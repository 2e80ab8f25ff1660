package process

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
)

// mapShared maps the file at path, reads every page of it, and reports
// the process's resident memory while it holds the mapping.
func mapShared(path string) (lab.Trial, error) {
	data, err := mapAndTouch(path)
	if err != nil {
		return lab.Trial{}, err
	}
	defer unix.Munmap(data)
	time.Sleep(500 * time.Millisecond) // a few of the parent's polls
	return lab.Trial{Extra: map[string]any{"rss": residentBytes(os.Getpid())}}, nil
}

// touched sums the bytes mapAndTouch read, so that reading them is not
// left out by the compiler.
var touched int

// mapAndTouch maps a file read-only and shared, and reads each page.
func mapAndTouch(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", path, err)
	}
	for i := 0; i < len(data); i += 4096 {
		touched += int(data[i])
	}
	return data, nil
}

// residentBytes reads a process's resident memory (statm), shared pages
// included: what the limit must not count.
func residentBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// openFDs lists this process's open descriptors as "fd target", with
// " cloexec" after those it opened itself close-on-exec (the runtime's
// own: its poller, the cgroup files it reads for GOMAXPROCS). What came
// through exec cannot carry the flag; fd 3 the child marks itself.
func openFDs() []string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var fds []string
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			continue // the listing's own handle, closed by now
		}
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		line := e.Name() + " " + target
		if flags&unix.FD_CLOEXEC != 0 {
			line += " cloexec"
		}
		fds = append(fds, line)
	}
	return fds
}
