//go:build !race

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testLease is the lease the runners under test hold runs with, so a
// killed runner's run is interrupted within seconds.
const testLease = "3s"

// A cluster is PostgreSQL, web servers that only serve (-runners 0) and
// runner processes (bin/runner -db), each runner pinned to one CPU.
type cluster struct {
	db      string
	web     []string // base URLs
	runners []*runnerProc
}

// runnerProc is one bin/runner -db process.
type runnerProc struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed when it has exited
}

// name is the prefix of env.runner of the runs it executes.
func (r *runnerProc) name() string { return fmt.Sprintf(":%d/", r.cmd.Process.Pid) }

// startCluster starts web servers and runners on one fresh database.
func startCluster(t testing.TB, webs, runners int) *cluster {
	t.Helper()
	c := &cluster{db: newPostgresDB(t)}
	for range webs {
		base, stop := startServer(t, t.TempDir(), "-db", c.db, "-runners", "0", "-cores-per-run", "1")
		t.Cleanup(stop)
		c.web = append(c.web, base)
	}
	cpus := usableCPUs(t, 1)
	for i := range runners {
		c.startRunner(t, cpus[i%len(cpus)])
	}
	return c
}

// startRunner starts a runner pinned to cpu with taskset.
func (c *cluster) startRunner(t testing.TB, cpu int) *runnerProc {
	t.Helper()
	r := &runnerProc{out: &lockedBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command("taskset", "-c", fmt.Sprint(cpu), runnerProgram, "-db", c.db, "-cores-per-run", "1", "-lease", testLease, "-grace", "5s")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start a runner: %v", err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { r.stop(t) })
	c.runners = append(c.runners, r)
	return r
}

// stop stops the runner with SIGTERM and waits for it; a runner already
// stopped is left as it is.
func (r *runnerProc) stop(t testing.TB) {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
		t.Errorf("a runner did not stop within 15s of SIGTERM:\n%s", r.out.String())
	}
	if t.Failed() {
		t.Logf("runner %d said:\n%s", r.cmd.Process.Pid, r.out.String())
	}
}

// clusterRun is a race run of about a third of a second on one CPU here.
const clusterRun = `{"goroutines": 2, "increments": 3000000, "repeat": 3, "variants": "sequential,unsynchronized"}`

// clusterLongRun takes a few seconds.
const clusterLongRun = `{"goroutines": 2, "increments": 5000000, "repeat": 15, "variants": "sequential,unsynchronized"}`

