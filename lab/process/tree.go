package process

// Reading a run's process tree: the pids in its cgroup or its process
// group and their descendants, the private memory they hold, and what the
// kernel's cgroup accounting says of the group.

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// homeTasks returns the file the forking thread writes its id to, to go
// back to the server's group (cgroup v1).
func (m *Memory) homeTasks() string {
	if m == nil || m.home == "" {
		return ""
	}
	return filepath.Join(m.home, "tasks")
}

// groupPids lists the processes in the cgroup at dir.
func groupPids(dir string) []int {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// groupOOMKills returns how many processes of the group at dir the
// kernel killed for passing its limit.
func (m *Memory) groupOOMKills(dir string) int64 {
	file := "memory.oom_control" // v1
	if m.mech == MechCgroupV2 {
		file = "memory.events"
	}
	return keyedValue(filepath.Join(dir, file), "oom_kill")
}

// groupPeak returns the most memory the group at dir was charged with.
func (m *Memory) groupPeak(dir string) int64 {
	file := "memory.max_usage_in_bytes" // v1
	if m.mech == MechCgroupV2 {
		file = "memory.peak"
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// keyedValue reads the number after key in a file of "key value" lines.
func keyedValue(file, key string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// treePids returns leader, the processes of its process group, and their
// descendants (a process that left the group is still the run's).
func treePids(leader int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return []int{leader}
	}
	parent := make(map[int]int)
	in := map[int]bool{leader: true}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, pgrp, ok := procStat(pid)
		if !ok {
			continue
		}
		parent[pid] = ppid
		if pgrp == leader {
			in[pid] = true
		}
	}
	for grew := true; grew; {
		grew = false
		for pid, ppid := range parent {
			if !in[pid] && in[ppid] {
				in[pid], grew = true, true
			}
		}
	}
	pids := make([]int, 0, len(in))
	for pid := range in {
		pids = append(pids, pid)
	}
	return pids
}

// procStat reads a process's parent and process group from /proc.
func procStat(pid int) (ppid, pgrp int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name may hold spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	return ppid, pgrp, err1 == nil && err2 == nil
}

// privateBytes sums the memory the processes own: their private pages,
// clean and dirty, and their swap, from /proc/PID/smaps_rollup. Pages of
// shared libraries that other processes map too are not theirs.
func privateBytes(pids []int) int64 {
	var total int64
	for _, pid := range pids {
		total += privateOf(pid)
	}
	return total
}

func privateOf(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	var kib int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "Private_Clean" && k != "Private_Dirty" && k != "Swap") {
			continue
		}
		if f := strings.Fields(v); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			kib += n
		}
	}
	return kib << 10
}
