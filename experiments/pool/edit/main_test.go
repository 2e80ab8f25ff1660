package main

import (
	"sync"
	"sync/atomic"
	"testing"

	"concurrencylab/experiments/pool/edit/yours"
	"concurrencylab/lab/yours/harness"
)

// bounded is the lesson's fix: a buffered channel as a semaphore of
// connections units.
func bounded(db yours.Database, requests, connections int) {
	sem := make(chan struct{}, connections)
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			conn, err := db.Connect()
			if err != nil {
				return
			}
			defer conn.Close()
			conn.Query(r)
		})
	}
	wg.Wait()
}

// fake answers with a connection of its own, which the lab never sees.
type fake struct{}

func (fake) Query(int) error { return nil }
func (fake) Close()          {}

func faked(_ yours.Database, requests, _ int) {
	for r := range requests {
		fake{}.Query(r)
	}
}

// closedFirst closes each connection before its query.
func closedFirst(db yours.Database, requests, _ int) {
	for r := range requests {
		if conn, err := db.Connect(); err == nil {
			conn.Close()
			conn.Query(r)
		}
	}
}

// shared opens one connection and sends every request through it at once,
// ignoring the bound: a real connection answers one query at a time.
func shared(db yours.Database, requests, _ int) {
	conn, err := db.Connect()
	if err != nil {
		return
	}
	defer conn.Close()
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() { conn.Query(r) })
	}
	wg.Wait()
}

func TestTrial(t *testing.T) {
	p := harness.Params{"requests": "60", "connections": "4", "query": "2ms"}
	tests := []struct {
		name  string
		serve func(yours.Database, int, int)
		ok    bool
	}{
		{"the starting file", yours.Serve, false},
		{"bounded", bounded, true},
		{"a connection of its own", faked, false},
		{"closed before the query", closedFirst, false},
		{"one connection shared at once", shared, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trial(p, tt.serve); (got == 60) != tt.ok {
				t.Errorf("got %d of 60 requests answered, want all %v", got, tt.ok)
			}
		})
	}
}

// The database refuses the connection past its limit and counts only
// requests it knows, once.
func TestDatabase(t *testing.T) {
	db := &database{limit: 1, answered: make([]atomic.Bool, 2)}
	c, err := db.Connect()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Connect(); err == nil {
		t.Error("a second connection with a limit of 1: got none refused")
	}
	if c.Query(2) == nil || c.Query(-1) == nil || c.Query(1) != nil || c.Query(1) != nil {
		t.Error("got queries of requests 2, -1, 1, 1 answered wrongly")
	}
	c.Close()
	c.Close()
	if db.open.Load() != 0 || db.maxOpen.Load() != 2 || db.refused.Load() != 1 || !db.answered[1].Load() || db.answered[0].Load() {
		t.Errorf("got %d open, at most %d, %d refused, want 0, 2 (the refused one counts while it is asked for), 1 and request 1 alone answered", db.open.Load(), db.maxOpen.Load(), db.refused.Load())
	}
}
