package code

// The learner's module, the go command run on it in the build sandbox,
// and what comes out: the program, kept, and the findings on the
// learner's own lines.

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"concurrencylab/lab"
	"concurrencylab/lab/process"
	"concurrencylab/lab/sandbox"
	"concurrencylab/lab/yours"
)

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
	cmd, release, err := b.sb.Command(ctx, sandbox.Spec{
		Args:   append([]string{"/goroot/bin/go"}, args...),
		Mounts: mounts, Dir: "/src", System: true, UID: sandbox.BuildUID, Procs: buildProcs, FileSize: MaxProgram,
		Env: []string{"PATH=/goroot/bin:/usr/bin", "HOME=/tmp", "GOROOT=/goroot", "GOPATH=/tmp/gopath",
			"GOCACHE=/gocache", "GOMODCACHE=/gomod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local",
			"GOFLAGS=-mod=readonly", "GOENV=off", "GOTELEMETRY=off", "CGO_ENABLED=" + cgoEnabled,
			fmt.Sprintf("GOMAXPROCS=%d", max(len(cpus), 1))},
	})
	if err != nil {
		return "", err
	}
	out := process.NewBoundedBuffer(maxBuildOutput)
	cmd.Stdout, cmd.Stderr = out, out
	over, err := process.RunBoxed(cmd, cpus, b.lim, BuildMemory)
	release()
	s := out.String()
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
		path.Join(edit.Dir, "yours", edit.Start): src,
	}
	_, harness := yours.HarnessFiles()
	maps.Copy(files, harness)
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

// keep copies the built program out of the build's folder, which the
// build's user owns, into a file of the server's: opened without
// following a link, and only a regular file of at most MaxProgram bytes.
func keep(built, prog string) error {
	in, err := os.OpenFile(built, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() || info.Size() > MaxProgram {
		return fmt.Errorf("%s is not a program of at most %d bytes", filepath.Base(built), MaxProgram)
	}
	tmp := prog + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(in, MaxProgram)); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, prog)
}
