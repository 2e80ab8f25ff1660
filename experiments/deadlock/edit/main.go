// The harness of a learner's own Transfer: the lab's goroutines, the
// tellers, call it for random pairs of the lab's accounts, and the lab's
// bank counts the moves made with both locks held. If every teller waits
// for a lock and none moves for a while, the bank names the deadlock and
// lets them go, and the trial ends with the transfers done before it.
package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/experiments/deadlock/edit/yours"
	"concurrencylab/lab/yours/harness"
)

// maxAmount is the most one transfer moves.
const maxAmount = 50

func main() {
	harness.Serve(func(p harness.Params) int64 { return trial(p, yours.Transfer) })
}

// trial runs the transfers and returns how many the bank made with both
// locks held, or 0 if money appeared or vanished.
func trial(p harness.Params, transfer func(yours.Bank, yours.Account, yours.Account, int)) int64 {
	work, _ := time.ParseDuration(p["work"])
	b := newBank(p.Int("accounts"), work, p["where"] != "outside")
	tellers, total := p.Int("goroutines"), int64(p.Int("transfers"))
	var next, active atomic.Int64
	active.Store(int64(tellers))
	var wg sync.WaitGroup
	for range tellers {
		wg.Go(func() {
			defer active.Add(-1)
			for next.Add(1) <= total && !b.isBroken() {
				from, to := b.pair()
				if !b.inside {
					time.Sleep(work) // the slow work, before the locks
				}
				transfer(b, from, to, 1+rand.IntN(maxAmount))
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	b.watch(finished, &active, 2*work+100*time.Millisecond)
	moved := b.moved.Load()
	switch want := opening * len(b.accounts); {
	case b.isBroken():
		fmt.Fprintf(os.Stderr, "lab: deadlock after %d of %d transfers: every goroutine waited for an account another held, and none moved for %s\n", moved, total, 2*work+100*time.Millisecond)
	case b.sum() != want:
		fmt.Fprintf(os.Stderr, "lab: the bank holds %d where it held %d: transfers made without both locks lost or made money\n", b.sum(), want)
		return 0
	case b.refused.Load() > 0:
		fmt.Fprintf(os.Stderr, "lab: the bank refused %d moves made without both accounts' locks\n", b.refused.Load())
	}
	return moved
}

// pair returns two different accounts at random.
func (b *bank) pair() (from, to *account) {
	i := rand.IntN(len(b.accounts))
	j := rand.IntN(len(b.accounts) - 1)
	if j >= i {
		j++
	}
	return b.accounts[i], b.accounts[j]
}

// watch returns once the tellers have finished, or breaks the bank once
// every teller still at work has waited in Lock and no move was made for
// stall, and then waits for them to finish.
func (b *bank) watch(finished <-chan struct{}, active *atomic.Int64, stall time.Duration) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	last, since := b.moved.Load(), time.Now()
	for {
		select {
		case <-finished:
			return
		case <-tick.C:
		}
		n, waiting := b.moved.Load(), b.waiting.Load()
		if n != last || waiting < active.Load() || waiting == 0 {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) > stall {
			close(b.broken)
			<-finished
			return
		}
	}
}
