// Command web serves the Concurrency Lab.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"concurrencylab/experiments"
	"concurrencylab/experiments/pixels"
	"concurrencylab/experiments/pure"
	"concurrencylab/lab/datadir"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
	"concurrencylab/web"
	clipsweb "concurrencylab/web/clips"
	"concurrencylab/web/metrics"
	"concurrencylab/web/static"
	"concurrencylab/web/workshop"
)

func main() {
	// A process a trial started for its work (without a runner program
	// beside the server, runs execute in this binary).
	if code, ok := pure.Helper(); ok {
		os.Exit(code)
	}
	// A run's child process: the server started this binary again to
	// execute one run, on its own cores.
	if process.IsChild() {
		os.Exit(child(os.Getenv))
	}
	if isDecodeChild(os.Getenv) {
		os.Exit(decodeChild(os.Stdin))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(1)
	}
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
	// What this process inherited from whoever started it stays here.
	if err := process.CloseInherited(); err != nil {
		log.Warn("descriptors inherited", "err", err)
	}

	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// Lock the data directory, then listen, before changing anything: a
	// second server on the same directory or port stops here, leaving the
	// first one's database, uploads and runs alone.
	lock, err := datadir.Acquire(cfg.Data)
	if err != nil {
		return err
	}
	defer lock.Release()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close() // Serve closes it too; this covers a failure before
	store, storeKind, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	mem := memoryLimit(log)
	defer mem.Close() // after the runs and decodes have ended
	clipLib, err := openClips(cfg, mem, log)
	if err != nil {
		return err
	}
	slots, err := runnerSlots(cfg)
	if err != nil {
		return err
	}
	exps := experiments.All(experiments.Options{Clips: clipLib, Cores: len(slots[0])})
	runner, err := newRunner(cfg, exps, log)
	if err != nil {
		return err
	}
	runner.Limit = mem
	traces, err := runs.NewTraces(filepath.Join(cfg.Data, "traces"), maxTraces)
	if err != nil {
		return err
	}
	if cfg.Runners > 0 && cfg.Runners < len(slots) {
		slots = slots[:cfg.Runners]
	}
	met := metrics.New(len(slots))
	rcfg := runs.Config{
		Slots: slots, Runner: runner, Timeout: cfg.RunTimeout, MaxQueue: cfg.MaxQueue,
		PerClient: cfg.RunsPerAddress, Traces: traces, Observer: met,
	}
	shareQueue(&rcfg, cfg, store)
	manager, err := runs.NewManager(ctx, log, store, rcfg, exps)
	if err != nil {
		return err
	}
	met.Watch(manager)
	if cfg.DebugAddr != "" {
		dbg, addr, err := serveDebug(cfg.DebugAddr, log)
		if err != nil {
			return err
		}
		defer dbg.Close()
		log.Info("profiler on loopback", "url", "http://"+addr.String()+"/debug/pprof/")
	}

	trusted, _ := web.ParsePrefixes(cfg.TrustedProxy) // checked by parseFlags
	codeServer, _, editOff := editing(ctx, cfg, log, manager, runner, mem, exps, store, met)
	manager.SetYours(editOff == "")
	sessions := session.NewService(log, store, manager)
	defer sessions.Close() // after the server and the runs have stopped
	workshops := workshop.New(log, sessions, manager, workshop.Options{
		PublicURL: cfg.PublicURL, Listen: ln.Addr(), TrustedProxies: trusted,
		ExperimentView: web.ExperimentView(manager, editOff), EditOff: editOff,
	})
	clipServer := clipsweb.New(log, pixels.NewLibrary(clipLib), clipsweb.Options{TrustedProxies: trusted})
	allowed, _ := web.CheckHostList(cfg.AllowedHosts) // checked by parseFlags
	srv := web.New(log, manager, static.FS, web.TrustedProxies(trusted), web.RunSockets(socketLimits(log)),
		web.AllowHosts(web.HostsOf(cfg.PublicURL, ln.Addr(), allowed)), web.EditingOff(editOff), web.Codes(store),
		web.With(workshops), web.With(clipServer), web.With(codeServer), web.With(met), web.Metered(met), web.ExperimentRoutes(exps))
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
	log.Info("serving the Concurrency Lab", "url", "http://"+displayAddr(ln.Addr()), "data", cfg.Data, "store", storeKind,
		"runner_slots", rcfg.Parallel, "runner", rcfg.Name, "cores_per_run", len(slots[0]), "run_timeout", cfg.RunTimeout.String(),
		"run_memory", byteSize(cfg.RunMemory).String(), "public_url", cfg.PublicURL)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Runs first (they end interrupted and are stored), then HTTP, then the
	// websockets, which Shutdown leaves to its hook without waiting: each
	// step gets its own deadline.
	runsCtx, cancelRuns := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelRuns()
	err = manager.Shutdown(runsCtx)
	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHTTP()
	if herr := hs.Shutdown(httpCtx); herr != nil && !errors.Is(herr, http.ErrServerClosed) {
		err = errors.Join(err, herr)
	}
	socketsCtx, cancelSockets := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelSockets()
	srv.CloseSockets(socketsCtx)
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
