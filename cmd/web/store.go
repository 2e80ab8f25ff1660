package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"concurrencylab/lab/code"
	"concurrencylab/lab/postgres"
	"concurrencylab/lab/runs"
	"concurrencylab/lab/session"
	"concurrencylab/lab/sqlite"
)

// A store keeps the server's runs, sessions and learners' files.
type store interface {
	runs.Store
	session.Store
	code.Store
}

// openStore opens the store the configuration names, the one place that
// picks: PostgreSQL for a postgres:// -db URL (parseFlags refuses any other
// scheme), else SQLite in the data directory.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (store, string, error) {
	if cfg.DB != "" {
		s, err := postgres.Open(ctx, log, cfg.DB)
		return s, "postgres", err
	}
	s, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "lab.db"))
	return s, "sqlite", err
}

// shareQueue makes the run queue the database's where the store is
// PostgreSQL: every web server and runner on it takes runs from one
// queue, and this server's slots are one runner among them (none with
// -runners 0).
func shareQueue(rc *runs.Config, cfg Config, s store) {
	pg, ok := s.(*postgres.Store)
	if !ok {
		return
	}
	rc.Queue = pg
	rc.Name = processName("web")
	rc.ServeOnly = cfg.Runners == 0
	rc.SaveEvery = sharedSaveEvery
}

// sharedSaveEvery is how often a running run's new events are stored
// where other servers' watchers follow it from the database.
const sharedSaveEvery = 200 * time.Millisecond

// processName names this process uniquely among the servers and runners
// of one database: its kind, host and process id.
func processName(kind string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	// The suffix tells apart two servers of one process (a test's).
	return fmt.Sprintf("%s@%s:%d.%s", kind, host, os.Getpid(), runs.NewID(4))
}
