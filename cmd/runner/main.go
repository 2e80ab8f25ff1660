// Command runner executes the lab's runs. The server starts it once for
// every run of an experiment that needs no cgo: pinned to the run's cores,
// with the job on stdin, the run's events as JSON lines on file
// descriptor 3, and stdin's end taken for the server's death (package
// lab/process). It links no server code, no database, no websocket, no
// templates and no C (package experiments/pure lists what it runs), so it
// starts in milliseconds.
//
// Started by hand with -db postgres://..., it is a runner service for
// other machines: it takes runs from the queue the lab's web servers
// share in PostgreSQL (service.go), and links the store for that, but
// still no web code, metrics, websocket, templates or C. Without -db it
// only explains itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
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

With -db, it is a runner service for another machine: it takes runs from
the queue the lab's web servers share in PostgreSQL and executes them on
this machine's CPUs.

Usage: runner [-h] [-db postgres://... [-cores-per-run N] ...]
`

// run is the runner started outside a run: with -db it serves the
// shared queue until ctx is done; without, it says what it is for.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	c, err := parseService(args, getenv, out)
	if err != nil {
		return err
	}
	return serve(ctx, c, slog.New(slog.NewTextHandler(out, nil)))
}
