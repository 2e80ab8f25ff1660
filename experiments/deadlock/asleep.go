package deadlock

import (
	"sync"
	"time"
)

// TwoOppositeTransfers is the smallest deadlock: one goroutine moves money
// from a to b, another from b to a, each locking the account the money
// leaves first. Both take their first lock, then each waits for the
// other's, for ever.
//
// Alone in a process, that is every goroutine asleep: main waits for the
// two, the two wait for each other. Go's runtime notices that no
// goroutine can ever run again and ends the program with "fatal error:
// all goroutines are asleep - deadlock!".
//
// With alive set, one more goroutine runs beside them, as in every server
// (a ticker, a goroutine waiting for connections or a timer). It could in
// principle still wake someone, so the runtime cannot call the program
// dead: it hangs, its two transfers stuck for ever, and only a watchdog
// of its own (as the naive variant's) or a person can tell.
func TwoOppositeTransfers(alive bool) {
	if alive {
		go func() {
			for range time.Tick(time.Second) { // say, a server's housekeeping
			}
		}()
	}
	a, b := &Account{id: 1, balance: opening}, &Account{id: 2, balance: opening}
	var holding, done sync.WaitGroup
	holding.Add(2)
	for _, pair := range [][2]*Account{{a, b}, {b, a}} {
		done.Go(func() {
			from, to := pair[0], pair[1]
			from.mu.Lock()
			holding.Done()
			holding.Wait() // both hold the account their money leaves
			to.mu.Lock()   // and wait for the other's: never returns
			from.balance--
			to.balance++
			to.mu.Unlock()
			from.mu.Unlock()
		})
	}
	done.Wait()
}
