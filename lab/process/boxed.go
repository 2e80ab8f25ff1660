package process

import (
	"os/exec"

	"golang.org/x/sys/unix"
)

// RunBoxed runs cmd to its end pinned to cpus, with its whole process tree
// held under memory bytes by lim's mechanism (as a run's child is): for
// work that must keep to a runner slot's cores and a bound, such as a
// learner's build. over says the tree passed memory and was killed.
func RunBoxed(cmd *exec.Cmd, cpus []int, lim *Memory, memory int64) (over bool, err error) {
	b, err := lim.newBox(memory)
	if err != nil {
		return false, err
	}
	if err := b.start(cmd, cpus); err != nil {
		return false, err
	}
	// Reap the leader only after what it left in its tree is killed.
	var info unix.Siginfo
	unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
	over, _ = b.end()
	return over, cmd.Wait()
}
