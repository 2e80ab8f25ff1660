// Package detector runs the racecounter program (cmd/racecounter), built
// with -race, as a child process bounded in time and output, and returns
// what Go's race detector reported. The race and locked experiments use it
// to show a real race report beside their measurements.
package detector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"concurrencylab/lab"
)

// The sizes racecounter runs at: small, so the report is short and the
// child done in a blink; the detector needs only one overlap to report.
const (
	Goroutines = 2
	Increments = 1000
)

// Bounds on one child process.
const (
	// Timeout is the longest a child may run.
	Timeout = 20 * time.Second
	// MaxOutput caps what is kept of the child's stdout and of its stderr.
	MaxOutput = 64 << 10
	// waitDelay is how long Wait waits for the child's output after
	// killing it, should something it started hold the pipes open.
	waitDelay = 2 * time.Second
)

// EnvProgram names the environment variable that gives racecounter's path.
const EnvProgram = "LAB_RACECOUNTER"

// raceExitCode is the exit status a -race program ends with when the
// detector reported a race (GORACE exitcode, 66 by default).
const raceExitCode = 66

// ErrNotFound means racecounter is nowhere to be found.
var ErrNotFound = errors.New("detector=true needs the racecounter program: run make build")

// A Report is what one run of racecounter printed.
type Report struct {
	Command  string // as a learner would type it, without the program's directory
	Output   string // stdout: the count racecounter printed
	Report   string // stderr: the race detector's report; empty when it found no race
	Races    int    // the "WARNING: DATA RACE" reports in Report
	ExitCode int    // 66 when the detector reported a race, else 0
}

// Find returns racecounter's path: $LAB_RACECOUNTER if set, else
// racecounter beside this program's executable, else bin/racecounter in
// the working directory.
func Find() (string, error) {
	if p := os.Getenv(EnvProgram); p != "" {
		if !isFile(p) {
			return "", fmt.Errorf("%w (%s=%s is not a file)", ErrNotFound, EnvProgram, p)
		}
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), "racecounter"); isFile(p) {
			return p, nil
		}
	}
	if p, err := filepath.Abs(filepath.Join("bin", "racecounter")); err == nil && isFile(p) {
		return p, nil
	}
	return "", ErrNotFound
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Check finds racecounter and runs experiment's variant at the small sizes.
func Check(ctx context.Context, experiment, variant string) (Report, error) {
	program, err := Find()
	if err != nil {
		return Report{}, err
	}
	return Run(ctx, program, experiment, variant, Goroutines, Increments)
}

// Run runs program (racecounter) for experiment's variant and returns what
// it printed. A race report with exit status 66 is an answer, not an error.
// Run returns ctx's error once ctx is done, having killed the child.
func Run(ctx context.Context, program, experiment, variant string, goroutines, increments int) (Report, error) {
	return run(ctx, Timeout, program, experiment, variant, goroutines, increments)
}

func run(ctx context.Context, timeout time.Duration, program, experiment, variant string, goroutines, increments int) (Report, error) {
	args := []string{
		"-experiment", experiment, "-variant", variant,
		"-goroutines", strconv.Itoa(goroutines), "-increments", strconv.Itoa(increments),
	}
	rep := Report{Command: strings.Join(append([]string{"racecounter"}, args...), " ")}

	child, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(child, program, args...)
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = waitDelay
	// A known environment: nothing of the server's, and GORACE set so the
	// report goes to stderr (not a log_path file) and the child exits at
	// once instead of sleeping its default second.
	cmd.Env = []string{"GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0"}
	stdout, stderr := &capped{max: MaxOutput}, &capped{max: MaxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr

	err := cmd.Run()
	if ctx.Err() != nil {
		return Report{}, ctx.Err()
	}
	if child.Err() != nil {
		return Report{}, fmt.Errorf("detector: %s ran longer than %s and was stopped", rep.Command, timeout)
	}
	rep.Output, rep.Report = stdout.String(), stderr.String()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == raceExitCode:
		rep.ExitCode = raceExitCode
	case errors.As(err, &exit):
		return Report{}, fmt.Errorf("detector: %s failed (%v): %s", rep.Command, err, firstLine(rep.Report))
	default:
		return Report{}, fmt.Errorf("detector: run %s: %w", program, err)
	}
	rep.Races = strings.Count(rep.Report, "WARNING: DATA RACE")
	return rep, nil
}

// Figure declares the report Extra carries (race_report and the figures
// named race_*, which describe it), so that the page titles it "Race
// detector" and says what it found from race_found.
var Figure = lab.Figure{Key: "race_report", Label: "Race detector",
	Help: "what go build -race's program printed: each data race it saw, with the two accesses and where their goroutines began"}

// Extra returns the report as a trial's extra figures.
func (r Report) Extra() map[string]any {
	return map[string]any{
		"race_command":   r.Command,
		"race_output":    r.Output,
		"race_report":    r.Report,
		"race_reports":   r.Races,
		"race_exit_code": r.ExitCode,
		"race_summary":   r.Summary(),
		"race_found":     r.Found(),
	}
}

// Found says in a few words what the detector found: "no data race
// reported", "2 data races reported".
func (r Report) Found() string {
	switch {
	case r.Races == 1:
		return "1 data race reported"
	case r.Races > 1:
		return fmt.Sprintf("%d data races reported", r.Races)
	}
	return "no data race reported"
}

// Summary says in one line what the detector found.
func (r Report) Summary() string {
	return fmt.Sprintf("race detector: %s printed %q and exited with status %d: %s",
		r.Command, r.Output, r.ExitCode, r.Found())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// capped keeps the first max bytes written to it and notes the rest was
// cut. exec's copying goroutine writes it; it is read after Wait returns.
type capped struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.buf.Len(); room < n {
		c.truncated = true
		p = p[:max(room, 0)]
	}
	c.buf.Write(p)
	return n, nil // what is cut is dropped, not an error: the child carries on
}

// String returns what was kept, trimmed, and says if the rest was cut.
func (c *capped) String() string {
	s := strings.TrimSpace(c.buf.String())
	if c.truncated {
		s += fmt.Sprintf("\n[cut after %d bytes]", c.max)
	}
	return s
}
