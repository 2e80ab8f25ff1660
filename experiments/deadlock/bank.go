package deadlock

import (
	"sync"
	"time"
)

// An Account is one bank account, guarded by a mutex of its own, like the
// Python lesson's account with its threading.Lock.
type Account struct {
	id      int
	mu      sync.Mutex // guards balance
	balance int
}

// A Bank is a row of accounts. Money only moves between them, so their
// total never changes: a trial checks that it did not.
type Bank struct {
	accounts []*Account
	work     time.Duration // the slow work each transfer does
	inside   bool          // the work happens while the locks are held
}

// move takes amount (or what the account holds, if less) out of from and
// puts it into to. The caller holds whatever guards both balances. If the
// work is inside the critical section, it happens here, between the two
// writes, as the lesson's account sleeps while it holds its lock: every
// other transfer that needs either account waits for it.
func (b *Bank) move(from, to *Account, amount int) {
	amount = min(amount, from.balance)
	from.balance -= amount
	if b.inside {
		time.Sleep(b.work) // say, writing the ledger while holding the locks
	}
	to.balance += amount
}

// transfersNaive locks the account the money leaves first, then the one
// it goes to. Two opposite transfers, a→b and b→a, can each take their
// first lock and then wait for ever for the other's: a deadlock. The
// teller's Lock and Unlock keep a record of who holds and who waits for
// which account, so the watchdog can name the cycle (runtime.Stack shows
// where goroutines wait, not which mutex they hold).
func transfersNaive(b *Bank, r *tellers) {
	r.together(func(t *teller) {
		for tr := range t.transfers() {
			t.Lock(tr.from)
			t.Lock(tr.to)
			b.move(tr.from, tr.to, tr.amount)
			t.Unlock(tr.to)
			t.Unlock(tr.from)
		}
	})
}

// transfersOrdered cures the deadlock with a lock order: every transfer
// locks the account with the lower id first, whichever way the money
// goes. A goroutine then only ever waits for an account with a higher id
// than every one it holds, so no cycle of waits can form.
func transfersOrdered(b *Bank, r *tellers) {
	r.together(func(t *teller) {
		for tr := range t.transfers() {
			first, second := tr.from, tr.to
			if second.id < first.id {
				first, second = second, first
			}
			first.mu.Lock()
			second.mu.Lock()
			b.move(tr.from, tr.to, tr.amount)
			second.mu.Unlock()
			first.mu.Unlock()
		}
	})
}

// transfersGlobal takes one mutex for the whole bank: one lock can never
// wait for another, so it is correct too, but only one transfer runs at a
// time, even between accounts no other transfer touches.
func transfersGlobal(b *Bank, r *tellers) {
	var bank sync.Mutex // guards every balance
	r.together(func(t *teller) {
		for tr := range t.transfers() {
			bank.Lock()
			b.move(tr.from, tr.to, tr.amount)
			bank.Unlock()
		}
	})
}

// transfersOwned gives every balance to one goroutine, the owner, and
// makes transfers messages: tellers send them, the owner applies them one
// after the other. There are no locks to take in the wrong order, and no
// deadlock, but the owner does every transfer (and any work inside it)
// alone.
func transfersOwned(b *Bank, r *tellers) {
	requests := make(chan transfer, 64)
	owned := make(chan struct{})
	go func() {
		defer close(owned)
		for tr := range requests {
			b.move(tr.from, tr.to, tr.amount)
		}
	}()
	r.together(func(t *teller) {
		for tr := range t.transfers() {
			requests <- tr
		}
	})
	close(requests)
	<-owned
}
