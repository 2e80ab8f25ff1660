//go:build race

package main

// raceEnabled is true in a build made with -race, the only build of
// racecounter worth running: without the detector it has nothing to show.
const raceEnabled = true
