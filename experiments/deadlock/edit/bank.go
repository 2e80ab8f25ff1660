package main

import (
	"sync/atomic"
	"time"

	"concurrencylab/experiments/deadlock/edit/yours"
)

// opening is every account's balance when a trial starts.
const opening = 100

// An account is the lab's: its lock is a channel, so that a goroutine
// waiting for it can be let go once the bank finds the tellers
// deadlocked.
type account struct {
	id      int
	bank    *bank
	lock    chan struct{} // holds a token while the account is locked
	held    atomic.Bool
	balance int // guarded by lock
	// Each Lock starts an epoch; a move needs a fresh one on both
	// accounts (one lock, one move), and no other move under way on them.
	epoch   atomic.Int64
	movedAt int64 // the epoch of the last move; guarded by moving
	moving  atomic.Bool
}

// ID implements yours.Account.
func (a *account) ID() int { return a.id }

// Lock implements yours.Account. Once the bank is broken it waits for
// nothing: every transfer from then on is refused.
func (a *account) Lock() {
	b := a.bank
	b.waiting.Add(1)
	defer b.waiting.Add(-1)
	select {
	case a.lock <- struct{}{}:
		a.held.Store(true)
		a.epoch.Add(1)
	case <-b.broken:
	}
}

// Unlock implements yours.Account.
func (a *account) Unlock() {
	if a.bank.isBroken() {
		return
	}
	if !a.held.Swap(false) {
		panic("yours: Unlock of an account that is not locked")
	}
	<-a.lock
}

// A bank is the lab's: it holds the balances and counts the moves made
// with both locks held.
type bank struct {
	accounts []*account
	work     time.Duration // the slow work of a transfer
	inside   bool          // the work happens while the locks are held
	broken   chan struct{} // closed once the tellers are found deadlocked
	waiting  atomic.Int64  // goroutines in Lock
	moved    atomic.Int64  // moves made
	refused  atomic.Int64  // moves refused: a lock missing, or not the lab's accounts
}

func newBank(accounts int, work time.Duration, inside bool) *bank {
	b := &bank{work: work, inside: inside, broken: make(chan struct{})}
	for i := range accounts {
		b.accounts = append(b.accounts, &account{id: i + 1, bank: b, lock: make(chan struct{}, 1), balance: opening})
	}
	return b
}

func (b *bank) isBroken() bool {
	select {
	case <-b.broken:
		return true
	default:
		return false
	}
}

// Move implements yours.Bank.
func (b *bank) Move(from, to yours.Account, amount int) {
	f, ok1 := from.(*account)
	t, ok2 := to.(*account)
	switch {
	case b.isBroken():
		return
	case !ok1 || !ok2 || f == t || f.bank != b || t.bank != b || !f.held.Load() || !t.held.Load():
		b.refused.Add(1)
		return
	}
	if !f.moving.CompareAndSwap(false, true) {
		b.refused.Add(1) // another move on it under way: its lock is not held by this one
		return
	}
	defer f.moving.Store(false)
	if !t.moving.CompareAndSwap(false, true) {
		b.refused.Add(1)
		return
	}
	defer t.moving.Store(false)
	ef, et := f.epoch.Load(), t.epoch.Load()
	if ef == f.movedAt || et == t.movedAt {
		b.refused.Add(1) // a second move under the same lock: not locked for this transfer
		return
	}
	f.movedAt, t.movedAt = ef, et
	amount = max(min(amount, f.balance), 0)
	f.balance -= amount
	if b.inside {
		time.Sleep(b.work) // say, writing the ledger while holding the locks
	}
	t.balance += amount
	b.moved.Add(1)
}

// sum is the money in the bank, read once every transfer has ended.
func (b *bank) sum() int {
	s := 0
	for _, a := range b.accounts {
		s += a.balance
	}
	return s
}
