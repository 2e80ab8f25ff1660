// Package deadlock is bank transfers between accounts with a mutex each:
// the lock order that deadlocks, the lock order that cures it, one lock
// for the whole bank, and one goroutine that owns every balance.
package deadlock

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// The files a learner reads: the transfers, and the tellers that make
// them, with the record and the watchdog that catch a deadlock.
var (
	//go:embed bank.go
	bankSource string
	//go:embed tellers.go
	tellersSource string
	//go:embed asleep.go
	asleepSource string
)

const (
	// opening is every account's balance when a trial starts.
	opening = 100
	// maxAmount is the most one transfer moves (less if the account has
	// less).
	maxAmount = 50
	// progressEvery is how many transfers pass between progress reports.
	progressEvery = 64
	// MaxWork bounds transfers × work: a second of the slow work per
	// trial, which the global and owner variants do one after another.
	// A sleep counts as at least minSleep.
	MaxWork = time.Second
	// minSleep is about the shortest sleep Linux gives a Go program: a
	// sleep of 20µs or 500µs takes about a millisecond here.
	minSleep = time.Millisecond
	// asleepWait is how long the process that shows Go's own deadlock
	// detector may take; aliveWait is how long the one with a live
	// goroutine is left to hang before it is killed.
	asleepWait = 2 * time.Second
	aliveWait  = time.Second
)

// Experiment is the bank.
type Experiment struct {
	// shown is set once the naive variant has shown Go's own deadlock
	// detector: once per run (each run has a process and a catalog of its
	// own).
	shown *atomic.Bool
}

// New returns the experiment.
func New() Experiment { return Experiment{shown: new(atomic.Bool)} }

var (
	_ lab.Experiment = Experiment{}
	_ lab.Judge      = Experiment{}
	_ lab.Soloist    = Experiment{}
)

// variants are the ways to transfer, in the order the page shows them.
var variants = []struct {
	lab.Variant
	run func(*Bank, *tellers)
}{
	{lab.Variant{Name: "naive", Summary: "lock the account the money leaves, then the one it goes to: opposite transfers deadlock (each trial runs in a process of its own, with a watchdog)"}, transfersNaive},
	{lab.Variant{Name: "ordered", Summary: "lock the account with the lower id first: no cycle of waits, no deadlock", Baseline: true}, transfersOrdered},
	{lab.Variant{Name: "global", Summary: "one mutex for the whole bank: correct, one transfer at a time"}, transfersGlobal},
	{lab.Variant{Name: "owner", Summary: "one goroutine owns every balance; transfers are messages to it"}, transfersOwned},
}

func transfers(variant string) func(*Bank, *tellers) {
	v, _ := lab.Lookup(variants, variant)
	return v.run
}

