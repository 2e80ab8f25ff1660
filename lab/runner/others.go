package runner

// Other programs on a run's cores. Pinning keeps the lab's runs apart; it
// cannot keep other programs off those cores. The kernel counts each CPU's
// busy time (/proc/stat); what the pinned CPUs were busy with beyond the
// run's own CPU time went to other programs, or to the hypervisor's other
// guests (steal).

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// clockTick is the unit of /proc/stat's times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// Affinity returns the CPUs this process may run on; nil where unknown.
func Affinity() []int {
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) != nil {
		return nil
	}
	var cpus []int
	for i := range len(set) * 64 {
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	return cpus
}

// busyTime returns how long the given CPUs have been busy in all since
// the machine started: user, nice, system, irq, softirq and steal time
// (not idle, not iowait). ok is false where /proc/stat cannot be read.
func busyTime(stat []byte, cpus []int) (busy time.Duration, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(stat))
	found := 0
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 9 || !bytes.HasPrefix(f[0], []byte("cpu")) || len(f[0]) == 3 {
			continue
		}
		n, err := strconv.Atoi(string(f[0][3:]))
		if err != nil || !slices.Contains(cpus, n) {
			continue
		}
		found++
		for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
			t, _ := strconv.ParseInt(string(f[i]), 10, 64)
			busy += time.Duration(t) * clockTick
		}
	}
	return busy, found == len(cpus) && found > 0
}

// A cpuShare adds up, over trials, the pinned CPUs' time and how much of
// it other programs took.
type cpuShare struct {
	cpus     []int
	others   time.Duration
	capacity time.Duration
	ok       bool
}

// sample is one reading before or after a trial.
type sample struct {
	busy time.Duration
	own  time.Duration
	at   time.Time
	ok   bool
}

func (c *cpuShare) read() sample {
	if len(c.cpus) == 0 {
		return sample{}
	}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return sample{}
	}
	busy, ok := busyTime(stat, c.cpus)
	return sample{busy: busy, own: ownCPU(), at: time.Now(), ok: ok}
}

// add counts the span between two readings.
func (c *cpuShare) add(from, to sample) {
	if !from.ok || !to.ok {
		return
	}
	c.ok = true
	// Signed: the busy time comes in 10 ms ticks, the run's own CPU time
	// exactly, so one trial's difference errs either way; the errors cancel
	// over many trials, and pct clamps the sum once.
	c.others += (to.busy - from.busy) - (to.own - from.own)
	c.capacity += to.at.Sub(from.at) * time.Duration(len(c.cpus))
}

// minCapacity is the least CPU time a share is told over: the kernel
// counts busy time in 10 ms ticks, so over less a single tick of another
// program's would read as a large share.
const minCapacity = 100 * time.Millisecond

// pct is the others' share of the CPUs' time in percent, rounded; nil
// where it could not be measured, or over too little time to tell.
func (c *cpuShare) pct() *float64 {
	if !c.ok || c.capacity < minCapacity {
		return nil
	}
	p := math.Round(100 * min(1, max(0, float64(c.others)/float64(c.capacity))))
	return &p
}

// ownCPU is this process's CPU time, its children's included (a trial's
// process of its own, the race detector's program).
func ownCPU() time.Duration {
	var self, children unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &self)
	unix.Getrusage(unix.RUSAGE_CHILDREN, &children)
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + children.Utime.Nano() + children.Stime.Nano())
}
