package process

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// UsableCPUs returns the ids of the CPUs this process may use: its
// affinity mask, capped by the CPU quota of its cgroup (cpu.max) where one
// is set, since a quota of two CPUs on a 16-CPU machine lets two of them
// be busy at once, not sixteen.
func UsableCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("process: read the CPU affinity: %w", err)
	}
	cpus := cpuList(&set)
	if q, ok := cgroupQuota(); ok && q < len(cpus) {
		cpus = cpus[:q]
	}
	return cpus, nil
}

// Slots splits cpus into runner slots of perRun CPUs each, in order; CPUs
// left over are not used. perRun must be 1..len(cpus).
func Slots(cpus []int, perRun int) ([][]int, error) {
	if perRun < 1 || perRun > len(cpus) {
		return nil, fmt.Errorf("cores per run must be 1..%d (the usable CPUs), got %d", len(cpus), perRun)
	}
	var slots [][]int
	for i := 0; i+perRun <= len(cpus); i += perRun {
		slots = append(slots, cpus[i:i+perRun:i+perRun])
	}
	return slots, nil
}

func cpuList(set *unix.CPUSet) []int {
	var cpus []int
	for i := range len(set) * 64 {
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	return cpus
}

// cgroupQuota returns the most CPUs the cgroup v2 quotas of this process's
// cgroup and its ancestors allow, rounded down (at least 1).
func cgroupQuota() (int, bool) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	group := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			group = rest
		}
	}
	if group == "" {
		return 0, false
	}
	best, found := math.MaxInt, false
	for dir := path.Clean(group); ; dir = path.Dir(dir) {
		if b, err := os.ReadFile(path.Join("/sys/fs/cgroup", dir, "cpu.max")); err == nil {
			if n, ok := parseCPUMax(string(b)); ok {
				best, found = min(best, n), true
			}
		}
		if dir == "/" || dir == "." {
			break
		}
	}
	return best, found
}

// parseCPUMax reads a cgroup v2 cpu.max ("200000 100000": 2 CPUs; "max
// 100000": no quota) as a whole number of CPUs, at least 1.
func parseCPUMax(s string) (int, bool) {
	f := strings.Fields(s)
	if len(f) == 0 || f[0] == "max" {
		return 0, false
	}
	quota, err := strconv.ParseFloat(f[0], 64)
	if err != nil || quota <= 0 {
		return 0, false
	}
	period := 100000.0
	if len(f) > 1 {
		if p, err := strconv.ParseFloat(f[1], 64); err == nil && p > 0 {
			period = p
		}
	}
	return max(1, int(quota/period)), true
}
