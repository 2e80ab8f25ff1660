//go:build race

package process

// raceEnabled: this test binary, and so every child it starts, has the race
// detector, whose runtime never reports "all goroutines are asleep".
const raceEnabled = true
