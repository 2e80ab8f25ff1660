package code

import (
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
	"path/filepath"
	"strings"
	"sync"
	"time"

	"concurrencylab/lab"
	"concurrencylab/lab/process"
	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours"
)

// Limits of a build.
const (
	// BuildTimeout bounds a build and its vet together; a build with the
	// race detector gets raceTimeout (its first compiles the standard
	// library with -race).
	BuildTimeout = 60 * time.Second
	raceTimeout  = 3 * time.Minute
	// BuildMemory bounds the compiler's process tree.
	BuildMemory = 1 << 30
	// buildProcs bounds the build user's processes and threads.
	buildProcs = 512
	// MaxProgram bounds each file a build writes, the program among them
	// (a learner's program is 2 to 6 MB).
	MaxProgram = 32 << 20
	// maxCache bounds the compiler's cache; past it, it starts afresh.
	maxCache = 1 << 30
	// maxPrograms and maxProgramBytes bound the built programs kept; the
	// least recently used go first.
	maxPrograms     = 500
	maxProgramBytes = 2 << 30
	// maxBuildOutput bounds what a failed build's output keeps.
	maxBuildOutput = 64 << 10
)

// A Builder builds learners' files with their experiments' harnesses, in
// a sandbox, and keeps the programs by content.
type Builder struct {
	tc    toolchain
	sb    *sandbox.Sandbox
	lim   *process.Memory
	dir   string // gocache/, gomod/, bin/, tmp/ below it
	goSum string
	sync  string // x/sync's version
	log   *slog.Logger

	mu       sync.Mutex               // guards building and builds
	building map[string]chan struct{} // builds under way by key, closed when done
	builds   int
	cache    sync.RWMutex // builds read the compiler's cache; trim replaces it
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

// NewBuilder prepares dir for builds: it finds the Go toolchain (ctx
// bounds asking it), copies x/sync out of the module cache, and gives the
// compiler's cache to the build user.
func NewBuilder(ctx context.Context, dir string, sb *sandbox.Sandbox, lim *process.Memory, log *slog.Logger) (*Builder, error) {
	tc, err := findToolchain(ctx)
	if err != nil {
		return nil, err
	}
	v, err := syncVersion(tc.ModCache)
	if err != nil {
		return nil, err
	}
	b := &Builder{building: make(map[string]chan struct{}), tc: tc, sb: sb, lim: lim, dir: dir, sync: v, log: log}
	// What a build left when the server stopped in its middle.
	os.RemoveAll(filepath.Join(dir, "tmp"))
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
	names, harness := yours.HarnessFiles()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", n, len(harness[n]), harness[n])
	}
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
// does not build is a *BuildError. A build of the same content under way
// is waited for, one already made is reused.
func (b *Builder) Build(ctx context.Context, edit *lab.Edit, src string, race bool, cpus []int) (Built, error) {
	key := b.Key(edit, src, race)
	prog := filepath.Join(b.dir, "bin", key)
	for {
		if built, err := b.cached(prog); err == nil {
			return built, nil
		}
		b.mu.Lock()
		wait, busy := b.building[key]
		if !busy {
			b.building[key] = make(chan struct{})
			b.mu.Unlock()
			break
		}
		b.mu.Unlock()
		select { // the same file in another build: its program, or a try of our own
		case <-wait:
		case <-ctx.Done():
			return Built{}, ctx.Err()
		}
	}
	// The build is the asker's: it ends with the asker's context, on the
	// asker's slot, and nothing of it outlives this call.
	b.cache.RLock()
	built, err := b.build(ctx, edit, src, race, cpus, prog)
	b.cache.RUnlock()
	b.mu.Lock()
	close(b.building[key])
	delete(b.building, key)
	b.builds++
	trim := b.builds%20 == 0 || err == nil
	b.mu.Unlock()
	if trim {
		b.trim(b.builds%20 == 0)
	}
	return built, err
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
	limit := BuildTimeout
	if race {
		limit = raceTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
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
	if err := keep(filepath.Join(work, "prog"), prog); err != nil {
		return Built{}, fmt.Errorf("code: keep the program: %w", err)
	}
	if err := os.Rename(prog+".vet.json.tmp", prog+".vet.json"); err != nil {
		return Built{}, fmt.Errorf("code: keep the vet: %w", err)
	}
	return Built{Program: prog, Vet: vet}, nil
}

// failed turns a failed build into the learner's problems, or the
// limit it ran into.
func (b *Builder) failed(ctx context.Context, edit *lab.Edit, out string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &BuildError{Problems: []Problem{{Msg: fmt.Sprintf("the build took longer than its limit (%s, %s with the race detector) and was stopped", BuildTimeout, raceTimeout)}}}
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
