package code

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"concurrencylab/lab"
	"concurrencylab/lab/process"
	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours"
)

// Limits of a build.
const (
	// BuildTimeout bounds a build and its vet together.
	BuildTimeout = 60 * time.Second
	// BuildMemory bounds the compiler's process tree.
	BuildMemory = 1 << 30
	// buildProcs bounds the build user's processes and threads.
	buildProcs = 512
	// MaxProgram bounds each file a build writes, the program among them.
	MaxProgram = 128 << 20
	// maxCache bounds the compiler's cache; past it, it starts afresh.
	maxCache = 1 << 30
	// maxPrograms bounds the built programs kept; the oldest go first.
	maxPrograms = 500
	// maxBuildOutput bounds what a failed build's output keeps.
	maxBuildOutput = 64 << 10
)

// A Builder builds learners' files with their experiments' harnesses, in
// a sandbox, and keeps the programs by content.
type Builder struct {
	ctx   context.Context // the server's: a build in flight ends with it
	tc    toolchain
	sb    *sandbox.Sandbox
	lim   *process.Memory
	dir   string // gocache/, gomod/, bin/, tmp/ below it
	goSum string
	sync  string // x/sync's version
	log   *slog.Logger

	flight singleflight.Group
	mu     sync.Mutex // guards builds
	builds int
}

// A Built program: its path and what vet found in the learner's file.
type Built struct {
	Program string    `json:"-"`
	Vet     []Problem `json:"vet"`
}

// A BuildError is a learner's file that did not build: its problems, on
// the learner's own lines.
type BuildError struct{ Problems []Problem }

func (e *BuildError) Error() string {
	if len(e.Problems) == 0 {
		return "your code did not build"
	}
	return "your code did not build: " + e.Problems[0].String()
}

// NewBuilder prepares dir for builds; ctx bounds every build: a Go toolchain, x/sync copied out
// of the module cache, the compiler's cache owned by the build user.
func NewBuilder(ctx context.Context, dir string, sb *sandbox.Sandbox, lim *process.Memory, log *slog.Logger) (*Builder, error) {
	tc, err := findToolchain(ctx)
	if err != nil {
		return nil, err
	}
	v, err := syncVersion(tc.ModCache)
	if err != nil {
		return nil, err
	}
	b := &Builder{ctx: ctx, tc: tc, sb: sb, lim: lim, dir: dir, sync: v, log: log}
	for _, d := range []string{"gocache", "gomod", "bin", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("code: %w", err)
		}
	}
	if err := searchable(dir); err != nil {
		return nil, err
	}
	if b.goSum, err = copySync(tc.ModCache, filepath.Join(dir, "gomod"), v); err != nil {
		return nil, err
	}
	if err := b.own(filepath.Join(dir, "gocache")); err != nil {
		return nil, err
	}
	return b, nil
}

// searchable checks that the sandbox's users can reach dir: bubblewrap
// binds a path as the user it runs as.
func searchable(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("code: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("code: %w", err)
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the sandbox's users cannot reach %s: the folder %s is not searchable by others (chmod o+x it)", abs, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// Version is the Go version learners' code is built with.
func (b *Builder) Version() string { return b.tc.Version }

// own gives dir to the build user, where the server is root.
func (b *Builder) own(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, sandbox.BuildUID, sandbox.BuildUID)
	})
}

// Key returns the name a build of src is kept under: the same file with
// the same harness and toolchain is built once.
func (b *Builder) Key(edit *lab.Edit, src string, race bool) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00%s\x00", b.tc.Version, edit.Dir, race, b.sync)
	h.Write([]byte(yours.HarnessSource))
	fs.WalkDir(edit.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(edit.Files, p)
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
			h.Write(data)
		}
		return nil
	})
	h.Write([]byte(src))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Build builds src, the learner's file of edit, pinned to cpus (a runner
