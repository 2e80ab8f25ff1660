package yours

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// subreaper makes this process the reaper of what its sandboxes leave:
// a sandbox's own init is orphaned when its trial ends, and a machine's
// init may take a second or more to reap it, while as a zombie it still
// counts against its user's bound on processes.
var subreaper = sync.OnceFunc(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) })

// reap waits until no process of the program's user is left, reaping the
// ones orphaned to this process, so that the next trial's program (the
// same user, the same bound on processes) does not find them there. What
// is still running after killWait is killed. The user is the runner
// slot's alone, so every process it owns is this program's.
func (p *Program) reap() {
	if p.uid == 0 || os.Geteuid() != 0 {
		return
	}
	deadline, killed := time.Now().Add(killWait), false
	for {
		procs := userProcs(p.uid)
		for _, pr := range procs {
			if pr.zombie && pr.ppid == os.Getpid() {
				var ws unix.WaitStatus
				unix.Wait4(pr.pid, &ws, unix.WNOHANG, nil) // only this pid: exec's children are left alone
			}
		}
		switch {
		case len(procs) == 0:
			return
		case time.Now().Before(deadline):
		case !killed:
			for _, pr := range procs {
				syscall.Kill(pr.pid, syscall.SIGKILL)
			}
			deadline, killed = time.Now().Add(killWait), true
		default:
			return // the next start says what is wrong
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A proc is a process as /proc/<pid>/status shows it.
type proc struct {
	pid, ppid int
	zombie    bool
}

// userProcs lists the processes whose real user is uid.
func userProcs(uid int) []proc {
	entries, _ := os.ReadDir("/proc")
	var procs []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		pr, mine := proc{pid: pid}, false
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			switch f[0] {
			case "State:":
				pr.zombie = f[1] == "Z"
			case "PPid:":
				pr.ppid, _ = strconv.Atoi(f[1])
			case "Uid:":
				mine = f[1] == strconv.Itoa(uid)
			}
		}
		if mine {
			procs = append(procs, pr)
		}
	}
	return procs
}
