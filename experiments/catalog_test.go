package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"concurrencylab/experiments/internal/testclip"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
)

// catalog returns every experiment, the pixels one counting in a small
// generated clip.
func catalog(t *testing.T) []lab.Experiment {
	t.Helper()
	dir := t.TempDir()
	testclip.Write(t, dir, "test.avi", 4)
	lib, err := clips.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return All(Options{Clips: lib, Cores: 2})
}

// Every experiment of the catalog keeps the contract: its Info is whole,
// Trial accepts every variant it declares and refuses others, the source
// its page shows is the code compiled, and its parameters come back the
// same through every form a run stores or links them in.
func TestCatalog(t *testing.T) {
	exps := catalog(t)
	var ids []string
	for _, exp := range exps {
		info := exp.Info()
		ids = append(ids, info.ID)
		t.Run(info.ID, func(t *testing.T) {
			t.Run("info", func(t *testing.T) { checkInfo(t, info) })
			t.Run("variants", func(t *testing.T) { checkVariants(t, exp) })
			t.Run("source", func(t *testing.T) { checkSource(t, info) })
			t.Run("params", func(t *testing.T) { checkParams(t, info) })
		})
	}
	if want := []string{"race", "locked", "primes", "pipeline", "pixels"}; !slices.Equal(ids[:min(len(ids), len(want))], want) {
		t.Errorf("got catalog %v, want it to begin %v", ids, want)
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != len(exps) {
		t.Errorf("got ids %v, want each once", ids)
	}
}

func checkInfo(t *testing.T, info lab.Info) {
	if fi, err := os.Stat(info.ID); err != nil || !fi.IsDir() {
		t.Errorf("id %q names no folder of experiments/", info.ID)
	}
	if info.Title == "" || info.Summary == "" || info.Lesson == "" {
		t.Errorf("got title %q, summary %q and a lesson of %d bytes, want all three", info.Title, info.Summary, len(info.Lesson))
	}
	if strings.Contains(info.Lesson, "\n\n\n") {
		t.Error("the lesson's paragraphs are separated by more than one blank line")
	}
	var baselines, names []string
	for _, v := range info.Variants {
		if v.Name == "" || v.Summary == "" {
			t.Errorf("variant %+v lacks a name or a summary", v)
		}
		if v.Baseline {
			baselines = append(baselines, v.Name)
		}
		names = append(names, v.Name)
	}
	if len(baselines) != 1 {
		t.Errorf("got baselines %v, want one", baselines)
	}
	if slices.Sort(names); len(slices.Compact(names)) != len(info.Variants) {
		t.Errorf("got variants %v, want each name once", names)
	}
	params := map[string]bool{}
	for _, d := range lab.AllParams(info) {
		if params[d.Name] {
			t.Errorf("parameter %s is declared twice (variants, repeat, cores and trace are lab's)", d.Name)
		}
		params[d.Name] = true
		if d.Label == "" {
			t.Errorf("parameter %s has no label", d.Name)
		}
	}
	keys, mains := map[string]bool{}, 0
	for _, f := range info.Figures {
		if f.Key == "" || f.Label == "" || keys[f.Key] {
			t.Errorf("figure %+v: want a key of its own and a label", f)
		}
		keys[f.Key] = true
		if f.Main {
			mains++
		}
	}
	if mains > 1 {
		t.Errorf("got %d main figures, want at most one", mains)
	}
}

// checkVariants runs every variant with the default parameters and a
// context already cancelled: each must be known, and end at once.
func checkVariants(t *testing.T, exp lab.Experiment) {
	info := exp.Info()
	p, err := lab.ParseQuery(info, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, v := range info.Variants {
		_, err := exp.Trial(ctx, v.Name, p, lab.Discard)
		switch {
		case err == nil, errors.Is(err, context.Canceled):
		case errors.Is(err, lab.ErrNoSpawner):
			// a variant whose trial needs a process of its own, which a
			// plain call cannot give it: known, not refused
		case lab.RaceEnabled && strings.Contains(err.Error(), "built with -race"):
			// the unsynchronized counters step aside under -race
		default:
			t.Errorf("Trial(%s): got error %v, want it accepted", v.Name, err)
		}
	}
	_, err = exp.Trial(context.Background(), "sentinel", p, lab.Discard)
	if err == nil || !strings.Contains(err.Error(), `unknown variant "sentinel"`) {
		t.Errorf("got error %v, want one naming the unknown variant", err)
	}
}

// sourceWants are lines each experiment's page must show: the functions
// its variants run, and the lines its lesson points at.
var sourceWants = map[string]map[string][]string{
	"race": {
		"counter.go": {"func countUnsynchronized(", "func (c *Counter) Increment()", "c.count++", "//go:noinline"},
		"steps.go":   {"func countRecorded("},
	},
	"locked": {
		"counters.go": {"//go:noinline", "c.count++", "mu.Lock()", "count.Add(1)", "increments <- struct{}{}", "total.Add(int64(mine.count))"},
		"together.go": {},
		"getset.go":   {"c.Set(c.Get() + 1)"},
	},
	"primes": {
		"primes.go": {"func isPrime(", "func countSequential(", "func countGoroutinePerTask(", "func countWorkerPool(", "func countErrgroup(", "g.SetLimit(workers)", "func wait("},
		"gil.go":    {"type GIL struct", "func countGIL(", "func isPrimeUnderGIL(", "func waitReleasingGIL(", "t.Switch(ctx)"},
	},
	"pipeline": {
		"polling.go":  {"func runPolling(", "func pollStage(", "w.wasted++", "time.Sleep(poll)", "defer out.close()"},
		"channels.go": {"func runChannels(", "func runBuffered(", "func runFanOut(", "close(out)", "<-ctx.Done()"},
		"stages.go":   {"func (w *worker) do(", "func spin(", "2 * x"},
	},
	"pixels": {
		"count.go": {"func countBlue(", "func countSequential(", "func countGoroutinePerFrame(",
			"func countWorkerPool(", "func countErrgroup(", "func countParallelDecode(", "func decodeOnly("},
		"segments.go": {"func decodeSegment(", "func checkProofs("},
	},
	"failures": {
		"failures.go": {"func runBare(", "func runCollect(", "errors.Join", "func runErrgroup(", "func runPanic(", "func runRecover(", "recover()"},
		"tasks.go":    {},
	},
	"deadlock": {
		"bank.go":    {"func transfersNaive(", "func transfersOrdered(", "func transfersGlobal(", "func transfersOwned("},
		"tellers.go": {"func (w *waitsFor) cycle() string"},
		"asleep.go":  {"func TwoOppositeTransfers("},
	},
	"pool": {
		"pool.go":     {"semaphore.NewWeighted", "SetLimit"},
		"database.go": {"func (db *Database) Connect()"},
	},
	"life": {
		"life.go": {"func generationSequential(", "func generationPerCell(", "<-barrier", "s.Barrier()", "func generationPerRow(",
			"func generationPool(", "func generationErrgroup(", "g.SetLimit(s.Workers)", "func generationPipeline("},
		"step.go": {"func (s *Step) Cell(", "time.Sleep(s.Latency)", "func (s *Step) Barrier()"},
	},
	"waits": {
		"waits.go": {"func waitSequential(", "func waitGoroutines(", "func waitPool("},
		"wait.go":  {"func (w *Waits) Wait(", "time.NewTimer(w.Latency)", "d.DialContext"},
	},
	"thumbnails": {
		"thumbnails.go": {"func sequential(", "func downloadFirst(", "func twoPhase(", "func pipeline(", "func inProcesses(",
			"resizes.SetLimit(t.Cores)", "case photos <- photo{i, jpg}:"},
		"steps.go": {"func resize(", "draw.BiLinear", "draw.CatmullRom", "func (c *Total) Add(", "c.atomic.Add(n)", "c.mu.Lock()"},
		"child.go": {"func (r *resizer) resize(", "func resizeLoop("},
	},
	"processes": {
		"processes.go": {"func oneByOne(", "func allAtOnce(", "func inGoroutines(", "func pipeGoroutine(", "func pipeChild(",
			"func pipeline(", "os.Pipe()", "func timeout(", "cmd.WaitDelay = j.Grace", "syscall.SIGTERM"},
		"job.go":   {"func (j *Job) start(", "cmd.Start()", "func (c *child) wait() error", "c.cmd.Wait()"},
		"child.go": {"func childHang()", "signal.Ignore(syscall.SIGTERM)", "func hashStream(", "func encryptStream("},
	},
}

// checkSource: the files the page shows are the experiment's files as
// compiled, byte for byte, and show what the lesson needs.
func checkSource(t *testing.T, info lab.Info) {
	want, ok := sourceWants[info.ID]
	if !ok {
		t.Fatalf("no sourceWants for %s: name the lines its page must show", info.ID)
	}
	var names []string
	for _, f := range info.Source {
		names = append(names, f.Name)
		disk, err := os.ReadFile(filepath.Join(info.ID, f.Name))
		if err != nil {
			t.Errorf("source %s: %v", f.Name, err)
			continue
		}
		if string(disk) != f.Code {
			t.Errorf("embedded %s differs from the file compiled", f.Name)
		}
		for _, w := range want[f.Name] {
			if !strings.Contains(f.Code, w) {
				t.Errorf("embedded %s lacks %q", f.Name, w)
			}
		}
	}
	var wantNames []string
	for name := range want {
		wantNames = append(wantNames, name)
	}
	slices.Sort(wantNames)
	if slices.Sort(names); !slices.Equal(names, wantNames) {
		t.Errorf("got source files %v, want %v", names, wantNames)
	}
}

// checkParams: the defaults come back the same from a run's stored form
// (Encode), its share link (Query) and its JSON.
func checkParams(t *testing.T, info lab.Info) {
	p, err := lab.ParseQuery(info, nil)
	if err != nil {
		t.Fatalf("the defaults do not parse: %v", err)
	}
	fromMap, err := lab.ParseMap(info, p.Encode(info))
	if err != nil || !reflect.DeepEqual(fromMap, p) {
		t.Errorf("through Encode: got %v, %v; want %v", fromMap, err, p)
	}
	q, err := url.ParseQuery(p.Query(info))
	if err != nil {
		t.Fatal(err)
	}
	fromQuery, err := lab.ParseQuery(info, q)
	if err != nil || !reflect.DeepEqual(fromQuery, p) {
		t.Errorf("through Query: got %v, %v; want %v", fromQuery, err, p)
	}
	b, err := json.Marshal(p.JSON(info))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := lab.ParseJSON(info, b)
	if err != nil || !reflect.DeepEqual(fromJSON, p) {
		t.Errorf("through JSON %s: got %v, %v; want %v", b, fromJSON, err, p)
	}
}
