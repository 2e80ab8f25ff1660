package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

// TestMain serves as a run's child when the runner starts this test binary
// again, the way the lab's own main does.
func TestMain(m *testing.M) {
	if IsChild() {
		os.Exit(Main(testExperiments()))
	}
	goleak.VerifyTestMain(m)
}

func testExperiments() []lab.Experiment { return []lab.Experiment{probe{}} }

// probe is an experiment whose variants do what a test needs of a child:
// report, spin past a cancel, panic, exit, hold memory.
type probe struct{}

func (probe) Info() lab.Info {
	return lab.Info{
		ID: "probe",
		Params: []lab.Param{
			{Name: "ms", Label: "Milliseconds", Kind: lab.KindInt, Default: "5", Min: 0, Max: 60_000},
			{Name: "mib", Label: "MiB", Kind: lab.KindInt, Default: "0", Min: 0, Max: 4096},
			{Name: "task", Label: "Task", Kind: lab.KindChoice, Default: "ok", Choices: []string{"ok", "panic", "deadlock", "error", "hang", "hog"}},
			{Name: "file", Label: "File", Kind: lab.KindText},
		},
		Variants: []lab.Variant{
			{Name: "report", Baseline: true}, {Name: "spin"}, {Name: "panic"},
			{Name: "exit"}, {Name: "hog"}, {Name: "fail"}, {Name: "solo"}, {Name: "torn"},
			{Name: "hogtree"}, {Name: "maplib"}, {Name: "fds"},
		},
		Repeat: 1,
	}
}

// Solo implements lab.Soloist: work that ends its process.
func (probe) Solo(ctx context.Context, task string, p lab.Params, out io.Writer) error {
	fmt.Fprintln(out, "solo pid", os.Getpid())
	switch task {
	case "panic":
		done := make(chan struct{})
		go func() { panic("boom in a process of its own") }()
		<-done
	case "deadlock":
		var mu sync.Mutex
		mu.Lock()
		mu.Lock()
	case "error":
		return errors.New("the task failed")
	case "hang":
		for {
		}
	case "hog":
		hold(p.Int("mib"), 3*time.Second)
	}
	return nil
}

func (probe) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	em.Log("pid " + strconv.Itoa(os.Getpid()))
	switch variant {
	case "report":
		start := time.Now()
		for time.Since(start) < time.Duration(p.Int("ms"))*time.Millisecond {
		}
		em.Span(0, start, time.Now(), "spin")
		em.Progress(1, 1, "steps")
		em.Sample("custom", 42)
		return lab.Trial{Expected: lab.Int64(1), Got: lab.Int64(1), Extra: map[string]any{
			"pid": os.Getpid(), "gomaxprocs": runtime.GOMAXPROCS(0), "numcpu": runtime.NumCPU(),
		}}, nil
	case "spin": // ignores ctx: only a kill stops it
		em.Progress(0, 1, "steps")
		for start := time.Now(); time.Since(start) < time.Minute; {
		}
		return lab.Trial{}, nil
	case "panic":
		done := make(chan struct{})
		go func() { panic("boom in a goroutine") }()
		<-done
	case "exit":
		fmt.Println("leaving early")
		os.Exit(7)
	case "hog":
		b := hold(p.Int("mib"), 2*time.Second)
		return lab.Trial{Extra: map[string]any{"held": len(b)}}, nil
	case "hogtree": // mib here and mib in a process of its own
		b := hold(p.Int("mib"), 0)
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		exit, err := lab.Spawn(sctx, lab.SoloTask{Experiment: "probe", Task: "hog", Params: p.Encode(probe{}.Info())})
		if err != nil {
			return lab.Trial{}, err
		}
		return lab.Trial{Extra: map[string]any{"held": len(b), "exit_status": exit.Status}}, nil
	case "maplib": // maps a file the parent maps too, as a shared library
		return mapShared(p.String("file"))
	case "fds":
		return lab.Trial{Extra: map[string]any{"fds": openFDs()}}, nil
	case "fail":
		return lab.Trial{}, errors.New("the knobs asked for the impossible")
	case "torn": // half a line on the events pipe, then death
		os.NewFile(3, "events").WriteString(`{"event":{"type":"log","te`)
		done := make(chan struct{})
		go func() { panic("died mid-line") }()
		<-done
	case "solo":
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		exit, err := lab.Spawn(sctx, lab.SoloTask{Experiment: "probe", Task: p.String("task"), Params: p.Encode(probe{}.Info())})
		if err != nil {
			return lab.Trial{}, err
		}
		return lab.Trial{Extra: map[string]any{
			"exit_status": exit.Status, "output": exit.Output, "timed_out": exit.TimedOut, "pid": os.Getpid(),
		}}, nil
	}
	return lab.Trial{}, fmt.Errorf("no variant %q", variant)
}

// hold touches mib MiB of its own and keeps it for d.
func hold(mib int, d time.Duration) []byte {
	b := make([]byte, mib<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	time.Sleep(d)
	return b
}