// Info implements lab.Experiment.
func (Experiment) Info() lab.Info {
	return lab.Info{
		ID:      "deadlock",
		Title:   "Bank transfers and lock order",
		Summary: "Goroutines move money between accounts with a mutex each: the lock order that deadlocks, the one that cures it, and what one big lock costs.",
		Lesson:  lesson,
		Params: []lab.Param{
			{Name: "accounts", Label: "Accounts", Kind: lab.KindInt, Default: "10", Min: 2, Max: 1000,
				Help: "how many accounts, each with its own mutex and a balance of 100"},
			{Name: "goroutines", Label: "Goroutines", Kind: lab.KindInt, Default: "8", Min: 1, Max: 256,
				Help: "how many goroutines make transfers at once"},
			{Name: "transfers", Label: "Transfers", Kind: lab.KindInt, Default: "500", Min: 1, Max: 1_000_000,
				Help: "transfers per trial, shared among the goroutines, each between two random accounts"},
			{Name: "work", Label: "Slow work per transfer", Kind: lab.KindDuration, Default: "1ms", Min: 0, Max: 20,
				Help: "a sleep each transfer does, as a bank writes its ledger (0 for none; shorter sleeps than 1ms take about 1ms)"},
			{Name: "where", Label: "Where the work happens", Kind: lab.KindChoice, Default: "inside", Choices: []string{"inside", "outside"},
				Help: "inside: while the transfer holds its locks; outside: before it takes them"},
			{Name: "go_detector", Label: "Show Go's own detector", Kind: lab.KindBool, Default: "true",
				Help: "once per run, the naive variant also runs two opposite transfers alone in a process, where a plain Go program reports the deadlock (not this cgo-linked one, nor one built with -race), and again beside one live goroutine, where no program can"},
		},
		Variants: lab.VariantsOf(variants),
		Figures: []lab.Figure{
			{Key: "transfers_per_s", Label: "Transfers", Unit: "/ s", Main: true,
				Help: "transfers completed per second (trials that finished)"},
			{Key: "deadlocks", Label: "Deadlocked", Help: "1 for a trial the watchdog found deadlocked, 0 for one that finished"},
			{Key: "transfers_done", Label: "Transfers done", Help: "transfers completed before the trial finished or froze"},
		},
		Source: []lab.SourceFile{
			{Name: "bank.go", Code: bankSource},
			{Name: "tellers.go", Code: tellersSource},
			{Name: "asleep.go", Code: asleepSource},
		},
		Repeat: 6,
		Check:  check,
	}
}

func check(p lab.Params) error {
	n, w := p.Int("transfers"), p.Duration("work")
	if w > 0 {
		w = max(w, minSleep)
	}
	if time.Duration(n)*w > MaxWork {
		return &lab.ParamError{Name: "transfers × work",
			Msg: fmt.Sprintf("must be at most %s (sleeps count as at least %s), got %s", MaxWork, minSleep, time.Duration(n)*w)}
	}
	return nil
}

// newBank opens a bank of p's accounts and tellers for its transfers.
func newBank(ctx context.Context, p lab.Params, em lab.Emitter) (*Bank, *tellers) {
	b := &Bank{work: p.Duration("work"), inside: p.String("where") == "inside"}
	for i := range p.Int("accounts") {
		b.accounts = append(b.accounts, &Account{id: i + 1, balance: opening})
	}
	r := &tellers{ctx: ctx, bank: b, n: p.Int("goroutines"), total: p.Int("transfers"), seed: rand.Uint64(), em: em}
	return b, r
}

// sum is the money in the bank, read once every transfer has ended.
func (b *Bank) sum() int64 {
	var s int64
	for _, a := range b.accounts {
		a.mu.Lock()
		s += int64(a.balance)
		a.mu.Unlock()
	}
	return s
}

// Trial implements lab.Experiment. The naive variant runs in a process of
// its own, which its watchdog ends if the transfers deadlock; the others
// run here.
func (e Experiment) Trial(ctx context.Context, variant string, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	if variant == "naive" {
		return e.naive(ctx, p, em)
	}
	run := transfers(variant)
	if run == nil {
		return lab.Trial{}, fmt.Errorf("deadlock: unknown variant %q", variant)
	}
	b, r := newBank(ctx, p, em)
	cpu0, began := lab.CPUTime(), time.Now()
	run(b, r)
	elapsed, cpu := time.Since(began), lab.CPUTime()-cpu0
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	done := r.done.Load()
	return lab.Trial{
		Elapsed:  elapsed,
		CPU:      cpu,
		Expected: lab.Int64(int64(len(b.accounts)) * opening),
		Got:      lab.Int64(b.sum()),
		Extra: map[string]any{
			"transfers_per_s": perSecond(done, elapsed),
			"transfers_done":  done,
			"deadlocks":       0,
			"deadlocked":      false,
		},
	}, nil
}

