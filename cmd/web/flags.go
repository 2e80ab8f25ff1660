package main

// The server's configuration: flags, with environment variables as
// fallback.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"concurrencylab/lab/postgres"
	"concurrencylab/web"
)

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
	// DB is a PostgreSQL URL (postgres://...) to keep runs and sessions
	// in; empty: SQLite in the data directory.
	DB string
	// DebugAddr is the loopback address of the profiler (net/http/pprof);
	// empty: none.
	DebugAddr string
	// Runners is how many runner slots this server executes runs on: -1
	// every slot the CPUs split into, 0 none (it only serves; runners
	// elsewhere take the runs from the shared queue, so it needs DB).
	Runners int
	// Edit lets learners write their own variant, where a sandbox and a Go
	// toolchain are there.
	Edit bool
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
	runners, err := envInt(getenv, "LAB_RUNNERS", -1)
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
	fs.StringVar(&c.DB, "db", env("LAB_DB", ""), "PostgreSQL URL, such as postgres://lab@db.example.org/lab, to keep runs and sessions in (LAB_DB; default: SQLite in the data directory)")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("LAB_DEBUG_ADDR", ""), "loopback address, such as 127.0.0.1:6060, to serve the profiler (net/http/pprof) on (LAB_DEBUG_ADDR; default: none)")
	fs.IntVar(&c.Runners, "runners", runners, "runner slots this server executes runs on, at most as many as the CPUs split into; 0 serves only, leaving runs to runners elsewhere (needs -db) (LAB_RUNNERS; default every slot)")
	fs.BoolVar(&c.Edit, "edit", getenv("LAB_EDIT") != "false", "let learners write, build and run their own variant, sandboxed; on where bubblewrap and a Go toolchain are there (LAB_EDIT=false turns it off)")
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
	if c.Runners < -1 {
		return c, fmt.Errorf("-runners must be 0 or more, got %d", c.Runners)
	}
	if c.Runners == 0 && c.DB == "" {
		return c, errors.New("-runners 0 serves without executing runs: it needs -db (LAB_DB), a PostgreSQL database that runners elsewhere take the runs from")
	}
	if c.DB != "" && !postgres.IsURL(c.DB) {
		// Not quoted: a URL may carry a password.
		return c, errors.New("-db (LAB_DB) must be a PostgreSQL URL, postgres://user:password@host:port/database; leave it out to keep the data in SQLite under -data")
	}
	if c.DebugAddr != "" {
		if err := checkLoopback(c.DebugAddr); err != nil {
			return c, err
		}
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
