//go:build !race

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"concurrencylab/lab/process"
)

// These tests run runs in real child processes of this test binary (see
// TestMain), on the machine's real cores. They need two usable CPUs, as
// the CI machine has.

func usableCPUs(t testing.TB, want int) []int {
	t.Helper()
	cpus, err := process.UsableCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if len(cpus) < want {
		t.Fatalf("got %d usable CPUs, want at least %d for this test", len(cpus), want)
	}
	return cpus
}

// submit posts a run and returns its id, failing the test unless it is 201.
func submit(t *testing.T, base, experiment, params string) string {
	t.Helper()
	status, out := postJSON(t, base+"/api/runs", fmt.Sprintf(`{"experiment":%q,"params":%s}`, experiment, params))
	if status != http.StatusCreated {
		t.Fatalf("POST /api/runs %s %s: got %d %v, want 201", experiment, params, status, out)
	}
	return out["id"].(string)
}

// waitStatus polls run id until its status is one of want and returns it.
func waitStatus(t *testing.T, base, id string, within time.Duration, want ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		run := getRun(t, base+"/api/runs/"+id)
		if slices.Contains(want, run["status"].(string)) {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s: got status %v after %s, want one of %v (error %v)", id, run["status"], within, want, run["error"])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// variant returns a finished run's variant result by name.
func variant(t *testing.T, run map[string]any, name string) map[string]any {
	t.Helper()
	res, _ := run["result"].(map[string]any)
	vs, _ := res["variants"].([]any)
	for _, v := range vs {
		if m := v.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("run %v: no variant %s in %v", run["id"], name, run["result"])
	return nil
}

// lossyTrials counts a variant's trials that got less than expected.
func lossyTrials(v map[string]any) (lossy, all int) {
	for _, tr := range v["trials"].([]any) {
		m := tr.(map[string]any)
		if m["got"].(float64) < m["expected"].(float64) {
			lossy++
		}
		all++
	}
	return lossy, all
}

func TestRaceLosesUpdatesOnlyOnTwoCores(t *testing.T) {
	usableCPUs(t, 2)
	base, stop := startServer(t, t.TempDir())
	defer stop()
	tests := []struct {
		cores             string
		minLossy, maxLoss int
	}{
		{cores: "2", minLossy: 7, maxLoss: 10},
		{cores: "1", minLossy: 0, maxLoss: 0},
	}
	for _, tt := range tests {
		t.Run("cores="+tt.cores, func(t *testing.T) {
			id := submit(t, base, "race", `{"variants":"unsynchronized","repeat":10,"cores":`+tt.cores+`}`)
			run := waitStatus(t, base, id, time.Minute, "done", "failed")
			if run["status"] != "done" {
				t.Fatalf("got status %v (%v), want done", run["status"], run["error"])
			}
			lossy, all := lossyTrials(variant(t, run, "unsynchronized"))
			env := run["env"].(map[string]any)
			verdict, _ := run["result"].(map[string]any)["verdict"].(string)
			// Other programs on the machine may take the run's cores: then
			// the goroutines rarely run at once, and the verdict must say so
			// first instead of claiming a quiet machine's lesson.
			if others, ok := env["others_pct"].(float64); ok && others > 10 && lossy < tt.minLossy {
				if !strings.HasPrefix(verdict, "Other programs on this machine took") {
					t.Errorf("others took %v%% of the cores and %d of %d trials lost updates; got verdict %q, want it to say so first", others, lossy, all, verdict)
				}
			} else if lossy < tt.minLossy || lossy > tt.maxLoss {
				t.Errorf("got updates lost in %d of %d trials (others took %v%%), want %d..%d", lossy, all, env["others_pct"], tt.minLossy, tt.maxLoss)
			}
			if got := strconv.Itoa(int(env["gomaxprocs"].(float64))); got != tt.cores {
				t.Errorf("got env.gomaxprocs %v, want %s", got, tt.cores)
			}
			if got := len(env["cpus"].([]any)); strconv.Itoa(got) != tt.cores || env["pinned"] != true {
				t.Errorf("got env.cpus %v, pinned %v, want %s CPUs, pinned", env["cpus"], env["pinned"], tt.cores)
			}
		})
	}
}

func TestPeakGoroutinesAreTheRunsAlone(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	// A run to wait behind, so that every watcher is connected before the
	// watched run starts.
	blocker := submit(t, base, "race", `{"variants":"sequential","goroutines":256,"increments":1953125,"repeat":50}`)
	id := submit(t, base, "race", `{"goroutines":5,"increments":100000,"repeat":5}`)
	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	url := "ws" + strings.TrimPrefix(base, "http") + "/runs/" + id + "/events"
	for range 150 {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatalf("watcher %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(time.Minute))
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	postJSON(t, base+"/api/runs/"+blocker+"/cancel", "")
	run := waitStatus(t, base, id, time.Minute, "done", "failed")
	wg.Wait()
	for _, name := range []string{"sequential", "unsynchronized"} {
		v := variant(t, run, name)
		peaks := v["peaks"].(map[string]any)
		if g := peaks["goroutines"].(float64); g > 8 {
			t.Errorf("%s: got peak goroutines %v with 150 watchers, want at most 8", name, g)
		}
		if s := peaks["stack_bytes"].(float64); s <= 0 {
			t.Errorf("%s: got peak stack_bytes %v, want above 0", name, s)
		}
	}
}

func TestPrimesCoresUsed(t *testing.T) {
	usableCPUs(t, 2)
	base, stop := startServer(t, t.TempDir())
	defer stop()
	// Two cores busy at once need two cores free: while other programs
	// take them the pool cannot show it, so runs are tried for a while.
	used := map[string]float64{}
	for deadline := time.Now().Add(90 * time.Second); ; {
		id := submit(t, base, "primes", `{"variants":"sequential,worker-pool,gil","repeat":3}`)
		run := waitStatus(t, base, id, 2*time.Minute, "done", "failed")
		for _, name := range []string{"sequential", "worker-pool", "gil"} {
			v := variant(t, run, name)
			cpu, wall := v["cpu_ms"].(float64), v["median_ms"].(float64)
			if cpu <= 0 || wall <= 0 {
				t.Fatalf("%s: got cpu_ms %v, median_ms %v, want both above 0", name, cpu, wall)
			}
			used[name] = cpu / wall
		}
		if used["gil"] > 1.2 {
			t.Errorf("gil: got %.2f cores used, want at most 1.2", used["gil"])
		}
		if used["worker-pool"] >= 1.5 || time.Now().After(deadline) {
			break
		}
		t.Logf("worker-pool used %.2f cores: other programs share them; running again", used["worker-pool"])
	}
	if used["worker-pool"] < 1.5 {
		t.Errorf("worker-pool: got %.2f cores used, want at least 1.5 on 2 cores", used["worker-pool"])
	}
}

func TestCancelStopsATrialMidway(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := submit(t, base, "race", `{"variants":"unsynchronized","goroutines":256,"increments":1953125,"repeat":50}`)
	waitStatus(t, base, id, 30*time.Second, "running")
	time.Sleep(300 * time.Millisecond) // inside the first trial's count
	asked := time.Now()
	if status, out := postJSON(t, base+"/api/runs/"+id+"/cancel", ""); status != http.StatusAccepted {
		t.Fatalf("cancel: got %d %v, want 202", status, out)
	}
	waitStatus(t, base, id, 5*time.Second, "cancelled")
	if took := time.Since(asked); took > time.Second {
		t.Errorf("got the run cancelled %s after the request, want within 1s", took)
	}
	if pids := runChildren(t); len(pids) > 0 {
		t.Errorf("got run processes %v still alive after the cancel, want none", pids)
	}
}

func TestKilledChildFailsOnlyItsRun(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	id := submit(t, base, "race", `{"variants":"sequential","goroutines":256,"increments":1953125,"repeat":50}`)
	waitStatus(t, base, id, 30*time.Second, "running")
	var pids []int
	for deadline := time.Now().Add(10 * time.Second); len(pids) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids = runChildren(t)
	}
	if len(pids) != 1 {
		t.Fatalf("got run processes %v, want one", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	run := waitStatus(t, base, id, 10*time.Second, "failed", "done", "cancelled")
	if run["status"] != "failed" || !strings.Contains(run["error"].(string), "killed") {
		t.Errorf("got status %v, error %q, want failed, saying it was killed", run["status"], run["error"])
	}
	if res, err := http.Get(base + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz after the kill: got %v %v, want 200", res, err)
	}
	next := submit(t, base, "race", `{"repeat":2}`)
	if run := waitStatus(t, base, next, time.Minute, "done", "failed"); run["status"] != "done" {
		t.Errorf("the next run: got %v (%v), want done", run["status"], run["error"])
	}
}

func TestOneCorePerRunRunsTwoAtOnce(t *testing.T) {
	usableCPUs(t, 2)
	base, stop := startServer(t, t.TempDir(), "-cores-per-run", "1")
	defer stop()
	const long = `{"variants":"sequential","goroutines":256,"increments":1953125,"repeat":3}`
	a, b := submit(t, base, "race", long), submit(t, base, "race", long)
	bothRunning := false
	for deadline := time.Now().Add(30 * time.Second); !bothRunning && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		bothRunning = getRun(t, base+"/api/runs/"+a)["status"] == "running" && getRun(t, base+"/api/runs/"+b)["status"] == "running"
	}
	if !bothRunning {
		t.Fatal("the two runs never ran at the same time")
	}
	var cpus [][]any
	for _, id := range []string{a, b} {
		run := waitStatus(t, base, id, 2*time.Minute, "done", "failed")
		env := run["env"].(map[string]any)
		c, _ := env["cpus"].([]any)
		if run["status"] != "done" || len(c) != 1 || env["gomaxprocs"] != 1.0 || env["num_cpu"] != 1.0 {
			t.Fatalf("run %s: got %v, env %v, want done on 1 CPU with GOMAXPROCS 1", id, run["status"], env)
		}
		cpus = append(cpus, c)
	}
	if cpus[0][0] == cpus[1][0] {
		t.Errorf("got both runs on CPU %v, want disjoint CPUs", cpus[0])
	}
	// The slot is the bound of the cores parameter.
	status, out := postJSON(t, base+"/api/runs", `{"experiment":"race","params":{"cores":2}}`)
	if msg, _ := out["error"].(string); status != http.StatusBadRequest || !strings.Contains(msg, "cores must be 1..1, got 2") {
		t.Errorf("cores=2 on a 1-core slot: got %d %v, want 400 naming 1..1", status, out)
	}
}

func TestQueuedRunsExpectTheirWait(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	first := submit(t, base, "race", `{"repeat":2}`)
	waitStatus(t, base, first, time.Minute, "done")
	blocker := submit(t, base, "race", `{"variants":"sequential","goroutines":256,"increments":1953125,"repeat":50}`)
	waitStatus(t, base, blocker, 30*time.Second, "running")
	var queued []string
	for range 3 {
		queued = append(queued, submit(t, base, "race", `{"repeat":2}`))
	}
	events := firstEvents(t, base, queued[2], 1)
	if e := events[0]; e["type"] != "status" || e["state"] != "queued" || e["position"] != 3.0 {
		t.Fatalf("got first event %v, want queued at position 3", e)
	}
	if eta, _ := events[0]["eta_s"].(float64); eta <= 0 {
		t.Errorf("got eta_s %v in the third queued run's status, want above 0", events[0]["eta_s"])
	}
	postJSON(t, base+"/api/runs/"+blocker+"/cancel", "")
	for _, id := range queued {
		waitStatus(t, base, id, time.Minute, "done")
	}
}

func TestCoresOutOfBounds(t *testing.T) {
	n := len(usableCPUs(t, 1))
	base, stop := startServer(t, t.TempDir())
	defer stop()
	for _, cores := range []int{0, n + 1} {
		status, out := postJSON(t, base+"/api/runs", fmt.Sprintf(`{"experiment":"primes","params":{"cores":%d}}`, cores))
		want := fmt.Sprintf("cores must be 1..%d, got %d", n, cores)
		if msg, _ := out["error"].(string); status != http.StatusBadRequest || !strings.Contains(msg, want) {
			t.Errorf("cores=%d: got %d %v, want 400 %q", cores, status, out, want)
		}
	}
	res, err := http.Get(base + "/experiments/race?cores=0")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /experiments/race?cores=0: got %d, want 400", res.StatusCode)
	}
}

// firstEvents reads the first n events of a run over its websocket.
func firstEvents(t *testing.T, base, id string, n int) []map[string]any {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/runs/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var out []map[string]any
	for len(out) < n {
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		var e map[string]any
		json.Unmarshal(data, &e)
		out = append(out, e)
	}
	return out
}

// runChildren returns the pids of this process's run children: processes
// whose parent is this one, started in runner mode.
func runChildren(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis: state, ppid.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[0] == "Z" || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		env, _ := os.ReadFile("/proc/" + e.Name() + "/environ")
		if bytes.Contains(env, []byte(process.EnvMode+"=child")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Runs start the program their experiment's declaration calls for: race
// (pure Go) the runner program, pixels (OpenCV, cgo) the server's own
// binary, here this test binary; both count exactly.
func TestEachRunStartsItsProgram(t *testing.T) {
	base, stop := startServer(t, t.TempDir())
	defer stop()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		experiment, params string
		program            string
		variants           []string
	}{
		{"race", `{"variants":"sequential","goroutines":64,"increments":1953125,"repeat":2}`, runnerProgram, []string{"sequential"}},
		{"pixels", `{"clip":"vtest.avi","variants":"sequential,worker-pool","repeat":1}`, self, []string{"sequential", "worker-pool"}},
	} {
		t.Run(tt.experiment, func(t *testing.T) {
			id := submit(t, base, tt.experiment, tt.params)
			waitStatus(t, base, id, 30*time.Second, "running", "done")
			var exe string
			for deadline := time.Now().Add(10 * time.Second); exe == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if pids := runChildren(t); len(pids) == 1 {
					exe, _ = os.Readlink(fmt.Sprintf("/proc/%d/exe", pids[0]))
				}
			}
			if exe != tt.program {
				t.Errorf("got the run's process %q, want %q", exe, tt.program)
			}
			run := waitStatus(t, base, id, 2*time.Minute, "done", "failed")
			if run["status"] != "done" {
				t.Fatalf("got %v (%v), want done", run["status"], run["error"])
			}
			for _, name := range tt.variants {
				if v := variant(t, run, name); v["correct"] != true || v["got"] != v["expected"] {
					t.Errorf("%s: got %v of %v (correct %v), want the exact count", name, v["got"], v["expected"], v["correct"])
				}
			}
		})
	}
}
