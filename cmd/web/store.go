package main

import (
	"context"
	"log/slog"
	"path/filepath"

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
