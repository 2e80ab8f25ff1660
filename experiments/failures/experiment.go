// Package failures is the experiment on goroutines that fail: errors lost
// by a bare go statement, collected and joined, cut short by errgroup, and
// a panic that ends the whole program unless a deferred recover stops it.
package failures

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the variants, and the tasks they run.
var (
	//go:embed failures.go
	failuresSource string
	//go:embed tasks.go
	tasksSource string
)

// Limits that keep a trial short.
const (
	// MaxWait bounds the rounds of work errgroup runs with no failure:
	// ⌈tasks / workers⌉ × work.
	MaxWait = 5 * time.Second
	// SoloTimeout bounds the panic variant's process of its own.
	SoloTimeout = 20 * time.Second
	// MaxOutput bounds the output a panic trial keeps: the panic and its
	// goroutine's stack, the end of what the process printed.
	MaxOutput = 4 << 10
)

// Experiment is the failing goroutines experiment.
type Experiment struct{}

var (
	_ lab.Experiment = Experiment{}
	_ lab.Judge      = Experiment{}
	_ lab.Soloist    = Experiment{}
)

// A variant is one approach: the function in failures.go that runs it.
type variant struct {
	lab.Variant
	run    func(context.Context, *job) error
	panics bool // a failing task panics instead of returning its error
	solo   bool // runs in a process of its own, which it ends
}

// variants are the approaches, in the order the page shows them.
var variants = []variant{
	{lab.Variant{Name: "bare", Summary: "go f() and a WaitGroup: the errors go nowhere"}, runBare, false, false},
	{lab.Variant{Name: "collect", Summary: "every error sent back on a channel and joined with errors.Join; every task runs", Baseline: true}, runCollect, false, false},
	{lab.Variant{Name: "errgroup", Summary: "Wait returns the first error, and the group's context cancels the rest"}, runErrgroup, false, false},
	{lab.Variant{Name: "panic", Summary: "the failing task panics: the whole program dies (a process of its own)"}, runPanic, true, true},
	{lab.Variant{Name: "recover", Summary: "a deferred recover in each task turns the panic into an error the caller gets"}, runRecover, true, false},
}

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "failures",
		Title:   "When a goroutine fails",
		Summary: "Tasks that return errors or panic in goroutines: errors lost, collected, cut short by errgroup, and a panic that ends the program.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "tasks", Label: "Tasks", Kind: lab.KindInt, Default: "12", Min: 1, Max: 1000,
				Help: "how many tasks run, each in a goroutine of its own"},
			{Name: "fail", Label: "Failing tasks", Kind: lab.KindText, Default: "3,8",
				Help: "which tasks fail, by number from 1, comma-separated (empty: none); a failing task fails halfway through its work"},
			{Name: "workers", Label: "Workers", Kind: lab.KindInt, Default: "4", Min: 1, Max: 256,
				Help: "errgroup, panic and recover: at most this many tasks at once (SetLimit, like ThreadPoolExecutor's max_workers)"},
			{Name: "work", Label: "Work per task", Kind: lab.KindDuration, Default: "20ms", Min: 1, Max: 1000,
				Help: "how long each task waits, like a request to a slow server"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "got", Label: "Errors seen", Main: true, Help: "errors the caller got back (the median trial); Expected is the errors the tasks returned"},
			{Key: "tasks_done", Label: "Tasks done", Help: "tasks that finished their work without failing; for panic, before the program died"},
			{Key: "tasks_skipped", Label: "Tasks skipped", Help: "tasks the cancel stopped: never begun, or stopped mid-work"},
			{Key: "first_failure_ms", Label: "First failure", Unit: "ms", Help: "when the first task failed, from the trial's start; the time column is when the caller had its answer"},
			{Key: "exit_status", Label: "Exit status", Help: "panic: how its process ended; 2 is an unrecovered panic"},
		},
		Source: []lab.SourceFile{
			{Name: "failures.go", Code: failuresSource},
			{Name: "tasks.go", Code: tasksSource},
		},
		Repeat: 6,
		Check:  check,
		Edit:   edit,
	}
}

func check(p lab.Params) error {
	if _, err := failing(p); err != nil {
		return err
	}
	rounds := (p.Int("tasks") + p.Int("workers") - 1) / p.Int("workers")
	if d := time.Duration(rounds) * p.Duration("work"); d > MaxWait {
		return &lab.ParamError{Name: "⌈tasks / workers⌉ × work",
			Msg: fmt.Sprintf("must be at most %s, got %s", MaxWait, d)}
	}
	return nil
}

