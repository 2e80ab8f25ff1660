//go:build !race

package locked

// raceDetector is true in a build made with -race; see race_on.go.
const raceDetector = false
