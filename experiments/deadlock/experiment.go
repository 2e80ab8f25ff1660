// Package deadlock is bank transfers between accounts with a mutex each:
// the lock order that deadlocks, the lock order that cures it, one lock
// for the whole bank, and one goroutine that owns every balance.
package deadlock

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
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
			// Output panels below the table (a figure "<x>_report" is one).
			{Key: "cycle_report", Label: "Cycle of waits", Help: "the goroutines of a deadlocked trial, each holding an account the next one waits for, as the watchdog found them"},
			{Key: "go_report", Label: "Go's own deadlock detector", Help: "two opposite transfers alone in a process, then beside one live goroutine: what Go's runtime printed"},
		},
		Source: []lab.SourceFile{
			{Name: "bank.go", Code: bankSource},
			{Name: "tellers.go", Code: tellersSource},
			{Name: "asleep.go", Code: asleepSource},
		},
		Repeat: 6,
		Check:  check,
		Edit:   edit,
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

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return math.Round(float64(n) / d.Seconds())
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func msDuration(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }
