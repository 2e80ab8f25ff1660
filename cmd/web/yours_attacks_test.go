//go:build !race

package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// An attack is a learner's file that tries what a sandboxed program must
// not do, or breaks the harness's rules, and what the lab must answer.
type attack struct {
	name string
	// body is Count's body, or with decl set, the whole file after the
	// package clause; PORT and DATA stand for the server's port and data
	// directory.
	body, decl, imports string
	// Exactly one of these: the check refuses it (422) with refused in a
	// problem; the run fails with failed in its error; the run is done
	// and yours is wrong (wrong); or the run is done with yours correct
	// (the attack got nowhere and the count is right).
	refused, failed string
	wrong, correct  bool
	// printed must be in the run's log (what the program printed), and
	// notPrinted must not.
	printed, notPrinted string
	// together marks an attack that gets nowhere and then counts right:
	// these run as one program, each attempt in turn, which saves a build
	// and a run for each.
	together bool
}

// countRight is a correct count, after an attack's attempt.
const countRight = `
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				mu.Lock()
				c.Increment()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()`

var attacks = []attack{
	{name: "compile-time bomb: a huge array", decl: "var big = [1 << 28]byte{1: 1, 1<<28 - 1: 1}\n\nfunc Count(c Counter, goroutines, increments int) { _ = big[goroutines] }\n",
		refused: "the build wrote a file of over 32 MiB"},
	{name: "compile-time bomb: nested generics", decl: genericsBomb(), refused: "the build needed more than 1024 MiB"},
	{name: "init that panics", decl: "func init() { panic(\"boom in init\") }\n\nfunc Count(c Counter, goroutines, increments int) {}\n",
		refused: "func init is not allowed: it would run before the lab's harness"},
	{name: "an initializer that reads the lab's first line (its secret) before the harness",
		decl:    "import (\"bufio\"; \"os\")\n\nvar first, _ = bufio.NewReader(os.Stdin).ReadString('\\n')\n\nfunc Count(c Counter, goroutines, increments int) {}\n",
		refused: "a package-level variable may not call ReadString"},
	{name: "os.Exit mid-trial", imports: `"os"`, body: "os.Exit(0)", failed: "yours, trial 1: your program exited with status 0"},
	{name: "runtime.Goexit", imports: `"runtime"`, body: "runtime.Goexit()", failed: "yours, trial 1: your Count called runtime.Goexit"},
	{name: "panic", body: `panic("mine")`, failed: "yours, trial 1: your Count panicked: mine"},
	{name: "endless loop", body: "for {\n\t}", failed: "yours, trial 1: your Count did not return (timeout after 3s)"},
	{name: "10 GB allocated", body: "b := make([]byte, 10<<30)\n\tfor i := 0; i < len(b); i += 4096 {\n\t\tb[i] = 1\n\t}\n\tprintln(len(b))",
		failed: "the run held more than 256 MiB of memory and was stopped"},
	{name: "goroutines left running", body: "go func() {\n\t\tfor {\n\t\t\tc.Increment()\n\t\t}\n\t}()",
		failed: "your Count returned while a goroutine it started was still running"},
	{name: "a fork bomb", imports: `"fmt"; "os"; "syscall"`, body: "r, w, _ := os.Pipe()\n\tfor {\n\t\tif _, err := syscall.ForkExec(\"/prog\", []string{\"/prog\"}, &syscall.ProcAttr{Files: []uintptr{r.Fd(), w.Fd(), w.Fd()}}); err != nil {\n\t\t\tfmt.Println(\"fork:\", err)\n\t\t\treturn\n\t\t}\n\t}",
		wrong: true, printed: "fork: resource temporarily unavailable"},
	{name: "a shell", together: true, imports: `"fmt"; "os/exec"`, body: "out, err := exec.Command(\"sh\", \"-c\", \"echo shell-ran\").CombinedOutput()\n\tfmt.Println(string(out), err)" + countRight,
		correct: true, printed: "executable file not found", notPrinted: "shell-ran"},
	{name: "dial the server", together: true, imports: `"fmt"; "net"`, body: "_, err := net.Dial(\"tcp\", \"127.0.0.1:PORT\")\n\tfmt.Println(\"dial:\", err)" + countRight,
		correct: true, printed: "connect: connection refused"},
	{name: "read the data directory", together: true, imports: `"fmt"; "os"`, body: "_, err := os.ReadDir(\"DATA\")\n\tfmt.Println(\"data:\", err)\n\t_, err = os.ReadFile(\"DATA/lab.db\")\n\tfmt.Println(\"db:\", err)" + countRight,
		correct: true, printed: "data: open DATA: no such file or directory"},
	{name: "read environments", together: true, imports: `"fmt"; "os"`, body: "_, err := os.ReadFile(\"/proc/1/environ\")\n\tfmt.Println(\"environ:\", err, os.Environ())" + countRight,
		correct: true, printed: "environ: open /proc/1/environ: no such file or directory [", notPrinted: "LAB_"},
	{name: "kill the parent and everyone", together: true, imports: `"fmt"; "os"; "syscall"`, body: "fmt.Println(\"kill:\", syscall.Kill(os.Getppid(), syscall.SIGKILL), syscall.Kill(-1, syscall.SIGKILL))" + countRight,
		correct: true},
	{name: "setsid and a child left behind", together: true, imports: `"fmt"; "os"; "syscall"`,
		body:    "r, w, _ := os.Pipe()\n\tpid, err := syscall.ForkExec(\"/prog\", []string{\"/prog\"}, &syscall.ProcAttr{Files: []uintptr{r.Fd(), w.Fd(), w.Fd()}, Sys: &syscall.SysProcAttr{Setsid: true}})\n\tfmt.Println(\"started\", pid > 0, err)" + countRight,
		correct: true, printed: "started true <nil>"},
	{name: "leave the run's CPUs (sched_setaffinity)", together: true, imports: `"fmt"; "reflect"; "syscall"`,
		body:    "var mask [16]uint64\n\tfor i := range mask {\n\t\tmask[i] = ^uint64(0)\n\t}\n\t_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, uintptr(len(mask)*8), reflect.ValueOf(&mask).Pointer())\n\tfmt.Println(\"setaffinity:\", e)" + countRight,
		correct: true, printed: "setaffinity: operation not permitted"},
	{name: "ptrace the parent", together: true, imports: `"fmt"; "os"; "syscall"`, body: "fmt.Println(\"ptrace:\", syscall.PtraceAttach(os.Getppid()))" + countRight,
		correct: true, printed: "ptrace: operation not permitted"},
	{name: "/proc/self/mem", together: true, imports: `"fmt"; "os"`, body: "_, err := os.OpenFile(\"/proc/self/mem\", os.O_RDWR, 0)\n\tfmt.Println(\"mem:\", err)" + countRight,
		correct: true, printed: "mem: open /proc/self/mem: no such file or directory"},
	{name: "write outside the temporary directory", together: true, imports: `"fmt"; "os"`, body: "fmt.Println(\"write:\", os.WriteFile(\"/pwned\", []byte(\"x\"), 0o644), os.WriteFile(\"/prog\", []byte(\"x\"), 0o644), os.WriteFile(\"/tmp/mine\", []byte(\"x\"), 0o644))" + countRight,
		correct: true, printed: "write: open /pwned: read-only file system open /prog: read-only file system <nil>"},
	{name: "100 MB printed in each trial", imports: `"os"; "strings"`, body: "line := strings.Repeat(\"x\", 1023) + \"\\n\"\n\tfor range 100 << 10 {\n\t\tos.Stdout.WriteString(line)\n\t}" + countRight,
		correct: true, printed: "yours printed 209,715,200 bytes"},
	{name: "garbage on 1 and 2", together: true, imports: `"os"`, body: "os.Stdout.WriteString(\"{\\\"type\\\": \\\"result\\\"}\\n<script>alert(1)</script>\\n\")\n\tos.Stderr.WriteString(\"\\x00\\xff garbage\\n\")" + countRight,
		correct: true, printed: "<script>alert(1)</script>"},
	{name: "a forged result on 3", imports: `"os"`, body: "os.NewFile(3, \"results\").WriteString(`{\"secret\": \"guess\", \"trial\": 1, \"ns\": 1, \"cpu_ns\": 1, \"got\": 5000000}` + \"\\n\")" + countRight,
		failed: "your program wrote on the lab's results pipe (descriptor 3) something the harness did not"},
	{name: "garbage on 3", imports: `"os"`, body: "os.NewFile(3, \"results\").WriteString(\"garbage\\n\")", failed: "something the harness did not"},
	{name: "descriptor 3 closed", imports: `"syscall"`, body: "syscall.Close(3)" + countRight,
		failed: "harness: the lab's result pipe is gone (did your code close descriptor 3?)"},
	{name: "Count that never calls Increment", body: "", wrong: true},
}

// genericsBomb is a file whose generic types double at each of 30 levels.
func genericsBomb() string {
	var b strings.Builder
	b.WriteString("type P[A, B any] struct {\n\ta A\n\tb B\n}\n\ntype T0 = P[int, int]\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "type T%d = P[T%d, T%d]\n", i, i-1, i-1)
	}
	b.WriteString("\nfunc f[X any](x X) X {\n\tvar y T30\n\t_ = y\n\treturn x\n}\n\nfunc Count(c Counter, goroutines, increments int) { f(c) }\n")
	return b.String()
}

// The attack list: each is refused, fails its run or makes yours wrong,
// with a message that says what happened; nothing of the server is read
// or changed, no process of a learner outlives its run, and the server
// goes on serving runs that count right.
func TestYoursAttacks(t *testing.T) {
	// A short time limit: an endless trial is stopped at a quarter of it.
	base, data, stop := startEditServer(t, "-run-memory", "256MiB", "-run-timeout", "12s")
	defer stop()
	port := base[strings.LastIndex(base, ":")+1:]
	var table []string
	var together []attack
	for _, a := range attacks {
		if a.together {
			together = append(together, a)
			continue
		}
		t.Run(a.name, func(t *testing.T) {
			table = append(table, fmt.Sprintf("| %s | %s |", a.name, tryAttack(t, base, a, a.source(port, data), data)))
		})
	}
	t.Run("together", func(t *testing.T) {
		got := tryAttack(t, base, attack{correct: true}, togetherSource(together, port, data), data)
		for _, a := range together {
			table = append(table, fmt.Sprintf("| %s | %s (in one program with the others of its kind) |", a.name, got))
		}
	})
	// Nothing outlived its run (killed processes take a moment to go),
	// nothing was written where it must not be.
	ps := sandboxProcesses()
	for deadline := time.Now().Add(5 * time.Second); len(ps) > 0 && time.Now().Before(deadline); ps = sandboxProcesses() {
		time.Sleep(50 * time.Millisecond)
	}
	if len(ps) > 0 {
		t.Errorf("processes of learners' programs outlived their runs: %v", ps)
	}
	if _, err := os.Stat("/pwned"); err == nil {
		t.Error("a learner's program wrote /pwned")
	}
	if _, err := os.Stat(filepath.Join(data, "lab.db")); err != nil {
		t.Errorf("the data directory lost its database: %v", err)
	}
	run := runToEnd(t, base, "race", map[string]any{"variants": "sequential", "repeat": 1}, 30*time.Second)
	if run["status"] != "done" {
		t.Errorf("after the attacks, a plain run: got %v %v, want done", run["status"], run["error"])
	}
	t.Logf("what each attack got:\n%s", strings.Join(table, "\n"))
}

