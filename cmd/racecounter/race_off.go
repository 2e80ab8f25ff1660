//go:build !race

package main

// raceEnabled is true in a build made with -race; see race_on.go.
const raceEnabled = false