// failing parses the fail parameter: the numbers of the tasks that fail.
func failing(p lab.Params) (map[int]bool, error) {
	tasks := p.Int("tasks")
	fails := map[int]bool{}
	for _, s := range strings.Split(p.String("fail"), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 1 || n > tasks:
			return nil, &lab.ParamError{Name: "fail", Msg: fmt.Sprintf("must list task numbers 1..%d, got %q", tasks, clip(s))}
		case fails[n]:
			return nil, &lab.ParamError{Name: "fail", Msg: fmt.Sprintf("lists task %d twice", n)}
		}
		fails[n] = true
	}
	return fails, nil
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func newJob(p lab.Params, panics bool) *job {
	fails, _ := failing(p) // checked already
	return &job{
		tasks:   p.Int("tasks"),
		workers: p.Int("workers"),
		work:    p.Duration("work"),
		fails:   fails,
		panics:  panics,
		began:   time.Now(),
	}
}

// Trial implements lab.Experiment. Expected is how many tasks failed, Got
// how many errors the caller saw.
func (e Experiment) Trial(ctx context.Context, name string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	v, ok := lab.Lookup(variants, name)
	if !ok {
		return lab.Trial{}, fmt.Errorf("failures: unknown variant %q", name)
	}
	if v.solo {
		return e.soloTrial(ctx, p)
	}
	j := newJob(p, v.panics)
	var finished atomic.Int64
	j.report = func(n int, start time.Time, outcome string) {
		if outcome != "skipped" { // a task skipped at once has nothing to draw
			em.Span(n-1, start, time.Now(), outcome)
		}
		em.Progress(finished.Add(1), int64(j.tasks), "tasks")
	}
	j.began = time.Now()
	err := v.run(ctx, j)
	elapsed := time.Since(j.began)
	if ctx.Err() != nil {
		return lab.Trial{}, ctx.Err()
	}
	extra := map[string]any{
		"tasks_done":    j.done.Load(),
		"tasks_skipped": j.skipped.Load(),
		"error_seen":    firstLine(err),
	}
	if ff := j.firstFailure.Load(); ff > 0 {
		extra["first_failure_ms"] = ms(time.Duration(ff))
	}
	return lab.Trial{
		Elapsed:  elapsed,
		Expected: lab.Int64(j.failed.Load()),
		Got:      lab.Int64(int64(errorsIn(err))),
		Extra:    extra,
	}, nil
}

// soloTrial runs the panic variant in a process of its own and reports how
// that process ended: the run itself goes on to its next trial.
func (e Experiment) soloTrial(ctx context.Context, p lab.Params) (lab.Trial, error) {
	sctx, cancel := context.WithTimeout(ctx, SoloTimeout)
	defer cancel()
	began := time.Now()
	exit, err := lab.Spawn(sctx, lab.SoloTask{Experiment: "failures", Task: "panic", Params: p.Encode(e.Info())})
	elapsed := time.Since(began)
	switch {
	case ctx.Err() != nil:
		return lab.Trial{}, ctx.Err()
	case errors.Is(err, lab.ErrNoSpawner):
		return lab.Trial{}, errors.New("the panic variant ends its program, so it runs in a process of its own, which this runner cannot start: run it through the server")
	case err != nil:
		return lab.Trial{}, err
	case exit.TimedOut:
		return lab.Trial{}, fmt.Errorf("the panic variant's process was still running after %s and was stopped", SoloTimeout)
	}
	panics := int64(len(panicLine.FindAllString(exit.Output, -1)))
	return lab.Trial{
		Elapsed:  elapsed,
		Expected: lab.Int64(panics),
		Got:      lab.Int64(0), // the caller never returned: the program died
		Extra: map[string]any{
			"exit_status": exit.Status,
			"output":      tail(exit.Output, MaxOutput),
			"tasks_done":  len(doneLine.FindAllString(exit.Output, -1)),
		},
	}, nil
}

// The lines of a panic trial's output: a task that finished, and the
// runtime's report of a panic.
var (
	doneLine  = regexp.MustCompile(`(?m)^task \d+ done$`)
	panicLine = regexp.MustCompile(`(?m)^panic: `)
)

// Solo implements lab.Soloist: the panic variant, in a process of its own.
// Each task that finishes prints a line, so the output shows which did
// before the panic ended the program.
func (Experiment) Solo(ctx context.Context, task string, p lab.Params, out io.Writer) error {
	if task != "panic" {
		return fmt.Errorf("failures: no task %q to run in a process of its own", task)
	}
	j := newJob(p, true)
	var mu sync.Mutex // guards out
	j.report = func(n int, _ time.Time, outcome string) {
		if outcome == "done" {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(out, "task %d done\n", n)
		}
	}
	err := runPanic(ctx, j)
	fmt.Fprintf(out, "every task returned; the caller saw %d errors\n", errorsIn(err))
	return nil
}

// errorsIn counts the errors err carries: one for each error errors.Join
// joined, one for any other error, none for nil.
func errorsIn(err error) int {
	if err == nil {
		return 0
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		n := 0
		for _, e := range joined.Unwrap() {
			n += errorsIn(e)
		}
		return n
	}
	return 1
}

// firstLine is err's message, its lines joined with "; ", or "" for nil.
func firstLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// tail returns the end of s, at most n bytes, from the start of a line.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "…\n" + s
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
}
