package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A cluster starts, serves a new database, survives a restart and leaves
// nothing behind.
func TestCluster(t *testing.T) {
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	dir := c.dir
	u, err := c.NewDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	query := func() {
		t.Helper()
		conn, err := pgx.Connect(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var one int
		if err := conn.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1: got %d, %v", one, err)
		}
	}
	query()
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	query()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s: got %v, want it removed", dir, err)
	}
}