// Two web servers, two runners each pinned to one CPU, one PostgreSQL:
// runs submitted on A execute on both runners and read identically on B;
// 20 watchers on B follow a run from A live, without gaps; a runner
// killed mid-run costs only its run, which is interrupted once its lease
// runs out, and the other runner goes on.
func TestClusterRuns(t *testing.T) {
	c := startCluster(t, 2, 2)
	a, b := c.web[0], c.web[1]

	// Eight runs on A, on both runners, the same on B.
	ids := make([]string, 8)
	for i := range ids {
		ids[i] = submit(t, a, "race", clusterRun)
	}
	on := make(map[*runnerProc]int)
	for _, id := range ids {
		run := waitStatus(t, b, id, 60*time.Second, "done", "failed", "interrupted", "cancelled")
		if run["status"] != "done" {
			t.Fatalf("run %s: got %v (%v), want done", id, run["status"], run["error"])
		}
		env, _ := run["env"].(map[string]any)
		who, _ := env["runner"].(string)
		for _, r := range c.runners {
			if strings.Contains(who, r.name()) && strings.HasPrefix(who, "runner@") {
				on[r]++
			}
		}
		ja, jb := rawGet(t, a+"/api/runs/"+id), rawGet(t, b+"/api/runs/"+id)
		if !bytes.Equal(ja, jb) {
			t.Errorf("run %s reads differently:\nA: %s\nB: %s", id, ja, jb)
		}
		ea, eb := watch(t, a, "/runs/"+id+"/events"), watch(t, b, "/runs/"+id+"/events")
		if fmt.Sprint(ea) != fmt.Sprint(eb) {
			t.Errorf("run %s: events on A and B differ: %d and %d", id, len(ea), len(eb))
		}
		checkSeq(t, id, ea)
	}
	if len(on) != 2 {
		t.Errorf("the eight runs executed on %d runners (%v), want both", len(on), on)
	}

	// Twenty watchers on B follow a run submitted on A.
	id := submit(t, a, "race", clusterLongRun)
	var wg sync.WaitGroup
	got := make([][]map[string]any, 20)
	for i := range got {
		wg.Go(func() { got[i] = watch(t, b, "/runs/"+id+"/events") })
	}
	wg.Wait()
	stored := watch(t, a, "/runs/"+id+"/events")
	for i, evs := range got {
		checkSeq(t, fmt.Sprintf("%s (watcher %d)", id, i), evs)
		if fmt.Sprint(evs) != fmt.Sprint(stored) {
			t.Errorf("watcher %d on B: got %d events, want the %d stored", i, len(evs), len(stored))
		}
	}
	if n := countType(stored, "progress"); n < 2 {
		t.Errorf("the followed run has %d progress events, want it long enough to be followed live", n)
	}

	// A runner killed mid-run: its run is interrupted, the other's done.
	long := []string{submit(t, a, "race", clusterLongRun), submit(t, a, "race", clusterLongRun)}
	held := make(map[string]string) // run -> runner name
	for _, id := range long {
		run := waitStatus(t, b, id, 30*time.Second, "running")
		env, _ := run["env"].(map[string]any)
		held[id], _ = env["runner"].(string)
	}
	victim := c.runners[0]
	victim.cmd.Process.Kill()
	<-victim.done
	killed := time.Now()
	for _, id := range long {
		want := "done"
		if strings.Contains(held[id], victim.name()) {
			want = "interrupted"
		}
		run := waitStatus(t, b, id, 30*time.Second, "done", "interrupted", "failed")
		if run["status"] != want {
			t.Errorf("run %s on %s: got %v (%v), want %s", id, held[id], run["status"], run["error"], want)
		}
		if want == "interrupted" {
			t.Logf("the killed runner's run was interrupted %v after the kill", time.Since(killed).Round(100*time.Millisecond))
			if evs := watch(t, a, "/runs/"+id+"/events"); len(evs) > 0 {
				checkSeq(t, id, evs)
				if last := evs[len(evs)-1]; last["state"] != "interrupted" {
					t.Errorf("run %s's last event: got %v, want status interrupted", id, last)
				}
			}
		}
	}
	after := submit(t, b, "race", clusterRun)
	if run := waitStatus(t, a, after, 30*time.Second, "done", "failed", "interrupted"); run["status"] != "done" {
		t.Errorf("a run after the kill: got %v, want done on the runner left", run["status"])
	}
}

// rawGet returns the body of a GET.
func rawGet(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b
}

// checkSeq checks a run's events are numbered from 0 without gaps.
func checkSeq(t *testing.T, what string, events []map[string]any) {
	t.Helper()
	for i, e := range events {
		if e["seq"] != float64(i) {
			t.Errorf("run %s: event %d has seq %v, want %d", what, i, e["seq"], i)
			return
		}
	}
}

func countType(events []map[string]any, typ string) int {
	n := 0
	for _, e := range events {
		if e["type"] == typ {
			n++
		}
	}
	return n
}

// A session with 30 learners on server A and 30 on server B: a push made
// on A and a room run started on B reach all 60.
func TestClusterRoom(t *testing.T) {
	c := startCluster(t, 2, 1)
	a, b := c.web[0], c.web[1]
	s := createSession(t, a)
	room := append(joinRoom(t, a, s.Code, 30), joinRoom(t, b, s.Code, 30)...)
	from := make([]int, len(room))

	push := `{"experiment": "race", "params": ` + sessionRun + `}`
	if status, out := call(t, "POST", a+"/api/sessions/"+s.Code+"/push", s.Key, push); status != http.StatusOK {
		t.Fatalf("push on A: got %d %v, want 200", status, out)
	}
	deliver(t, room, from, "the push made on A", round(1))
	status, out := call(t, "POST", b+"/api/sessions/"+s.Code+"/run", s.Key, "")
	if status != 201 && status != http.StatusOK {
		t.Fatalf("room run on B: got %d %v, want 201", status, out)
	}
	deliver(t, room, from, "the room run started on B", typed("run", nil))
}
