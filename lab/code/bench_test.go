package code

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"concurrencylab/experiments/race"
	"concurrencylab/lab/process"
	"concurrencylab/lab/sandbox"
)

// testBuilder returns a builder in a fresh folder whose compiler cache is
// shared by every test binary of the lab (a cold cache compiles the
// standard library first).
func testBuilder(tb testing.TB) *Builder {
	tb.Helper()
	sb, err := sandbox.Find()
	if err != nil {
		tb.Fatal(err)
	}
	cache := filepath.Join(os.TempDir(), "concurrencylab-test-gocache-"+strconv.Itoa(os.Geteuid()))
	if err := os.MkdirAll(cache, 0o755); err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755)
	if err := os.Symlink(cache, filepath.Join(dir, "gocache")); err != nil {
		tb.Fatal(err)
	}
	b, err := NewBuilder(context.Background(), dir, sb, &process.Memory{}, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.Chown(cache, sandbox.BuildUID, sandbox.BuildUID)
	}
	return b
}

// BenchmarkCheck measures the check of an edited file, a build and a vet
// in the sandbox with a warm cache (the goal: at most a second here),
// against the same build and vet run directly with the server's own
// toolchain and cache: the ratio is what the sandbox and the bounds cost.
func BenchmarkCheck(b *testing.B) {
	bl := testBuilder(b)
	edit := race.Experiment{}.Info().Edit
	start, _ := edit.StartingFile()
	ctx := context.Background()
	cpus := []int{0, 1}
	if _, err := bl.Build(ctx, edit, start, false, cpus); err != nil {
		b.Fatal(err)
	}
	n := 0
	edited := func() string {
		n++
		return start + fmt.Sprintf("\n// edited %d at %d\n", n, time.Now().UnixNano())
	}
	var direct, sandboxed time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := bl.Build(ctx, edit, edited(), false, cpus); err != nil {
			b.Fatal(err)
		}
		sandboxed += time.Since(t0)

		work := filepath.Join(b.TempDir(), "m")
		if err := bl.writeModule(work, edit, edited()); err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		for _, args := range [][]string{{"build", "-trimpath", "-o", "prog", "./" + edit.Dir}, {"vet", "./" + edit.Dir + "/yours"}} {
			cmd := exec.Command(bl.tc.Go, args...)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=readonly", "GOPROXY=off",
				"GOMODCACHE="+filepath.Join(bl.dir, "gomod"))
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("go %v: %v\n%s", args, err, out)
			}
		}
		direct += time.Since(t0)
	}
	b.ReportMetric(float64(sandboxed.Milliseconds())/float64(b.N), "check-ms")
	b.ReportMetric(float64(direct.Milliseconds())/float64(b.N), "direct-ms")
	b.ReportMetric(float64(sandboxed)/float64(direct), "check/direct")
}
