// Command asleep runs the deadlock experiment's two opposite transfers in
// a plain Go program, so that Go's runtime can say what it sees:
//
//	CGO_ENABLED=0 go build -o bin/asleep ./cmd/asleep
//
// Alone, the two goroutines wait for each other and nothing else runs: the
// runtime ends the program with "fatal error: all goroutines are asleep -
// deadlock!". With -alive, one more goroutine waits on a ticker, as in any
// server, and the program hangs instead. The lab's own binary links OpenCV
// through cgo, whose runtime never reports the deadlock, so the deadlock
// experiment runs this program to show it.
package main

import (
	"flag"
	"fmt"
	"os"

	"concurrencylab/experiments/deadlock"
)

func main() {
	alive := flag.Bool("alive", false, "run one more goroutine beside the two, as a server would")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "asleep: unexpected arguments %q\n", flag.Args())
		os.Exit(1)
	}
	deadlock.TwoOppositeTransfers(*alive)
}