// naiveReport is the last line a naive process prints: how its transfers
// ended.
type naiveReport struct {
	Report    string  `json:"report"` // "naive", to find the line
	Done      int64   `json:"transfers_done"`
	Ms        float64 `json:"ms"`
	CPUMs     float64 `json:"cpu_ms"`
	Expected  int64   `json:"expected"`
	Got       *int64  `json:"got"` // nil when deadlocked: the balances are locked
	Cycle     string  `json:"cycle,omitempty"`
	StalledMs float64 `json:"stalled_ms,omitempty"`
	PID       int     `json:"pid"`
}

// naive runs the naive transfers in a process of their own and reads how
// they ended from its last line. Once per run it also shows Go's own
// deadlock detector.
func (e Experiment) naive(ctx context.Context, p lab.Params, em lab.Emitter) (lab.Trial, error) {
	info := e.Info()
	// The process finishes its transfers or names their deadlock well
	// within this; past it, it is killed.
	wait := 10*time.Second + 4*time.Duration(p.Int("transfers"))*p.Duration("work")
	sctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	exit, err := lab.Spawn(sctx, lab.SoloTask{Experiment: info.ID, Task: "naive", Params: p.Encode(info)})
	if err != nil {
		if errors.Is(err, lab.ErrNoSpawner) {
			return lab.Trial{}, fmt.Errorf("deadlock: the naive variant needs a process of its own: %w", err)
		}
		return lab.Trial{}, err
	}
	if err := ctx.Err(); err != nil {
		return lab.Trial{}, err
	}
	rep, ok := lastReport(exit.Output)
	if !ok {
		if exit.TimedOut {
			return lab.Trial{}, fmt.Errorf("deadlock: the naive transfers neither finished nor were found deadlocked within %s", wait)
		}
		return lab.Trial{}, fmt.Errorf("deadlock: the naive process ended (exit status %d) without its report: %s", exit.Status, firstLines(exit.Output, 5))
	}
	extra := map[string]any{
		"transfers_done": rep.Done,
		"deadlocked":     rep.Cycle != "",
		"deadlocks":      0,
	}
	if rep.Cycle != "" {
		extra["deadlocks"] = 1
		extra["cycle"] = rep.Cycle
		em.Log(fmt.Sprintf("naive: process %d deadlocked after %d transfers, no transfer for %.0f ms: %s", rep.PID, rep.Done, rep.StalledMs, rep.Cycle))
	} else {
		em.Log(fmt.Sprintf("naive: process %d finished all %d transfers", rep.PID, rep.Done))
		extra["transfers_per_s"] = perSecond(rep.Done, msDuration(rep.Ms))
	}
	if p.Bool("go_detector") && e.shown != nil && e.shown.CompareAndSwap(false, true) {
		if err := goDetector(ctx, info, p, em, extra); err != nil {
			return lab.Trial{}, err
		}
	}
	return lab.Trial{
		Elapsed:  msDuration(rep.Ms),
		CPU:      msDuration(rep.CPUMs),
		Expected: lab.Int64(rep.Expected),
		Got:      rep.Got,
		Extra:    extra,
	}, nil
}

// goDetector runs two opposite transfers alone in a process, where Go's
// runtime finds every goroutine asleep and ends the program, and again
// beside one live goroutine, where it finds nothing and the process hangs
// until it is killed. It adds what happened to extra.
func goDetector(ctx context.Context, info lab.Info, p lab.Params, em lab.Emitter, extra map[string]any) error {
	for _, task := range []struct {
		name string
		wait time.Duration
	}{{"asleep", asleepWait}, {"alive", aliveWait}} {
		sctx, cancel := context.WithTimeout(ctx, task.wait)
		var exit lab.SoloExit
		var err error
		if program, ok := findAsleep(); ok {
			// A plain Go program: this one links C code (cgo), whose
			// runtime never reports the deadlock.
			exit, err = runAsleep(sctx, program, task.name == "alive")
		} else {
			exit, err = lab.Spawn(sctx, lab.SoloTask{Experiment: info.ID, Task: task.name, Params: p.Encode(info)})
		}
		cancel()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		said := fatalLine(exit.Output)
		switch {
		case exit.TimedOut:
			said = fmt.Sprintf("nothing: still hung after %s, killed", task.wait)
		case said != "":
			said = fmt.Sprintf("%s (exit status %d)", said, exit.Status)
		default:
			said = fmt.Sprintf("no fatal error (exit status %d)", exit.Status)
		}
		extra["go_"+task.name] = said
		if task.name == "asleep" && exit.TimedOut {
			extra["go_asleep_why"] = whyNoFatalError()
		}
		em.Log(fmt.Sprintf("naive: two opposite transfers %s: exit status %d, %s", map[string]string{
			"asleep": "alone in a process", "alive": "beside one live goroutine"}[task.name], exit.Status, firstLines(exit.Output, 8)))
	}
	return nil
}

