package sandbox

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// A sandboxed program sees its own user, no network but loopback, no
// other process, none of the machine's files but /usr, and only the
// environment it was given.
func TestSandbox(t *testing.T) {
	s, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	script := `id -u; ls /proc 2>&1 | head -1; ls / | tr '\n' ' '; echo; env | sort | tr '\n' ' '; echo; cat /etc/hostname 2>&1 | head -1; taskset -c 0 true 2>&1 | head -1`
	cmd, release, err := s.Command(context.Background(), Spec{Args: []string{"/usr/bin/sh", "-c", script}, System: true,
		UID: RunUID, Procs: 16, Env: []string{"ONLY=this"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	release()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if want := strconv.Itoa(RunUID); lines[0] != want {
		t.Errorf("uid: got %q, want %s", lines[0], want)
	}
	if !strings.Contains(lines[1], "No such file") {
		t.Errorf("/proc: got %q, want none", lines[1])
	}
	for _, f := range strings.Fields(lines[2]) {
		if f != "usr" && f != "bin" && f != "lib" && f != "lib64" && f != "tmp" && f != "dev" {
			t.Errorf("the root holds %s: want only usr, its links, tmp and dev (all: %s)", f, lines[2])
		}
	}
	if !strings.Contains(lines[5], "Operation not permitted") {
		t.Errorf("taskset in the sandbox: got %q, want its affinity refused (seccomp)", lines[5])
	}
	if env := strings.Fields(lines[3]); len(env) > 3 || !strings.Contains(lines[3], "ONLY=this") {
		t.Errorf("environment: got %q, want ONLY=this (and the shell's PWD, SHLVL)", lines[3])
	}
}
