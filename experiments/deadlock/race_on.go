//go:build race

package deadlock

// raceDetector is true in a build made with -race, whose runtime never
// reports "all goroutines are asleep".
const raceDetector = true
