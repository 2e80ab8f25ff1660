package process

// How a run's memory is limited: over its whole process tree, counting
// only what the run owns (not the shared libraries every process maps).
// Where the server may create cgroups, each run gets a memory group of its
// own that its child is in from its start; elsewhere the parent polls the
// private memory of the run's process group and of its descendants.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

// Mechanisms a Memory uses, as Mechanism names them.
const (
	MechCgroupV1 = "cgroup-v1"
	MechCgroupV2 = "cgroup-v2"
	MechPrivate  = "private-memory polling"
)

// Memory limits the memory of each run's process tree with one mechanism,
// picked once by DetectMemory. The zero value polls private memory.
type Memory struct {
	mech string
	// base is the folder holding the runs' groups (cgroups only); home is
	// the group the server's threads are in (cgroup v1: where the forking
	// thread goes back to).
	base, home string
	n          atomic.Int64 // groups made, for their names
}

// DetectMemory returns the mechanism this machine allows: a cgroup v2
// memory group per run where the server's group may have children with
// the memory controller, else a cgroup v1 memory group where the memory
// hierarchy is mounted and writable, else polling of private memory. why
// says what ruled out the cgroups, for the log.
func DetectMemory() (m *Memory, why string) {
	v2, v1, err := cgroupMounts()
	if err != nil {
		return &Memory{mech: MechPrivate}, err.Error()
	}
	var reasons []string
	if v2 != "" {
		if m, err := newV2(v2); err == nil {
			return m, ""
		} else {
			reasons = append(reasons, err.Error())
		}
	}
	if v1 != "" {
		if m, err := newV1(v1); err == nil {
			return m, ""
		} else {
			reasons = append(reasons, err.Error())
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no cgroup memory controller is mounted")
	}
	return &Memory{mech: MechPrivate}, strings.Join(reasons, "; ")
}

// Mechanism names the mechanism m uses.
func (m *Memory) Mechanism() string {
	if m == nil || m.mech == "" {
		return MechPrivate
	}
	return m.mech
}

// Close removes the folder of the runs' groups; every run must have ended.
func (m *Memory) Close() error {
	if m == nil || m.base == "" {
		return nil
	}
	if err := os.Remove(m.base); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("process: remove the runs' cgroup folder: %w", err)
	}
	return nil
}

// cgroupMounts finds the cgroup v2 mount whose controllers include
// memory, and the cgroup v1 memory hierarchy's mount.
func cgroupMounts() (v2, v1 string, err error) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return "", "", fmt.Errorf("process: read the mounts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		dir, typ, opts := fields[1], fields[2], strings.Split(fields[3], ",")
		switch {
		case typ == "cgroup2" && v2 == "":
			if b, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers")); err == nil && hasWord(string(b), "memory") {
				v2 = dir
			}
		case typ == "cgroup" && v1 == "" && hasWord(strings.Join(opts, " "), "memory"):
			v1 = dir
		}
	}
	return v2, v1, sc.Err()
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// ownGroup returns this process's group in the hierarchy whose
// /proc/self/cgroup line matches: "0::" for v2, a controller for v1.
func ownGroup(match func(controllers string) bool) (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("process: read this process's cgroups: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && match(parts[1]) {
			return parts[2], nil
		}
	}
	return "", errors.New("process: this process is in no such cgroup")
}

func newV1(mount string) (*Memory, error) {
	rel, err := ownGroup(func(c string) bool { return hasWord(strings.ReplaceAll(c, ",", " "), "memory") })
	if err != nil {
		return nil, fmt.Errorf("cgroup v1: %w", err)
	}
	home := filepath.Join(mount, rel)
	base := filepath.Join(home, "concurrencylab-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(base, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cgroup v1: create a memory group: %w", err)
	}
	if _, err := os.Stat(filepath.Join(base, "memory.limit_in_bytes")); err != nil {
		os.Remove(base)
		return nil, fmt.Errorf("cgroup v1: the new group has no memory limit: %w", err)
	}
	return &Memory{mech: MechCgroupV1, base: base, home: home}, nil
}

func newV2(mount string) (*Memory, error) {
	rel, err := ownGroup(func(c string) bool { return c == "" })
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	home := filepath.Join(mount, rel)
	base := filepath.Join(home, "concurrencylab-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(base, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cgroup v2: create a group: %w", err)
	}
	// The runs' groups under base need the memory controller handed down
	// twice; a group with processes of its own may refuse (no internal
	// processes), and then polling it is.
	for _, dir := range []string{home, base} {
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
			os.Remove(base)
			return nil, fmt.Errorf("cgroup v2: enable memory for child groups of %s: %w", dir, err)
		}
	}
	return &Memory{mech: MechCgroupV2, base: base, home: home}, nil
}
