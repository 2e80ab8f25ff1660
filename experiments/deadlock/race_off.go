//go:build !race

package deadlock

const raceDetector = false
