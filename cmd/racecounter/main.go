// Command racecounter runs one of the lab's counters once, outside the
// lab, and prints its count. It is built with -race:
//
//	go build -race -trimpath -o bin/racecounter ./cmd/racecounter
//
// and the race and locked experiments run it as a child process (their
// detector parameter) to show the report Go's race detector prints for
// the unsynchronized counter, and that the synchronized ones draw none.
// The counters are the experiments' own code, so the report's stacks name
// the lines the experiment's page shows.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"concurrencylab/experiments/locked"
	"concurrencylab/experiments/race"
	"concurrencylab/lab"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "racecounter:", err)
		os.Exit(2)
	}
}

// counters are the experiments whose counters racecounter can run.
var counters = map[string]func(variant string, goroutines, increments int) (int, error){
	"race":   race.Count,
	"locked": locked.Count,
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("racecounter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	experiment := fs.String("experiment", "locked", "whose counters to run: race or locked")
	variant := fs.String("variant", "unsynchronized", "the counter: unsynchronized, or a variant of the experiment such as mutex or get-set")
	goroutines := fs.Int("goroutines", 2, "goroutines incrementing at once (1..256)")
	increments := fs.Int("increments", 1000, "increments per goroutine (1..10000000)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	count, ok := counters[*experiment]
	switch {
	case !ok:
		return fmt.Errorf("-experiment must be race or locked, got %q", *experiment)
	case *goroutines < 1 || *goroutines > 256:
		return fmt.Errorf("-goroutines must be 1..256, got %d", *goroutines)
	case *increments < 1 || *increments > 10_000_000:
		return fmt.Errorf("-increments must be 1..10000000, got %d", *increments)
	case !lab.RaceEnabled:
		return errors.New("built without -race, so there is no race detector to report anything: build it with go build -race -trimpath -o bin/racecounter ./cmd/racecounter")
	}
	got, err := count(*variant, *goroutines, *increments)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "counted %d of %d\n", got, *goroutines**increments)
	return err
}
