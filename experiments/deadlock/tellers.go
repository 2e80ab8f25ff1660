package deadlock

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"concurrencylab/lab"
)

// A transfer moves amount from one account to another.
type transfer struct {
	from, to *Account
	amount   int
}

// tellers are the goroutines that make a trial's transfers, each a teller
// of its own, between random pairs of the bank's accounts.
type tellers struct {
	ctx   context.Context
	bank  *Bank
	n     int // tellers (goroutines)
	total int // transfers in all, shared among the tellers
	seed  uint64
	em    lab.Emitter

	done  atomic.Int64 // transfers completed
	waits *waitsFor    // who holds and who waits for which account (naive only)
}

// A teller is one goroutine's share of the transfers.
type teller struct {
	id int // 1..n, as the timeline and the cycle name it
	r  *tellers
}

// together runs f once per teller, each in a goroutine of its own, all
// started at the same instant, and returns when every one has.
func (r *tellers) together(f func(*teller)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range r.n {
		t := &teller{id: i + 1, r: r}
		wg.Go(func() {
			<-start
			began := time.Now()
			f(t)
			r.em.Span(t.id, began, time.Now(), "transfers")
		})
	}
	close(start)
	wg.Wait()
}

// transfers yields this teller's share of the transfers, between two
// different random accounts, until they are done or the trial is
// cancelled. Work outside the critical section happens here, before the
// transfer takes any lock.
func (t *teller) transfers() iter.Seq[transfer] {
	r, b := t.r, t.r.bank
	share := r.total / r.n
	if t.id <= r.total%r.n {
		share++
	}
	rng := rand.New(rand.NewPCG(r.seed, uint64(t.id)))
	return func(yield func(transfer) bool) {
		for range share {
			if r.ctx.Err() != nil {
				return
			}
			from := rng.IntN(len(b.accounts))
			to := rng.IntN(len(b.accounts) - 1)
			if to >= from {
				to++
			}
			if !b.inside && b.work > 0 {
				time.Sleep(b.work) // say, checking the customer's signature
			}
			if !yield(transfer{b.accounts[from], b.accounts[to], 1 + rng.IntN(maxAmount)}) {
				return
			}
			if n := r.done.Add(1); n%progressEvery == 0 || int(n) == r.total {
				r.em.Progress(n, int64(r.total), "transfers")
			}
		}
	}
}

// Lock locks a's mutex and keeps the record the watchdog reads: that this
// teller waits for a, then, once it has it, that it holds a.
func (t *teller) Lock(a *Account) {
	w := t.r.waits
	w.waiting[t.id].Store(int32(a.id))
	a.mu.Lock()
	w.waiting[t.id].Store(0)
	w.holder[a.id].Store(int32(t.id))
}

// Unlock unlocks a's mutex, first striking a off the record.
func (t *teller) Unlock(a *Account) {
	t.r.waits.holder[a.id].Store(0)
	a.mu.Unlock()
}

// waitsFor is the record of who waits for whom: which teller holds each
// account, and which account each teller waits for (0 for none). A
// teller is struck off as waiting before it is written in as holding, and
// as holding before it unlocks, so the record may miss an edge for an
// instant but never shows one that is not there.
type waitsFor struct {
	holder  []atomic.Int32 // by account id: the teller holding it
	waiting []atomic.Int32 // by teller id: the account it waits for
}

func newWaitsFor(accounts, tellers int) *waitsFor {
	return &waitsFor{
		holder:  make([]atomic.Int32, accounts+1),
		waiting: make([]atomic.Int32, tellers+1),
	}
}

// cycle follows the record from every waiting teller to the holder of
// the account it waits for, and on, and names the first cycle it finds:
// "goroutine 7 holds account 3, waits for account 5; goroutine 9 holds 5,
// waits for 3". It returns "" if there is none.
func (w *waitsFor) cycle() string {
	for g := range w.waiting {
		seen := map[int]int{} // teller -> its place in the path
		var path []int        // tellers, each waiting for the next one's account
		for h := g; h != 0; {
			if at, ok := seen[h]; ok {
				return w.describe(path[at:])
			}
			a := w.waiting[h].Load()
			if a == 0 {
				break
			}
			seen[h] = len(path)
			path = append(path, h)
			h = int(w.holder[a].Load())
		}
	}
	return ""
}

// describe names a cycle of tellers, each waiting for an account the next
// one holds, starting at the lowest teller.
func (w *waitsFor) describe(c []int) string {
	lo := slices.Index(c, slices.Min(c))
	c = append(c[lo:], c[:lo]...)
	parts := make([]string, len(c))
	for i, g := range c {
		prev := c[(i+len(c)-1)%len(c)]
		held, wanted := w.waiting[prev].Load(), w.waiting[g].Load()
		if i == 0 {
			parts[i] = fmt.Sprintf("goroutine %d holds account %d, waits for account %d", g, held, wanted)
		} else {
			parts[i] = fmt.Sprintf("goroutine %d holds %d, waits for %d", g, held, wanted)
		}
	}
	return strings.Join(parts, "; ")
}

// watch is the watchdog. It returns once done is closed (every transfer
// finished: cycle is ""), or once no transfer has completed for longer
// than stall and the record shows the same cycle of waits twice in a row:
// a deadlock, which it names.
func (r *tellers) watch(done <-chan struct{}, stall time.Duration) (cycle string, frozen time.Time) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	last, moved := r.done.Load(), time.Now()
	var seen string
	for {
		select {
		case <-done:
			return "", time.Time{}
		case now := <-tick.C:
			if n := r.done.Load(); n != last {
				last, moved, seen = n, now, ""
				continue
			}
			if now.Sub(moved) <= stall {
				continue
			}
			c := r.waits.cycle()
			if c != "" && c == seen {
				return c, moved
			}
			seen = c
		}
	}
}