// slot's), and vets it; race builds with the race detector. A file that
// does not build is a *BuildError. A build of the same content in flight
// is waited for, one already made is reused.
func (b *Builder) Build(ctx context.Context, edit *lab.Edit, src string, race bool, cpus []int) (Built, error) {
	key := b.Key(edit, src, race)
	prog := filepath.Join(b.dir, "bin", key)
	if built, err := b.cached(prog); err == nil {
		return built, nil
	}
	// The same content asked for twice at once is built once; the build
	// goes on for the others if the first asker leaves.
	ch := b.flight.DoChan(key, func() (any, error) {
		built, err := b.build(b.ctx, edit, src, race, cpus, prog)
		b.mu.Lock()
		b.builds++
		trim := b.builds%20 == 0
		b.mu.Unlock()
		if trim {
			b.trim()
		}
		return built, err
	})
	select {
	case r := <-ch:
		built, _ := r.Val.(Built)
		return built, r.Err
	case <-ctx.Done():
		return Built{}, ctx.Err()
	}
}

// cached returns a program built before, touched as used.
func (b *Builder) cached(prog string) (Built, error) {
	data, err := os.ReadFile(prog + ".vet.json")
	if err != nil {
		return Built{}, err
	}
	if _, err := os.Stat(prog); err != nil {
		return Built{}, err
	}
	var built Built
	if err := json.Unmarshal(data, &built); err != nil {
		return Built{}, err
	}
	now := time.Now()
	os.Chtimes(prog, now, now)
	built.Program = prog
	return built, nil
}

func (b *Builder) build(ctx context.Context, edit *lab.Edit, src string, race bool, cpus []int, prog string) (Built, error) {
	ctx, cancel := context.WithTimeout(ctx, BuildTimeout)
	defer cancel()
	var rnd [8]byte
	rand.Read(rnd[:])
	work := filepath.Join(b.dir, "tmp", hex.EncodeToString(rnd[:]))
	if err := b.writeModule(work, edit, src); err != nil {
		return Built{}, err
	}
	defer os.RemoveAll(work)
	if err := b.own(work); err != nil {
		return Built{}, fmt.Errorf("code: %w", err)
	}
	args := []string{"build", "-trimpath", "-o", "/src/prog"}
	if race {
		args = append(args, "-race")
	}
	// The build and vet, side by side: each is mostly one process's work.
	var vetOut string
	var vetErr error
	vetted := make(chan struct{})
	go func() {
		defer close(vetted)
		vetOut, vetErr = b.goCmd(ctx, work, race, cpus, "vet", "./"+edit.Dir+"/yours")
	}()
	out, err := b.goCmd(ctx, work, race, cpus, append(args, "./"+edit.Dir)...)
	<-vetted
	if err != nil {
		return Built{}, b.failed(ctx, edit, out, err)
	}
	if ctx.Err() != nil {
		return Built{}, b.failed(ctx, edit, vetOut, ctx.Err())
	}
	vet := fileProblems(edit, vetOut)
	if vetErr != nil && len(vet) == 0 {
		b.log.Warn("a learner's vet failed with nothing on the file", "err", vetErr, "output", vetOut)
	}
	data, _ := json.Marshal(Built{Vet: vet})
	if err := os.WriteFile(prog+".vet.json.tmp", data, 0o644); err != nil {
		return Built{}, fmt.Errorf("code: keep the vet: %w", err)
	}
	if err := os.Rename(filepath.Join(work, "prog"), prog); err != nil {
		return Built{}, fmt.Errorf("code: keep the program: %w", err)
	}
	os.Chown(prog, 0, 0)
	os.Chmod(prog, 0o755)
	if err := os.Rename(prog+".vet.json.tmp", prog+".vet.json"); err != nil {
		return Built{}, fmt.Errorf("code: keep the vet: %w", err)
	}
	return Built{Program: prog, Vet: vet}, nil
}

