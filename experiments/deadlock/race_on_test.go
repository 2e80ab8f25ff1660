//go:build race

package deadlock

// raceEnabled: this test binary, and every process it starts, has the
// race detector, whose runtime never reports "all goroutines are asleep".
const raceEnabled = true
