package main

import (
	"sync"
	"testing"
	"time"

	"concurrencylab/experiments/deadlock/edit/yours"
	"concurrencylab/lab/yours/harness"
)

// ordered is the lesson's fix: the lower id first.
func ordered(b yours.Bank, from, to yours.Account, amount int) {
	first, second := from, to
	if second.ID() < first.ID() {
		first, second = second, first
	}
	first.Lock()
	second.Lock()
	b.Move(from, to, amount)
	second.Unlock()
	first.Unlock()
}

// unlocked moves the money without taking a lock.
func unlocked(b yours.Bank, from, to yours.Account, amount int) { b.Move(from, to, amount) }

// nothing skips the transfer.
func nothing(yours.Bank, yours.Account, yours.Account, int) {}

var global sync.Mutex // guards every transfer of globalLock

// globalLock takes one lock for the whole bank before the accounts'.
func globalLock(b yours.Bank, from, to yours.Account, amount int) {
	global.Lock()
	defer global.Unlock()
	from.Lock()
	to.Lock()
	b.Move(from, to, amount)
	to.Unlock()
	from.Unlock()
}

// lockedOnce locks each account the first time it sees it, in id order,
// and never again nor ever unlocks: every move after that runs with no
// exclusion at all.
var (
	onceMu sync.Mutex
	seen   = map[yours.Account]bool{}
)

func lockedOnce(b yours.Bank, from, to yours.Account, amount int) {
	onceMu.Lock()
	first, second := from, to
	if second.ID() < first.ID() {
		first, second = second, first
	}
	for _, a := range []yours.Account{first, second} {
		if !seen[a] {
			seen[a] = true
			a.Lock()
		}
	}
	onceMu.Unlock()
	b.Move(from, to, amount)
}

func TestTrial(t *testing.T) {
	p := harness.Params{"accounts": "2", "goroutines": "4", "transfers": "100", "work": "1ms", "where": "inside"}
	tests := []struct {
		name     string
		transfer func(yours.Bank, yours.Account, yours.Account, int)
		ok       bool
	}{
		{"lower id first", ordered, true},
		{"one lock for the bank", globalLock, true},
		{"no lock", unlocked, false},
		{"no transfer", nothing, false},
		{"locked once, never unlocked", lockedOnce, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := trial(p, tt.transfer)
			if (got == 100) != tt.ok {
				t.Errorf("got %d of 100 transfers, want right %v", got, tt.ok)
			}
		})
	}
}

// The starting file deadlocks at once with two accounts and work inside
// the locks; the bank names it and lets the tellers go within the stall.
func TestStartDeadlocks(t *testing.T) {
	p := harness.Params{"accounts": "2", "goroutines": "4", "transfers": "100", "work": "1ms", "where": "inside"}
	done := make(chan int64, 1)
	go func() { done <- trial(p, yours.Transfer) }()
	select {
	case got := <-done:
		if got >= 100 {
			t.Errorf("got all %d transfers done, want a deadlock", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the deadlocked trial did not end within 10s")
	}
}

// A bank moves money only between its own accounts, each locked.
func TestMoveRefused(t *testing.T) {
	b := newBank(3, 0, true)
	a1, a2 := b.accounts[0], b.accounts[1]
	a1.Lock()
	b.Move(a1, a2, 10) // a2 not locked
	a2.Lock()
	b.Move(a1, a1, 10)                              // the same account
	b.Move(a1, newBank(1, 0, true).accounts[0], 10) // another bank's
	b.Move(a1, a2, 500)                             // what a1 holds, at most
	a2.Unlock()
	a1.Unlock()
	if b.moved.Load() != 1 || b.refused.Load() != 3 || a1.balance != 0 || a2.balance != 200 || b.sum() != 300 {
		t.Errorf("got %d moved, %d refused, balances %d and %d, want 1, 3, 0 and 200", b.moved.Load(), b.refused.Load(), a1.balance, a2.balance)
	}
}
