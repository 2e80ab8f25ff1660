package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"concurrencylab/lab"
)

// envHog starts this test binary as a busy program pinned to the CPU it
// names.
const envHog = "LAB_TEST_HOG"

func hog(cpu string) {
	n, _ := strconv.Atoi(cpu)
	var set unix.CPUSet
	set.Set(n)
	unix.SchedSetaffinity(0, &set)
	for {
	}
}

// startHogs starts n busy programs pinned to each of cpus, killed when the
// test ends.
func startHogs(t *testing.T, cpus []int, n int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cpus {
		for range n {
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), envHog+"="+strconv.Itoa(c), "GOMAXPROCS=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
	}
}

// spinAll keeps every core of the trial busy for 300 ms of wall time.
func spinAll(ctx context.Context, _ string, p lab.Params, _ lab.Emitter) (lab.Trial, error) {
	done := make(chan struct{})
	n := max(1, len(Affinity()))
	for range n {
		go func() {
			for t0 := time.Now(); time.Since(t0) < 300*time.Millisecond; {
			}
			done <- struct{}{}
		}()
	}
	for range n {
		<-done
	}
	return lab.Trial{}, nil
}

// Two busy programs pinned to each of a run's CPUs take most of them: the
// run's env and its variant say so.
func TestOthersOnTheRunsCores(t *testing.T) {
	cpus := Affinity()
	if len(cpus) == 0 {
		t.Fatal("no CPU affinity to pin the busy programs to")
	}
	startHogs(t, cpus, 2)
	time.Sleep(50 * time.Millisecond) // let them get going
	exp := &fakeExp{info: fakeInfo(), trial: spinAll}
	p, err := lab.ParseMap(exp.info, map[string]string{"variants": "v1", "repeat": "2"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), Job{}, exp, p, NewEventLog())
	if err != nil {
		t.Fatal(err)
	}
	if o := rep.Env.OthersPct; o == nil || *o <= 50 {
		t.Errorf("got others_pct %v on the env, want above 50 with two busy programs on each of the run's %d CPUs", fmt.Sprint(o), len(cpus))
	}
	if o := rep.Result.Variants[0].OthersPct; o == nil || *o <= 50 || *o > 100 {
		t.Errorf("got the variant's others_pct %v, want above 50 and at most 100", fmt.Sprint(o))
	}
}

func TestBusyTime(t *testing.T) {
	stat := []byte("cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 100 10 50 900 20 1 2 3 0 0\ncpu1 200 0 100 800 0 0 0 7 0 0\nintr 5\n")
	tests := []struct {
		name string
		cpus []int
		want time.Duration
		ok   bool
	}{
		{"one CPU", []int{0}, (100 + 10 + 50 + 1 + 2 + 3) * clockTick, true},
		{"both", []int{0, 1}, (166 + 307) * clockTick, true},
		{"a CPU it lacks", []int{0, 5}, 166 * clockTick, false},
		{"none", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := busyTime(stat, tt.cpus)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
