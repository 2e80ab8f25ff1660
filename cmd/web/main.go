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
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"concurrencylab/experiments"
	"concurrencylab/experiments/pixels"
	"concurrencylab/lab/datadir"
	"concurrencylab/lab/process"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
	"concurrencylab/lab/sqlite"
	"concurrencylab/web"
	clipsweb "concurrencylab/web/clips"
	"concurrencylab/web/static"
	"concurrencylab/web/workshop"
)

func main() {
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

// Config is the server's configuration, from flags with environment
// variables as fallback.
type Config struct {
	Addr        string
	Data        string
	Clips       string
	CoresPerRun int // 0: every usable CPU, one run at a time
	RunTimeout  time.Duration
	RunMemory   int64 // bytes
	MaxQueue    int
	// RunsPerAddress is the most anonymous runs one address may have
	// queued or running at once.
	RunsPerAddress int
	// TrustedProxy lists the reverse proxies (CIDR prefixes or addresses,
	// comma-separated) whose X-Forwarded-For is believed.
	TrustedProxy string
	LogFormat    string
	// PublicURL is the address learners use (scheme, host, port), for
	// join links and QR codes; empty: the address each request came to.
	PublicURL string
	// RunnerProgram is the program that executes runs of experiments that
	// need no cgo (cmd/runner); empty: runner beside this executable.
	RunnerProgram string
	// AllowedHosts are Host names or addresses answered beyond the
	// public URL's, the machine's and loopback (comma-separated).
	AllowedHosts string
}

// maxTraces bounds the raw execution traces kept in <data>/traces; the
// oldest runs' go first.
const maxTraces = 1 << 30

// defaultRunMemory is -run-memory's default.
const defaultRunMemory = 1 << 30

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
	var envErrs []error
	cores, err := envInt(getenv, "LAB_CORES_PER_RUN", 0)
	envErrs = append(envErrs, err)
	timeout, err := envDuration(getenv, "LAB_RUN_TIMEOUT", 2*time.Minute)
	envErrs = append(envErrs, err)
	maxQueue, err := envInt(getenv, "LAB_MAX_QUEUE", 100)
	envErrs = append(envErrs, err)
	perAddress, err := envInt(getenv, "LAB_RUNS_PER_ADDRESS", 10)
	envErrs = append(envErrs, err)
	memory := byteSize(defaultRunMemory)
	if v := getenv("LAB_RUN_MEMORY"); v != "" {
		if err := memory.Set(v); err != nil {
			envErrs = append(envErrs, fmt.Errorf("LAB_RUN_MEMORY %w", err))
		}
	}
	if getenv("LAB_PARALLEL_RUNS") != "" {
		envErrs = append(envErrs, errParallelRuns)
	}
	if err := errors.Join(envErrs...); err != nil {
		return c, err
	}
	fs.IntVar(&c.CoresPerRun, "cores-per-run", cores, "CPUs each run has to itself; the usable CPUs are split into that many runner slots (LAB_CORES_PER_RUN; default all: one run at a time)")
	fs.Var(&memory, "run-memory", "most memory a run may hold, such as 512MiB or 2GiB (LAB_RUN_MEMORY)")
	fs.Func("parallel-runs", "replaced by -cores-per-run", func(string) error { return errParallelRuns })
	fs.DurationVar(&c.RunTimeout, "run-timeout", timeout, "longest a run may execute (LAB_RUN_TIMEOUT)")
	fs.IntVar(&c.MaxQueue, "max-queue", maxQueue, "most runs waiting at once (LAB_MAX_QUEUE)")
	fs.IntVar(&c.RunsPerAddress, "runs-per-address", perAddress, "most runs one address may have queued or running outside a workshop (LAB_RUNS_PER_ADDRESS)")
	fs.StringVar(&c.TrustedProxy, "trusted-proxy", env("LAB_TRUSTED_PROXY", ""), "reverse proxies whose X-Forwarded-For is believed, as CIDR prefixes or addresses, comma-separated (LAB_TRUSTED_PROXY)")
	fs.StringVar(&c.PublicURL, "public-url", env("LAB_PUBLIC_URL", ""), "the address learners use, such as http://lab.example.org:8080, for join links and QR codes (LAB_PUBLIC_URL; default: the address the browser used)")
	fs.StringVar(&c.RunnerProgram, "runner-program", env("LAB_RUNNER_PROGRAM", ""), "the program that executes runs of experiments that need no cgo (LAB_RUNNER_PROGRAM; default: runner beside this program)")
	fs.StringVar(&c.AllowedHosts, "allowed-hosts", env("LAB_ALLOWED_HOSTS", ""), "host names or addresses, comma-separated, that requests may name beyond the public URL's host, this machine's names, loopback and the listening addresses; others get 421 (LAB_ALLOWED_HOSTS)")
	fs.StringVar(&c.LogFormat, "log-format", env("LAB_LOG_FORMAT", "text"), "log format: text or json (LAB_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Clips == "" {
		c.Clips = filepath.Join(c.Data, "clips")
	}
	c.RunMemory = int64(memory)
	switch {
	case c.CoresPerRun < 0:
		return c, fmt.Errorf("-cores-per-run must be at least 1 (or 0 for every usable CPU), got %d", c.CoresPerRun)
	case c.RunMemory < minRunMemory:
		return c, fmt.Errorf("-run-memory must be at least %s, got %s", byteSize(minRunMemory), memory.String())
	case c.RunTimeout < time.Second:
		return c, fmt.Errorf("-run-timeout must be at least 1s, got %s", c.RunTimeout)
	case c.MaxQueue < 1:
		return c, fmt.Errorf("-max-queue must be at least 1, got %d", c.MaxQueue)
	case c.RunsPerAddress < 1:
		return c, fmt.Errorf("-runs-per-address must be at least 1, got %d", c.RunsPerAddress)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return c, fmt.Errorf("-log-format must be text or json, got %q", c.LogFormat)
	}
	if _, err := web.ParsePrefixes(c.TrustedProxy); err != nil {
		return c, fmt.Errorf("-trusted-proxy: %w", err)
	}
	if _, err := web.CheckHostList(c.AllowedHosts); err != nil {
		return c, fmt.Errorf("-allowed-hosts (LAB_ALLOWED_HOSTS): %w", err)
	}
	if c.PublicURL != "" {
		u, err := checkPublicURL(c.PublicURL)
		if err != nil {
			return c, err
		}
		c.PublicURL = u
	}
	return c, nil
}

