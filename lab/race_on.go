//go:build race

package lab

// RaceEnabled is true in a build made with -race. The deliberately racy
// counters then refuse to run: the detector would report their data race,
// which is the lesson, but would also fail the test or server that ran
// them. Tests allow for the race runtime, which never reports "all
// goroutines are asleep", and racecounter refuses to run without it.
const RaceEnabled = true
