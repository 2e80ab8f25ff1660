// Package sandbox starts programs the lab must not trust, a learner's
// program and the compiler working on a learner's code, with bubblewrap:
// every namespace unshared (no network, no other process in view, no
// cgroup paths), a file system of nothing but what is bound into it,
// read-only but for a private /tmp, an empty environment, no
// capabilities, no new user namespaces, its own session (no terminal to
// push keystrokes into), and, when the server runs as root, an unprivileged
// user of its own with a bound on its processes and threads.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The users sandboxed programs run as when the server runs as root: the
// compiler as BuildUID, a run's program as RunUID plus its slot's index,
// so that the bound on processes (counted per user) is each run's own.
const (
	BuildUID = 61000
	RunUID   = 61001
)

// A Sandbox starts programs with bubblewrap (bwrap).
type Sandbox struct {
	bwrap, prlimit string
	root           bool // the server is root: programs get users of their own
}

// New looks for bubblewrap, without trying it (Find does).
func New() (*Sandbox, error) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, errors.New("bubblewrap (bwrap) is not installed: install the bubblewrap package")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		return nil, errors.New("prlimit is not installed: install the util-linux package")
	}
	return &Sandbox{bwrap: bwrap, prlimit: prlimit, root: os.Geteuid() == 0}, nil
}

// Find looks for bubblewrap and tries it; the error says why the lab
// cannot sandbox a program here. The server must be root: only then do
// sandboxed programs get users of their own and a bound on their
// processes.
func Find() (*Sandbox, error) {
	s, err := New()
	if err != nil {
		return nil, err
	}
	if !s.root {
		return nil, errors.New("the server does not run as root, so it cannot give learners' programs users of their own and a bound on their processes")
	}
	// A program the system has, with the system's libraries bound in.
	cmd, release, err := s.Command(context.Background(), Spec{Args: []string{"/usr/bin/true"}, System: true, UID: BuildUID, Procs: 16})
	if err != nil {
		return nil, err
	}
	out, err := cmd.CombinedOutput()
	release()
	if err != nil {
		return nil, fmt.Errorf("bubblewrap cannot make a sandbox here: %v: %s", err, out)
	}
	return s, nil
}

// User says who sandboxed programs run as, for the log and the page.
func (s *Sandbox) User() string {
	if s.root {
		return "users " + strconv.Itoa(BuildUID) + " (builds) and " + strconv.Itoa(RunUID) + "+slot (runs)"
	}
	return "the server's own user, in a user namespace"
}

// A Mount binds an open file or directory (opened with OpenPath) into
// the sandbox at Dest.
type Mount struct {
	File  *os.File
	Dest  string
	Write bool
}

// A Spec is what a sandboxed program gets.
type Spec struct {
	// Args is the program, as the sandbox sees it, and its arguments.
	Args []string
	// Files are the descriptors the program gets from 3 on.
	Files []*os.File
	// Mounts are the files and directories bound in.
	Mounts []Mount
	// Env is the whole environment (KEY=value).
	Env []string
	// Dir is the working directory inside ("/" if empty).
	Dir string
	// System binds /usr (and its /lib, /lib64, /bin links) read-only:
	// the compiler and dynamically linked programs need it.
	System bool
	// UID is the user the program runs as when the server is root.
	UID int
	// Procs bounds the processes and threads of UID (RLIMIT_NPROC), where
	// the server is root (Find refuses a server that is not).
	Procs int
	// FileSize bounds each file the program writes, in bytes
	// (RLIMIT_FSIZE); 0: no bound.
	FileSize int64
}

// Command returns the command that starts spec's program in a sandbox,
// and release, which closes this process's copy of the seccomp filter
// once the command has started (or failed to). Killing its process group
// (Setpgid is set) kills the sandbox, and with it every process inside:
// they are in a process namespace of its own.
func (s *Sandbox) Command(ctx context.Context, spec Spec) (cmd *exec.Cmd, release func(), err error) {
	seccomp, err := filterFile()
	if err != nil {
		return nil, nil, err
	}
	args := []string{"--unshare-all", "--unshare-user", "--disable-userns",
		"--die-with-parent", "--new-session", "--clearenv",
		"--cap-drop", "ALL", "--hostname", "sandbox",
		"--size", strconv.Itoa(tmpSize), "--tmpfs", "/tmp", "--dev", "/dev"}
	files := append([]*os.File(nil), spec.Files...)
	files = append(files, seccomp)
	args = append(args, "--seccomp", strconv.Itoa(3+len(files)-1))
	if spec.System {
		args = append(args, "--ro-bind", "/usr", "/usr",
			"--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
			"--symlink", "usr/bin", "/bin")
	}
	for _, m := range spec.Mounts {
		fd := strconv.Itoa(3 + len(files))
		files = append(files, m.File)
		if m.Write {
			args = append(args, "--bind-fd", fd, m.Dest)
		} else {
			args = append(args, "--ro-bind-fd", fd, m.Dest)
		}
	}
	args = append(args, "--remount-ro", "/")
	for _, kv := range spec.Env {
		k, v, _ := strings.Cut(kv, "=")
		args = append(args, "--setenv", k, v)
	}
	if spec.Dir != "" {
		args = append(args, "--chdir", spec.Dir)
	}
	args = append(args, "--")
	args = append(args, spec.Args...)

	name := s.bwrap
	var limits []string
	if s.root && spec.Procs > 0 {
		n := strconv.Itoa(spec.Procs)
		limits = append(limits, "--nproc="+n+":"+n)
	}
	if spec.FileSize > 0 {
		n := strconv.FormatInt(spec.FileSize, 10)
		limits = append(limits, "--fsize="+n+":"+n)
	}
	if len(limits) > 0 {
		args = append(append(limits, "--", s.bwrap), args...)
		name = s.prlimit
	}
	cmd = exec.CommandContext(ctx, name, args...)
	cmd.Env = []string{}
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if s.root {
		uid := uint32(spec.UID)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: uid, Groups: []uint32{}}
	}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, func() { seccomp.Close() }, nil
}

// tmpSize bounds a sandbox's private /tmp, in bytes.
const tmpSize = 256 << 20

// OpenPath opens path to bind it into a sandbox: a handle that reads
// nothing itself, so the sandbox's user needs no right to the path.
func OpenPath(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}
