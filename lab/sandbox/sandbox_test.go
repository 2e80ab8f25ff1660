package sandbox

import (
	"context"
	"os"
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
	script := `id -u; ls /proc 2>&1 | head -1; ls / | tr '\n' ' '; echo; env | sort | tr '\n' ' '; echo; cat /etc/hostname 2>&1 | head -1`
	cmd := s.Command(context.Background(), Spec{Args: []string{"/usr/bin/sh", "-c", script}, System: true,
		UID: RunUID, Procs: 16, Env: []string{"ONLY=this"}})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	want := "0"
	if os.Geteuid() == 0 {
		want = strconv.Itoa(RunUID)
	} else {
		want = strconv.Itoa(os.Getuid())
	}
	if lines[0] != want {
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
	if env := strings.Fields(lines[3]); len(env) > 3 || !strings.Contains(lines[3], "ONLY=this") {
		t.Errorf("environment: got %q, want ONLY=this (and the shell's PWD, SHLVL)", lines[3])
	}
}
