package main

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"concurrencylab/lab/pgtest"
)

// The throwaway PostgreSQL cluster of this package's tests, started by
// the first test that needs one and stopped by TestMain.
var (
	pgOnce    sync.Once
	pgCluster *pgtest.Cluster
	pgErr     error
)

// newPostgresDB returns the URL of a fresh database. A machine without
// PostgreSQL fails the test: make test installs it.
func newPostgresDB(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgCluster, pgErr = pgtest.Start() })
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	u, err := pgCluster.NewDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// stopPostgres stops the cluster if a test started one.
func stopPostgres() {
	if pgCluster != nil {
		if err := pgCluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}
