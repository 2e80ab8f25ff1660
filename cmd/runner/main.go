// Command runner executes the lab's runs. The server starts it once for
// every run of an experiment that needs no cgo: pinned to the run's cores,
// with the job on stdin, the run's events as JSON lines on file
// descriptor 3, and stdin's end taken for the server's death (package
// lab/process). It links no server code, no database, no websocket, no
// templates and no C (package experiments/pure lists what it runs), so it
// starts in milliseconds.
//
// Started by hand it only explains itself: a run needs the server's job
// and pipe. Flags are kept for what the runner will grow into, a service
// that takes runs from a queue other servers share.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"concurrencylab/experiments/pure"
	"concurrencylab/lab/process"
)

func main() {
	if code, ok := pure.Helper(); ok {
		// A process of its own that a trial started for its work.
		os.Exit(code)
	}
	if process.IsChild() {
		// One run, or a process of its own that one of its trials spawned.
		os.Exit(process.Main(pure.All(runtime.NumCPU())))
	}
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "runner:", err)
		}
		os.Exit(2)
	}
}

// usage is what the runner says of itself when a person starts it.
const usage = `runner executes one run of the Concurrency Lab that the lab's server
hands it: the server (bin/web) starts this program for every run of an
experiment that needs no cgo, with the job on stdin and a pipe for the
run's events. Start the server, not this program.

Usage: runner [-h]
`

// run is the runner started outside a run: it parses its flags and says
// what it is for.
func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, usage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: the runner takes its job from the server", fs.Args())
	}
	return errors.New("no job: this program executes the runs the lab's server (bin/web) hands it; start the server instead")
}
