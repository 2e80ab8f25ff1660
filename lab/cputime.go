package lab

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user + system) this process has used, on
// every thread: the work of a trial's goroutines wherever they ran.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
