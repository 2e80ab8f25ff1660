package deadlock

// The naive variant's trials: each in a process of its own, with a
// watchdog that names the cycle of waits if the transfers deadlock.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"concurrencylab/lab"
)

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
		// The page's output panel: one goroutine a line (describe joins
		// them with "; ").
		waits := strings.Split(rep.Cycle, "; ")
		extra["cycle_report"] = strings.Join(waits, "\n")
		extra["cycle_reports"] = len(waits)
		transfers := lab.Group(rep.Done) + " transfers"
		if rep.Done == 1 {
			transfers = "1 transfer"
		}
		extra["cycle_found"] = fmt.Sprintf("%d goroutines wait for each other after %s; none moved for %.0f ms",
			len(waits), transfers, rep.StalledMs)
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