// failed turns a failed build into the learner's problems, or the
// limit it ran into.
func (b *Builder) failed(ctx context.Context, edit *lab.Edit, out string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &BuildError{Problems: []Problem{{Msg: fmt.Sprintf("the build took longer than %s and was stopped", BuildTimeout)}}}
	}
	if strings.Contains(out, "file size limit exceeded") || strings.Contains(out, "file too large") {
		return &BuildError{Problems: []Problem{{Msg: fmt.Sprintf("the build wrote a file of over %d MiB and was stopped: is there a huge array?", MaxProgram>>20)}}}
	}
	if errors.Is(err, errBuildMemory) {
		return &BuildError{Problems: []Problem{{Msg: fmt.Sprintf("the build needed more than %d MiB of memory and was stopped", BuildMemory>>20)}}}
	}
	if ps := fileProblems(edit, out); len(ps) > 0 {
		return &BuildError{Problems: ps}
	}
	b.log.Warn("a learner's build failed outside the learner's file", "err", err, "output", out)
	return &BuildError{Problems: []Problem{{Msg: "the harness could not build with this file: " + firstLines(out, 5)}}}
}

var errBuildMemory = errors.New("build memory")

// goCmd runs the go command in the build sandbox on work's module.
func (b *Builder) goCmd(ctx context.Context, work string, cgo bool, cpus []int, args ...string) (string, error) {
	var mounts []sandbox.Mount
	for _, m := range []struct {
		path, dest string
		write      bool
	}{{b.tc.GOROOT, "/goroot", false}, {filepath.Join(b.dir, "gomod"), "/gomod", false},
		{filepath.Join(b.dir, "gocache"), "/gocache", true}, {work, "/src", true}} {
		f, err := sandbox.OpenPath(m.path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		mounts = append(mounts, sandbox.Mount{File: f, Dest: m.dest, Write: m.write})
	}
	cgoEnabled := "0"
	if cgo {
		cgoEnabled = "1"
	}
	cmd := b.sb.Command(ctx, sandbox.Spec{
		Args:   append([]string{"/goroot/bin/go"}, args...),
		Mounts: mounts, Dir: "/src", System: true, UID: sandbox.BuildUID, Procs: buildProcs, FileSize: MaxProgram,
		Env: []string{"PATH=/goroot/bin:/usr/bin", "HOME=/tmp", "GOROOT=/goroot", "GOPATH=/tmp/gopath",
			"GOCACHE=/gocache", "GOMODCACHE=/gomod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local",
			"GOFLAGS=-mod=readonly", "GOENV=off", "GOTELEMETRY=off", "CGO_ENABLED=" + cgoEnabled,
			fmt.Sprintf("GOMAXPROCS=%d", max(len(cpus), 1))},
	})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	over, err := process.RunBoxed(cmd, cpus, b.lim, BuildMemory)
	s := out.String()
	if len(s) > maxBuildOutput {
		s = s[:maxBuildOutput]
	}
	if over {
		return s, errBuildMemory
	}
	return s, err
}

// writeModule writes the learner's module: the lab's module name, so the
// harness's imports hold, with the harness, the experiment's files and
// the learner's file in place of the starting one.
func (b *Builder) writeModule(work string, edit *lab.Edit, src string) error {
	files := map[string]string{
		"go.mod":                                 fmt.Sprintf("module concurrencylab\n\ngo %s\n\nrequire %s %s\n", b.tc.Version, syncModule, b.sync),
		"go.sum":                                 b.goSum,
		"lab/yours/harness/harness.go":           yours.HarnessSource,
		path.Join(edit.Dir, "yours", edit.Start): src,
	}
	err := fs.WalkDir(edit.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == path.Join("yours", edit.Start) {
			return err
		}
		data, err := fs.ReadFile(edit.Files, p)
		files[path.Join(edit.Dir, p)] = string(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("code: the harness's files: %w", err)
	}
	for name, data := range files {
		full := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("code: %w", err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			return fmt.Errorf("code: %w", err)
		}
	}
	return nil
}

// fileProblems picks the compiler's or vet's findings on the learner's
// file out of their output.
func fileProblems(edit *lab.Edit, out string) []Problem {
	re := regexp.MustCompile(`(?m)(?:^|[\s/])yours/` + regexp.QuoteMeta(edit.Start) + `:(\d+):(\d+): (.*)$`)
	var ps []Problem
	for _, m := range re.FindAllStringSubmatch(out, 20) {
		var line, col int
		fmt.Sscan(m[1], &line)
		fmt.Sscan(m[2], &col)
		ps = append(ps, Problem{Line: line, Col: col, Msg: strings.TrimSpace(m[3])})
	}
	return ps
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
