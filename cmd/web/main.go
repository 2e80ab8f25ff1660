// Command web serves the Concurrency Lab.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"concurrencylab/experiments"
	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
	"concurrencylab/lab/session"
	"concurrencylab/lab/sqlite"
	"concurrencylab/web"
	"concurrencylab/web/static"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(1)
	}
}

// Config is the server's configuration, from flags with environment
// variables as fallback.
type Config struct {
	Addr         string
	Data         string
	Clips        string
	ParallelRuns int
	RunTimeout   time.Duration
	MaxQueue     int
	LogFormat    string
}

func parseFlags(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	addr := env("LAB_ADDR", ":8080")
	if port := getenv("PORT"); getenv("LAB_ADDR") == "" && port != "" {
		addr = ":" + port // as hosting platforms expect
	}
	var c Config
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.Addr, "addr", addr, "address to listen on (LAB_ADDR, or PORT)")
	fs.StringVar(&c.Data, "data", env("LAB_DATA", "./data"), "data directory: the database and clips (LAB_DATA)")
	fs.StringVar(&c.Clips, "clips", env("LAB_CLIPS", ""), "video clip directory, default <data>/clips (LAB_CLIPS)")
	fs.IntVar(&c.ParallelRuns, "parallel-runs", envInt(getenv, "LAB_PARALLEL_RUNS", 1), "runs executing at once; more wait in line (LAB_PARALLEL_RUNS)")
	fs.DurationVar(&c.RunTimeout, "run-timeout", envDuration(getenv, "LAB_RUN_TIMEOUT", 2*time.Minute), "longest a run may execute (LAB_RUN_TIMEOUT)")
	fs.IntVar(&c.MaxQueue, "max-queue", envInt(getenv, "LAB_MAX_QUEUE", 100), "most runs waiting at once (LAB_MAX_QUEUE)")
	fs.StringVar(&c.LogFormat, "log-format", env("LAB_LOG_FORMAT", "text"), "log format: text or json (LAB_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Clips == "" {
		c.Clips = filepath.Join(c.Data, "clips")
	}
	switch {
	case c.ParallelRuns < 1 || c.ParallelRuns > 64:
		return c, fmt.Errorf("-parallel-runs must be 1..64, got %d", c.ParallelRuns)
	case c.RunTimeout < time.Second:
		return c, fmt.Errorf("-run-timeout must be at least 1s, got %s", c.RunTimeout)
	case c.MaxQueue < 1:
		return c, fmt.Errorf("-max-queue must be at least 1, got %d", c.MaxQueue)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return c, fmt.Errorf("-log-format must be text or json, got %q", c.LogFormat)
	}
	return c, nil
}

func envInt(getenv func(string) string, name string, def int) int {
	if n, err := strconv.Atoi(getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(name)); err == nil {
		return d
	}
	return def
}

// run starts the server and serves until ctx is done. If ready is not nil,
// it receives the listening address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, ready chan<- string) error {
	cfg, err := parseFlags(args, getenv, stdout)
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(stdout, nil)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(stdout, nil)
	}
	log := slog.New(handler)

	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "lab.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	clipLib, err := clips.Open(cfg.Clips)
	if err != nil {
		return err
	}
	if n, err := clipLib.Seed(clips.SampleDir, clips.Samples()...); err != nil {
		log.Warn("seed the clip library", "err", err)
	} else if n > 0 {
		log.Info("linked opencv-doc's sample videos into the clip library", "clips", cfg.Clips, "linked", n)
	}
	runs, err := lab.NewManager(ctx, log, store, lab.Config{
		Parallel: cfg.ParallelRuns, Timeout: cfg.RunTimeout, MaxQueue: cfg.MaxQueue,
	}, experiments.All(experiments.Options{Clips: clipLib}))
	if err != nil {
		return err
	}

	// Listen first, so a busy port fails at once.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := web.New(log, runs, static.FS)
	srv.SetClips(pixels.NewLibrary(clipLib))
	sessions := session.NewService(log, store, runs)
	defer sessions.Close() // after the server and the runs have stopped
	srv.UseSessions(sessions)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	hs.RegisterOnShutdown(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.CloseSockets(ctx)
	})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving the Concurrency Lab", "url", "http://"+displayAddr(ln.Addr()), "data", cfg.Data,
		"parallel_runs", cfg.ParallelRuns, "run_timeout", cfg.RunTimeout.String())
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = runs.Shutdown(shutCtx)
	if herr := hs.Shutdown(shutCtx); herr != nil && !errors.Is(herr, http.ErrServerClosed) {
		err = errors.Join(err, herr)
	}
	return err
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
