//go:build !race

package lab

// RaceEnabled is true in a build made with -race; see race_on.go.
const RaceEnabled = false