// whyNoFatalError says why a process of its own with nothing but two
// deadlocked goroutines got no fatal error from Go's runtime.
func whyNoFatalError() string {
	switch {
	case lab.RaceEnabled:
		return "this program is built with -race, and the race detector's runtime never reports a deadlock"
	case runtime.NumCgoCall() > 0:
		return "this program links OpenCV's C code through cgo, and a cgo program's runtime keeps a thread for calls from C that it counts as running, so it never finds every goroutine asleep (make build builds the asleep program, plain Go, which shows Go's own report)"
	}
	return "the runtime found a goroutine it could not call asleep"
}

// Solo implements lab.Soloist: the work that runs in a process of its own.
func (Experiment) Solo(ctx context.Context, task string, p lab.Params, out io.Writer) error {
	switch task {
	case "naive":
		return soloNaive(ctx, p, out)
	case "asleep":
		TwoOppositeTransfers(false)
		return nil
	case "alive":
		TwoOppositeTransfers(true)
		return nil
	}
	return fmt.Errorf("deadlock: no task %q", task)
}

// soloNaive runs the naive transfers with the watchdog beside them and
// prints how they ended as one JSON line. If they deadlock, it returns
// with the tellers still blocked: the process ends, and takes them with
// it.
func soloNaive(ctx context.Context, p lab.Params, out io.Writer) error {
	b, r := newBank(ctx, p, lab.Discard)
	r.waits = newWaitsFor(len(b.accounts), r.n)
	finished := make(chan struct{})
	cpu0, began := lab.CPUTime(), time.Now()
	go func() {
		defer close(finished)
		transfersNaive(b, r)
	}()
	// No transfer holds its locks longer than its work; allow that twice
	// over, and a scheduler's hiccup on a busy machine, before calling a
	// silence a deadlock.
	stall := 2*b.work + 100*time.Millisecond
	cycle, frozen := r.watch(finished, stall)
	rep := naiveReport{
		Report:   "naive",
		Done:     r.done.Load(),
		Ms:       ms(time.Since(began)),
		CPUMs:    ms(lab.CPUTime() - cpu0),
		Expected: int64(len(b.accounts)) * opening,
		Cycle:    cycle,
		PID:      os.Getpid(),
	}
	if cycle == "" {
		rep.Got = lab.Int64(b.sum())
	} else {
		rep.StalledMs = ms(time.Since(frozen))
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", line)
	return err
}

// lastReport finds the naive process's report: its last JSON line.
func lastReport(output string) (naiveReport, bool) {
	var found naiveReport
	ok := false
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var rep naiveReport
		if json.Unmarshal(sc.Bytes(), &rep) == nil && rep.Report == "naive" {
			found, ok = rep, true
		}
	}
	return found, ok
}

// fatalLine returns the line of Go's fatal error in output, or "".
func fatalLine(output string) string {
	for line := range strings.Lines(output) {
		if strings.HasPrefix(line, "fatal error:") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return math.Round(float64(n) / d.Seconds())
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func msDuration(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }
