package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"concurrencylab/experiments"
	"concurrencylab/experiments/pixels/clips"
	"concurrencylab/lab"
	"concurrencylab/lab/process"
)

// runnerSlots splits the usable CPUs into runner slots of
// cfg.CoresPerRun each.
func runnerSlots(cfg Config) ([][]int, error) {
	cpus, err := process.UsableCPUs()
	if err != nil {
		return nil, err
	}
	per := cfg.CoresPerRun
	if per == 0 {
		per = len(cpus)
	}
	slots, err := process.Slots(cpus, per)
	if err != nil {
		return nil, fmt.Errorf("-cores-per-run: %w", err)
	}
	return slots, nil
}

// newRunner returns the runner that starts every run as a child process:
// the runner program for experiments that need no cgo, and this binary,
// which links the C libraries, for those whose Info declares Cgo. Without
// a runner program every run starts this binary, over a hundred
// milliseconds slower.
func newRunner(cfg Config, exps []lab.Experiment, log *slog.Logger) (*process.Runner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to start runs with: %w", err)
	}
	clipDir, err := filepath.Abs(cfg.Clips)
	if err != nil {
		return nil, err
	}
	program := cfg.RunnerProgram
	if program == "" {
		program = filepath.Join(filepath.Dir(exe), "runner")
		if !isProgram(program) {
			log.Warn("no runner program beside the server: every run starts the server's own binary, over 100 ms slower; make build builds it",
				"runner_program", program)
			program = exe
		}
	} else if !isProgram(program) {
		return nil, fmt.Errorf("-runner-program (LAB_RUNNER_PROGRAM) %q is not a program this server can start", program)
	}
	return &process.Runner{
		Path: program, CgoPath: exe, Cgo: process.CgoExperiments(exps),
		Env: []string{"LAB_CLIPS=" + clipDir}, Memory: cfg.RunMemory, Log: log,
	}, nil
}

// isProgram reports whether path is an executable regular file.
func isProgram(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// child is main in a run's child process: the catalog over the clip
// library, opened read-only, and one job from stdin.
func child(getenv func(string) string) int {
	lib, err := clips.OpenReadOnly(getenv("LAB_CLIPS"))
	if err != nil {
		lib = nil // pixels then says the server has no clip library
	}
	return process.Main(experiments.All(experiments.Options{Clips: lib, Cores: runtime.NumCPU()}))
}

// byteSize is a flag value of bytes written like 512MiB, 2GiB or 1G.
type byteSize int64

func (b byteSize) String() string {
	n := int64(b)
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return fmt.Errorf("must be a size such as 512MiB or 2GiB, got %q", s)
	}
	*b = byteSize(n * mult)
	return nil
}
