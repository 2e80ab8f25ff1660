package main

// The runner as a service (-db): it takes runs from the queue that the
// lab's web servers share in PostgreSQL, executes each in a child process
// of its own on its own CPUs, as a server's local slots do, stores their
// events in batches and renews their leases. It links no web code.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"concurrencylab/experiments/pure"
	"concurrencylab/lab/postgres"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runs"
)

// config is the service's configuration, from flags with environment
// variables as fallback.
type config struct {
	DB          string
	CoresPerRun int
	Runners     int
	RunTimeout  time.Duration
	RunMemory   int64
	Lease       time.Duration
	Grace       time.Duration
}

// parseService reads the service's flags; a run without -db is no service.
func parseService(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprint(out, usage); fs.PrintDefaults() }
	fs.StringVar(&c.DB, "db", getenv("LAB_DB"), "PostgreSQL URL of the lab's shared queue, postgres://user:password@host:port/database (LAB_DB)")
	fs.IntVar(&c.CoresPerRun, "cores-per-run", 0, "CPUs each run has to itself; the usable CPUs are split into runner slots of that many (default all: one run at a time)")
	fs.IntVar(&c.Runners, "runners", 0, "most runner slots to use (default every slot)")
	fs.DurationVar(&c.RunTimeout, "run-timeout", 2*time.Minute, "longest a run may execute")
	memory := fs.Int64("run-memory-mib", 1024, "most memory a run may hold, in MiB")
	fs.DurationVar(&c.Lease, "lease", runs.DefaultLease, "how long a run stays held without a heartbeat before any server marks it interrupted")
	fs.DurationVar(&c.Grace, "grace", 30*time.Second, "on SIGTERM, how long runs in progress may take to finish before they are interrupted")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.RunMemory = *memory << 20
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.DB == "":
		return c, errors.New("no job: this program executes the runs the lab's server (bin/web) hands it; start the server instead, or give -db postgres://... to take runs from the queue the lab's servers share")
	case !postgres.IsURL(c.DB):
		return c, errors.New("-db (LAB_DB) must be a PostgreSQL URL, postgres://user:password@host:port/database")
	case c.CoresPerRun < 0:
		return c, fmt.Errorf("-cores-per-run must be at least 1 (or 0 for every usable CPU), got %d", c.CoresPerRun)
	case c.Runners < 0:
		return c, fmt.Errorf("-runners must be at least 1 (or 0 for every slot), got %d", c.Runners)
	case c.RunTimeout < time.Second:
		return c, fmt.Errorf("-run-timeout must be at least 1s, got %s", c.RunTimeout)
	case *memory < 128:
		return c, fmt.Errorf("-run-memory-mib must be at least 128, got %d", *memory)
	case c.Lease < 2*time.Second || c.Lease > time.Minute:
		return c, fmt.Errorf("-lease must be 2s..1m, got %s", c.Lease)
	case c.Grace < 0:
		return c, fmt.Errorf("-grace must not be negative, got %s", c.Grace)
	}
	return c, nil
}

// serve runs the service until ctx is done, then lets the runs in
// progress finish within the grace period and interrupts the rest.
func serve(ctx context.Context, c config, log *slog.Logger) error {
	cpus, err := process.UsableCPUs()
	if err != nil {
		return err
	}
	per := c.CoresPerRun
	if per == 0 {
		per = len(cpus)
	}
	slots, err := process.Slots(cpus, per)
	if err != nil {
		return fmt.Errorf("-cores-per-run: %w", err)
	}
	if c.Runners > 0 && c.Runners < len(slots) {
		slots = slots[:c.Runners]
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program to start runs with: %w", err)
	}
	store, err := postgres.Open(ctx, log, c.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	// Only what needs no cgo: pixels (OpenCV, and the clips under a web
	// server's -clips) runs on the web servers' own slots.
	exps := pure.All(len(slots[0]))
	name := fmt.Sprintf("runner@%s:%d", hostname(), os.Getpid())
	m, err := runs.NewManager(ctx, log, store, runs.Config{
		Slots: slots, Timeout: c.RunTimeout, Queue: store, Name: name, Lease: c.Lease,
		SaveEvery: 200 * time.Millisecond,
		Runner:    &process.Runner{Path: exe, Memory: c.RunMemory, Log: log},
	}, exps)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(exps))
	for _, e := range exps {
		ids = append(ids, e.Info().ID)
	}
	log.Info("runner taking runs from the shared queue", "runner", name, "slots", len(slots), "cores_per_run", per,
		"experiments", strings.Join(ids, ","), "not_claimed", "pixels (needs OpenCV and clips), runs with yours (built where a web server runs them)")
	<-ctx.Done()
	log.Info("stopping: runs in progress may finish", "grace", c.Grace.String())
	drain, cancel := context.WithTimeout(context.Background(), c.Grace)
	defer cancel()
	if err := m.Drain(drain); err != nil {
		log.Warn("runs still in progress at the end of the grace period are interrupted")
	}
	stop, cancelStop := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelStop()
	return m.Shutdown(stop)
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}
