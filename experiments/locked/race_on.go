//go:build race

package locked

// raceDetector is true in a build made with -race. The unsynchronized
// variant then refuses to run: the detector would report its data race,
// which is the lesson, but would also fail the test or server that ran it.
const raceDetector = true