// checkPublicURL checks -public-url: an absolute http or https URL of a
// host, with nothing after it but an optional slash. It returns the URL
// without that slash, ready to put a path after.
func checkPublicURL(raw string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("-public-url (LAB_PUBLIC_URL) must be an absolute http(s) URL of a host, such as http://lab.example.org:8080: %s, got %q", why, raw)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", bad("it does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("the scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return "", bad("it has no host")
	case u.User != nil:
		return "", bad("it must not carry a user name or password")
	case u.Path != "" && u.Path != "/", u.RawPath != "":
		return "", bad("it must not have a path")
	case u.RawQuery != "" || u.ForceQuery:
		return "", bad("it must not have a query")
	case u.Fragment != "":
		return "", bad("it must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", bad("the port must be 1..65535")
		}
	}
	return u.Scheme + "://" + u.Host, nil
}

// errParallelRuns answers the flag the runner slots replaced.
var errParallelRuns = errors.New("-parallel-runs (LAB_PARALLEL_RUNS) is gone: every run now has cores of its own; set -cores-per-run (LAB_CORES_PER_RUN) and the CPUs are split into that many runner slots")

// envInt reads a whole number from the environment; unset gives def, and
// a value that is not a number is an error naming the variable.
func envInt(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("%s must be a whole number, got %q", name, v)
	}
	return n, nil
}

// envDuration reads a duration such as 90s from the environment.
func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("%s must be a duration such as 90s or 2m, got %q", name, v)
	}
	return d, nil
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
	store, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "lab.db"))
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
	manager, err := runs.NewManager(ctx, log, store, runs.Config{
		Slots: slots, Runner: runner, Timeout: cfg.RunTimeout, MaxQueue: cfg.MaxQueue,
		PerClient: cfg.RunsPerAddress, Traces: traces,
	}, exps)
	if err != nil {
		return err
	}

	trusted, _ := web.ParsePrefixes(cfg.TrustedProxy) // checked by parseFlags
	sessions := session.NewService(log, store, manager)
	defer sessions.Close() // after the server and the runs have stopped
	workshops := workshop.New(log, sessions, manager, workshop.Options{
		PublicURL: cfg.PublicURL, Listen: ln.Addr(), TrustedProxies: trusted,
		ExperimentView: web.ExperimentView(manager),
	})
	clipServer := clipsweb.New(log, pixels.NewLibrary(clipLib), clipsweb.Options{TrustedProxies: trusted})
	allowed, _ := web.CheckHostList(cfg.AllowedHosts) // checked by parseFlags
	srv := web.New(log, manager, static.FS, web.TrustedProxies(trusted), web.RunSockets(socketLimits(log)),
		web.AllowHosts(web.HostsOf(cfg.PublicURL, ln.Addr(), allowed)),
		web.With(workshops), web.With(clipServer), web.ExperimentRoutes(exps))
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
		"runner_slots", len(slots), "cores_per_run", len(slots[0]), "run_timeout", cfg.RunTimeout.String(),
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
