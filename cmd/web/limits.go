package main

import (
	"log/slog"
	"syscall"

	"concurrencylab/web"
)

// socketLimits returns the caps on run websockets, fitted to the
// process's file-descriptor limit (the Go runtime has already raised the
// soft limit to the hard one): run sockets may use at most half of it,
// the rest left for requests, session sockets, the database and runs'
// pipes. It logs the limit, and warns when a full room would not fit.
func socketLimits(log *slog.Logger) web.SocketLimits {
	l := web.SocketLimits{PerRun: web.DefaultRunSockets, PerAddr: web.DefaultAddrSockets, Total: web.DefaultTotalSockets}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		log.Warn("file-descriptor limit unknown", "err", err)
		return l
	}
	l.Total = int(min(uint64(l.Total), rl.Cur/2))
	log.Info("file descriptors", "limit", rl.Cur, "hard_limit", rl.Max, "run_sockets_total", l.Total,
		"run_sockets_per_address", l.PerAddr, "run_sockets_per_run", l.PerRun)
	if l.Total < l.PerAddr {
		log.Warn("the file-descriptor limit is too low for a full room: raise it (ulimit -n, LimitNOFILE=) to at least 4096",
			"limit", rl.Cur)
	}
	return l
}

// minRunMemory is the least -run-memory takes: above the memory a
// default run of any experiment owns, its whole process tree. Measured on
// a 2-core VM: pixels, the largest, 61 MB in a cgroup v1 group and 76 MB
// of private memory polled (OpenCV's library pages count as private when
// the parent does not map them); every pure-Go experiment under 9 MB, a
// decode of the longest sample under 48 MiB.
const minRunMemory = 128 << 20
