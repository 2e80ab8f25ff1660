package detector

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// program is racecounter, built with -race by TestMain; buildErr says why
// it is missing.
var (
	program  string
	buildErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "detector-racecounter-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	program, buildErr = Build(ctx, dir)
	cancel()
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { os.RemoveAll(dir) }))
}

func needProgram(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("racecounter was not built: %v", buildErr)
	}
}

func TestRunReports(t *testing.T) {
	needProgram(t)
	tests := []struct {
		experiment, variant string
		wantRace            bool
		wantFile            string // the file the report must name
	}{
		{"locked", "unsynchronized", true, "concurrencylab/experiments/locked/counters.go:"},
		{"race", "unsynchronized", true, "concurrencylab/experiments/race/counter.go:"},
		{"locked", "mutex", false, ""},
		{"locked", "atomic", false, ""},
		{"locked", "channel", false, ""},
		{"locked", "sharded", false, ""},
		{"race", "sequential", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.experiment+"/"+tt.variant, func(t *testing.T) {
			rep, err := Run(context.Background(), program, tt.experiment, tt.variant, Goroutines, Increments)
			if err != nil {
				t.Fatal(err)
			}
			wantCommand := fmt.Sprintf("racecounter -experiment %s -variant %s -goroutines 2 -increments 1000", tt.experiment, tt.variant)
			if rep.Command != wantCommand {
				t.Errorf("got command %q, want %q", rep.Command, wantCommand)
			}
			if !strings.HasPrefix(rep.Output, "counted ") || !strings.HasSuffix(rep.Output, " of 2000") {
				t.Errorf("got output %q, want counted N of 2000", rep.Output)
			}
			if !tt.wantRace {
				if rep.Races != 0 || rep.ExitCode != 0 || rep.Report != "" {
					t.Errorf("got %d races, exit status %d, report %q; want none, 0, empty", rep.Races, rep.ExitCode, rep.Report)
				}
				if !strings.HasSuffix(rep.Summary(), ": no data race reported") {
					t.Errorf("got summary %q, want it to say no data race was reported", rep.Summary())
				}
				return
			}
			if rep.Races < 1 || rep.ExitCode != 66 {
				t.Errorf("got %d races, exit status %d; want at least 1, 66", rep.Races, rep.ExitCode)
			}
			for _, want := range []string{"WARNING: DATA RACE", "Previous write at", "(*Counter).Increment()", tt.wantFile, "Goroutine", "created at:"} {
				if !strings.Contains(rep.Report, want) {
					t.Errorf("report lacks %q:\n%s", want, rep.Report)
				}
			}
			if !strings.Contains(rep.Summary(), "exited with status 66") || !strings.Contains(rep.Summary(), "data race") {
				t.Errorf("got summary %q, want exit status 66 and the races", rep.Summary())
			}
		})
	}
}

func TestRunFailures(t *testing.T) {
	needProgram(t)
	notProgram := filepath.Join(t.TempDir(), "racecounter")
	if err := os.WriteFile(notProgram, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		program    string
		experiment string
		variant    string
		goroutines int
		want       string
	}{
		{"no goroutines", program, "locked", "mutex", 0, "-goroutines must be 1..256, got 0"},
		{"unknown variant", program, "locked", "spinlock", 2, `locked: unknown variant "spinlock"`},
		{"unknown experiment", program, "pixels", "mutex", 2, `-experiment must be race or locked, got "pixels"`},
		{"not a program", notProgram, "locked", "mutex", 2, "detector: run " + notProgram},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.program, tt.experiment, tt.variant, tt.goroutines, Increments)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// longRun is mutex work that takes the race-built child seconds.
const longGoroutines, longIncrements = 8, 10_000_000

func TestRunCancelKillsChild(t *testing.T) {
	needProgram(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	began := time.Now()
	_, err := Run(ctx, program, "locked", "mutex", longGoroutines, longIncrements)
	took := time.Since(began)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want %v", err, context.Canceled)
	}
	if took > waitDelay+3*time.Second {
		t.Errorf("returned %v after the start, want soon after the cancel at 200ms", took)
	}
	t.Logf("returned after %v", took)
}

func TestRunTimeout(t *testing.T) {
	needProgram(t)
	_, err := run(context.Background(), 300*time.Millisecond, program, "locked", "mutex", longGoroutines, longIncrements)
	want := "ran longer than 300ms and was stopped"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got error %v, want one containing %q", err, want)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "racecounter")
	if err := os.WriteFile(file, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	withBin := t.TempDir()
	if err := os.Mkdir(filepath.Join(withBin, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withBin, "bin", "racecounter"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     string
		wd      string
		want    string
		wantErr string
	}{
		{"from the environment", file, dir, file, ""},
		{"environment names a missing file", filepath.Join(dir, "missing"), withBin, "", "run make build (LAB_RACECOUNTER=" + filepath.Join(dir, "missing") + " is not a file)"},
		{"environment names a directory", dir, withBin, "", "is not a file"},
		{"bin in the working directory", "", withBin, filepath.Join(withBin, "bin", "racecounter"), ""},
		{"nowhere", "", dir, "", "detector=true needs the racecounter program: run make build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvProgram, tt.env)
			t.Chdir(tt.wd)
			got, err := Find()
			if tt.wantErr != "" {
				if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %q, %v; want ErrNotFound containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q, nil", got, err, tt.want)
			}
		})
	}
}

func TestCapped(t *testing.T) {
	c := &capped{max: 10}
	for _, s := range []string{"0123", "4567", "89abcdef", "more"} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Errorf("Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
		}
	}
	if got, want := c.String(), "0123456789\n[cut after 10 bytes]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	c = &capped{max: MaxOutput}
	c.Write([]byte("  counted 5 of 5\n"))
	if got, want := c.String(), "counted 5 of 5"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExtra(t *testing.T) {
	rep := Report{Command: "racecounter -variant x", Output: "counted 1 of 2", Report: "WARNING: DATA RACE", Races: 1, ExitCode: 66}
	got := rep.Extra()
	want := map[string]any{
		"race_command": "racecounter -variant x", "race_output": "counted 1 of 2",
		"race_report": "WARNING: DATA RACE", "race_reports": 1, "race_exit_code": 66,
		"race_summary": `race detector: racecounter -variant x printed "counted 1 of 2" and exited with status 66: 1 data race reported`,
		"race_found":   "1 data race reported",
	}
	if len(got) != len(want) {
		t.Errorf("got %d extras, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("got %s %v, want %v", k, got[k], w)
		}
	}
}
