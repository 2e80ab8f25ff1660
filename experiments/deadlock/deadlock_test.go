package deadlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"concurrencylab/lab"
)

// finishing are the variants that can never deadlock: they run in this
// process.
var finishing = []string{"ordered", "global", "owner"}

func TestFinishingVariantsConserveMoney(t *testing.T) {
	sizes := []string{
		"accounts=2&goroutines=1&transfers=1&work=0",
		"accounts=2&goroutines=64&transfers=5000&work=0",
		"accounts=3&goroutines=16&transfers=20000&work=0",
		"accounts=10&goroutines=8&transfers=200&work=1ms&where=inside",
		"accounts=10&goroutines=8&transfers=200&work=1ms&where=outside",
		"accounts=1000&goroutines=256&transfers=3000&work=0",
	}
	for _, variant := range finishing {
		for _, q := range sizes {
			t.Run(variant+"/"+q, func(t *testing.T) {
				p := params(t, q)
				var tr lab.Trial
				var err error
				within(t, variant, func() { tr, err = New().Trial(context.Background(), variant, p, lab.Discard) })
				if err != nil {
					t.Fatal(err)
				}
				want := int64(p.Int("accounts")) * opening
				if *tr.Expected != want || *tr.Got != want {
					t.Errorf("got %d of %d, want the bank's %d conserved", *tr.Got, *tr.Expected, want)
				}
				if tr.Extra["deadlocked"] != false || tr.Extra["deadlocks"] != 0 {
					t.Errorf("got deadlocked %v, deadlocks %v, want false and 0", tr.Extra["deadlocked"], tr.Extra["deadlocks"])
				}
				if got := tr.Extra["transfers_done"]; got != int64(p.Int("transfers")) {
					t.Errorf("got %v transfers done, want all %d", got, p.Int("transfers"))
				}
				if rate, _ := tr.Extra["transfers_per_s"].(float64); rate <= 0 {
					t.Errorf("got transfers_per_s %v, want above 0", tr.Extra["transfers_per_s"])
				}
			})
		}
	}
}