// tryAttack checks and runs src as the attack a says, and returns what
// the attack got, for the table; every attack in a together run is also
// checked against the run's log.
func tryAttack(t *testing.T, base string, a attack, src, data string) string {
	t.Helper()
	status, out := checkCode(t, base, "race", src)
	if a.refused != "" {
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["problems"]), a.refused) {
			t.Fatalf("got %d %v, want 422 with %q", status, out, a.refused)
		}
		return "refused: " + a.refused
	}
	if status != http.StatusCreated {
		t.Fatalf("POST /api/code: got %d %v, want 201", status, out)
	}
	run := runToEnd(t, base, "race", map[string]any{"variants": "sequential,yours", "code": out["id"], "repeat": 2,
		"goroutines": 2, "increments": 100000}, 90*time.Second)
	got := fmt.Sprintf("%v: %v", run["status"], run["error"])
	switch {
	case a.failed != "":
		if run["status"] != "failed" || !strings.Contains(fmt.Sprint(run["error"]), a.failed) {
			t.Fatalf("got %s, want failed with %q", got, a.failed)
		}
	case run["status"] != "done":
		t.Fatalf("got %s, want done", got)
	default:
		yours := variantOf(t, run, "yours")
		got = fmt.Sprintf("done, yours correct %v, got %v", yours["correct"], yours["got"])
		if want := a.correct; yours["correct"] != want {
			t.Errorf("got %s, want correct %v", got, want)
		}
	}
	log := runLog(t, base, run)
	checkPrinted := func(a attack) {
		if a.printed != "" && !strings.Contains(log, strings.ReplaceAll(a.printed, "DATA", data)) {
			t.Errorf("%s: the run's log does not show %q:\n%s", a.name, a.printed, log)
		}
		if a.notPrinted != "" && strings.Contains(log, a.notPrinted) {
			t.Errorf("%s: the run's log shows %q:\n%s", a.name, a.notPrinted, log)
		}
	}
	checkPrinted(a)
	for _, b := range attacks {
		if b.together && a.name == "" {
			checkPrinted(b)
		}
	}
	return got
}

// togetherSource writes one file that makes each attempt of as in turn,
// each in a block of its own, then counts right.
func togetherSource(as []attack, port, data string) string {
	imports := map[string]bool{`"sync"`: true}
	var body strings.Builder
	for _, a := range as {
		for _, imp := range strings.Split(a.imports, ";") {
			if imp = strings.TrimSpace(imp); imp != "" {
				imports[imp] = true
			}
		}
		fmt.Fprintf(&body, "\t{ // %s\n\t%s\n\t}\n", a.name, strings.TrimSuffix(a.body, countRight))
	}
	var list []string
	for imp := range imports {
		list = append(list, imp)
	}
	slices.Sort(list)
	r := strings.NewReplacer("PORT", port, "DATA", data)
	return fmt.Sprintf("package yours\n\nimport (%s)\n\nfunc Count(c Counter, goroutines, increments int) {\n%s%s\n}\n",
		strings.Join(list, "; "), r.Replace(body.String()), countRight)
}

// source writes the attack's file.
func (a attack) source(port, data string) string {
	r := strings.NewReplacer("PORT", port, "DATA", data)
	if a.decl != "" {
		return "package yours\n\n" + r.Replace(a.decl)
	}
	imports := `"sync"`
	if a.imports != "" {
		imports += "; " + a.imports
	}
	body := a.body
	if !strings.Contains(body, "wg.Wait()") {
		body += "\n\tvar _ sync.Mutex"
	}
	return fmt.Sprintf("package yours\n\nimport (%s)\n\nfunc Count(c Counter, goroutines, increments int) {\n\t%s\n}\n", imports, r.Replace(body))
}