// Ordered locks never deadlock, even on two accounts fought over by many
// goroutines, with and without work inside the locks: the same knobs
// deadlock the naive variant at once.
func TestOrderedNeverDeadlocks(t *testing.T) {
	for _, q := range []string{
		"accounts=2&goroutines=64&transfers=50000&work=0",
		"accounts=3&goroutines=32&transfers=300&work=1ms&where=inside",
		"accounts=5&goroutines=8&transfers=50000&work=0&cores=1",
	} {
		for i := range 5 {
			t.Run(fmt.Sprintf("%s/%d", q, i), func(t *testing.T) {
				p := params(t, q)
				within(t, "ordered transfers", func() {
					tr, err := New().Trial(context.Background(), "ordered", p, lab.Discard)
					if err != nil || *tr.Got != *tr.Expected {
						t.Errorf("got %v, %v, want the money conserved", tr, err)
					}
				})
			})
		}
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	for _, variant := range finishing {
		t.Run(variant, func(t *testing.T) {
			// A second of work in all: the trial ends early only by
			// noticing the cancel.
			p := params(t, "accounts=10&goroutines=4&transfers=1000&work=1ms")
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			began := time.Now()
			var err error
			within(t, variant, func() { _, err = New().Trial(ctx, variant, p, lab.Discard) })
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got error %v, want %v", err, context.DeadlineExceeded)
			}
			if took := time.Since(began); took > 5*time.Second {
				t.Errorf("took %v to stop, want well under 5s", took)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestNaiveNeedsAProcess(t *testing.T) {
	_, err := New().Trial(context.Background(), "naive", params(t, "accounts=2"), lab.Discard)
	if !errors.Is(err, lab.ErrNoSpawner) {
		t.Errorf("got %v, want ErrNoSpawner in a test's own process", err)
	}
}

func TestCheck(t *testing.T) {
	_, err := lab.ParseMap(New().Info(), map[string]string{"transfers": "2000", "work": "100us"})
	if err == nil || err.Error() != "transfers × work must be at most 1s (sleeps count as at least 1ms), got 2s" {
		t.Errorf("got %v, want the bound on transfers × work", err)
	}
	if _, err := lab.ParseMap(New().Info(), map[string]string{"transfers": "1000", "work": "1ms"}); err != nil {
		t.Errorf("got %v for a second of work, want it allowed", err)
	}
}

func TestCycleNamed(t *testing.T) {
	w := newWaitsFor(5, 9)
	// goroutine 9 holds 5, waits for 3; goroutine 7 holds 3, waits for 5;
	// goroutine 2 holds 1 and waits for 5 too, outside the cycle.
	w.holder[5].Store(9)
	w.waiting[9].Store(3)
	w.holder[3].Store(7)
	w.waiting[7].Store(5)
	w.holder[1].Store(2)
	w.waiting[2].Store(5)
	want := "goroutine 7 holds account 3, waits for account 5; goroutine 9 holds 5, waits for 3"
	if got := w.cycle(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	w.waiting[9].Store(0) // 9 got its lock: no cycle
	if got := w.cycle(); got != "" {
		t.Errorf("got %q with the cycle broken, want none", got)
	}
}

// cyclePattern is how the watchdog names a deadlock.
var cyclePattern = regexp.MustCompile(`^goroutine \d+ holds account \d+, waits for account \d+(; goroutine \d+ holds \d+, waits for \d+)+$`)

// The naive variant deadlocks, its watchdog names the cycle and ends the
// trial's process, and the run goes on: the next trials, and the ordered
// variant's, run and conserve the money. Once per run, Go's own detector
// speaks alone and stays silent beside a live goroutine. Nothing is left
// running and no file is left open.
func TestNaiveDeadlockNamedAndTheRunGoesOn(t *testing.T) {
	fds := openFiles(t)
	rep, s := runInProcesses(t, "variants=naive,ordered,global&repeat=3&accounts=4&goroutines=8&transfers=300&work=1ms")
	naive := rep.Result.Variant("naive")
	if naive == nil || len(naive.Trials) != 3 {
		t.Fatalf("got %+v, want 3 naive trials", rep.Result)
	}
	for i, tr := range naive.Trials {
		if tr.Extra["deadlocked"] != true {
			t.Errorf("naive trial %d: got deadlocked %v, want true (8 goroutines on 4 accounts, sleeping in their locks)", i+1, tr.Extra["deadlocked"])
			continue
		}
		if c, _ := tr.Extra["cycle"].(string); !cyclePattern.MatchString(c) {
			t.Errorf("naive trial %d: got cycle %q, want one like %q", i+1, c, "goroutine 7 holds account 3, waits for account 5; goroutine 9 holds 5, waits for 3")
		}
		if tr.Got != nil {
			t.Errorf("naive trial %d: got %d, want no total from a frozen bank", i+1, *tr.Got)
		}
		// The output panel: the same cycle, one goroutine a line.
		c, _ := tr.Extra["cycle"].(string)
		lines, _ := tr.Extra["cycle_report"].(string)
		got, _ := lab.Number(tr.Extra["cycle_reports"])
		if n := strings.Count(c, "; ") + 1; strings.Count(lines, "\n")+1 != n || int(got) != n {
			t.Errorf("naive trial %d: got cycle_report %q (%v goroutines), want the %d goroutines of %q a line each", i+1, lines, tr.Extra["cycle_reports"], n, c)
		}
	}
	for _, name := range []string{"ordered", "global"} {
		v := rep.Result.Variant(name)
		if v == nil || len(v.Trials) != 3 || v.Correct == nil || !*v.Correct {
			t.Errorf("%s: got %+v, want 3 trials with the money conserved", name, v)
		}
	}
	first := naive.Trials[0].Extra
	wantAsleep := "fatal error: all goroutines are asleep - deadlock! (exit status 2)"
	if lab.RaceEnabled { // the race runtime hangs instead
		wantAsleep = "nothing: still hung after 2s, killed"
	}
	if why, _ := first["go_asleep_why"].(string); lab.RaceEnabled && !strings.Contains(why, "-race") {
		t.Errorf("got go_asleep_why %q, want it to name -race", why)
	}
	if first["go_asleep"] != wantAsleep {
		t.Errorf("got go_asleep %q, want %q", first["go_asleep"], wantAsleep)
	}
	if first["go_alive"] != "nothing: still hung after 1s, killed" {
		t.Errorf("got go_alive %q, want the process hung until killed", first["go_alive"])
	}
	// The output panel holds both processes, Go's own report in full.
	report, _ := first["go_report"].(string)
	// (the command is the asleep program where it is built, else this one)
	for _, want := range []string{"$ ", "alive\n(printed nothing: still hung after 1s, killed)"} {
		if !strings.Contains(report, want) || !strings.HasPrefix(report, "$ ") {
			t.Errorf("got go_report %q, want it to hold %q", report, want)
		}
	}
	if !lab.RaceEnabled && (!strings.Contains(report, "fatal error: all goroutines are asleep - deadlock!\n") || !strings.Contains(report, "goroutine 1 [")) {
		t.Errorf("got go_report %q, want Go's fatal error with its goroutines", report)
	}
	for _, tr := range naive.Trials[1:] {
		if _, ok := tr.Extra["go_asleep"]; ok {
			t.Errorf("got Go's detector shown again in a later trial, want once per run")
		}
	}
	// Every naive process is gone.
	pids := 0
	for _, line := range s.logs() {
		var pid int
		if _, err := fmt.Sscanf(line, "naive: process %d", &pid); err == nil {
			pids++
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("naive process %d: got %v, want it gone", pid, err)
			}
		}
	}
	if pids != 3 {
		t.Errorf("got %d naive processes in the log %q, want 3", pids, s.logs())
	}
	if got := openFiles(t); got > fds {
		t.Errorf("got %d open files after the run, %d before", got, fds)
	}
	h, d := New().Judge(rep.Result, params(t, "variants=naive,ordered,global&accounts=4&goroutines=8&transfers=300&work=1ms"), rep.Env)
	if !strings.HasPrefix(h, "The naive lock order deadlocked in 3 of 3 trials; ordered and global never deadlocked") {
		t.Errorf("got headline %q", h)
	}
	if !strings.Contains(d, "the watchdog found goroutine") {
		t.Errorf("got details %q, want the cycle named", d)
	}
	t.Logf("%s\n%s", h, d)
}

// With one goroutine there is nobody to deadlock with: the naive process
// finishes and the money is all there.
func TestNaiveAloneFinishes(t *testing.T) {
	rep, _ := runInProcesses(t, "variants=naive&repeat=2&accounts=3&goroutines=1&transfers=500&work=0&go_detector=false")
	v := rep.Result.Variant("naive")
	for i, tr := range v.Trials {
		if tr.Extra["deadlocked"] != false || tr.Got == nil || *tr.Got != 300 || *tr.Expected != 300 {
			t.Errorf("trial %d: got deadlocked %v, %v of %v, want false and 300 of 300", i+1, tr.Extra["deadlocked"], tr.Got, tr.Expected)
		}
		if _, ok := tr.Extra["go_asleep"]; ok {
			t.Errorf("trial %d: got Go's detector shown with go_detector=false", i+1)
		}
	}
}

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
